"""What rules that relate values compare: a job with the values a value rule rejects made unknown.

A value outside what DLI accepts (``cu: -4``) is reported once, by the rule that rejects it
(`Problem.rejects`). A rule relating it to another value (cuMin above cu) would report it again, with
a fix built on it ("lower cuMin to at most -4"). So, as values the schema rejects are UNKNOWN to
every rule (see `engine.parse`), values a value rule rejects are UNKNOWN to the rules that relate
values: they ask `accepted(spec)`. The value rules judge each value alone and never ask.

Whether a value is wrong does not depend on configuration: a rule turned off still keeps its wrong
value out of the others' comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable

from dli_flink.model.findings import Problem
from dli_flink.model.spec import ACCEPTED, JobSpec
from dli_flink.rules import (
    resource_config_range,
    resources_range,
    scaling_cu_min_floor,
    scaling_interval,
    scaling_priority,
)
from dli_flink.rules.base import Context, option_values

VALUE_RULES = (
    resources_range,
    resource_config_range,
    scaling_cu_min_floor,
    scaling_interval,
    scaling_priority,
)
"""The rules whose problems may reject a value; none of them relates values through `accepted`."""


def accepted(spec: JobSpec) -> JobSpec:
    """`spec` with every value a value rule rejects as UNKNOWN; worked out once per spec."""
    found = spec.__dict__.get(ACCEPTED)
    if found is None:
        problems = [
            problem
            for rule in VALUE_RULES
            for problem in rule.check(spec, Context(option_values(rule, {})))
        ]
        found = settle(spec, problems)
    return found


def settle(spec: JobSpec, problems: Iterable[Problem]) -> JobSpec:
    """Record what the value rules' `problems` reject (the engine has them already: no second run)."""
    rejected = {problem.path for problem in problems if problem.rejects}
    found = spec.without(rejected) if rejected else spec
    object.__setattr__(spec, ACCEPTED, found)
    return found
