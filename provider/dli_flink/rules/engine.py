"""The rule engine: a job document to its JobSpec and schema problems, and a JobSpec to its rules'.

Three steps, apart, because the front ends need different ones: `dli-flink validate` runs them all;
`review` parses every job but runs the per-job rules only on the files a change touches; the provider
and the policy pack run `parse` and `check` on one resource (the pack with a configuration built from
its policy config), and `check_stack` over the stack. Nothing here knows files or positions (the front end
places problems), and problems keep the severity their rule reports: `Config.severity_of` resolves
it, and the front end drops what the configuration turns off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dli_flink.model import schema
from dli_flink.model.findings import Problem
from dli_flink.model.spec import JAR_KIND, SQL_KIND, UNKNOWN, JobSpec
from dli_flink.rules import STACK_RULES
from dli_flink.rules.accepted import settle
from dli_flink.rules.config import Config


def parse(
    document: Any, base_dir: Path | None = None, *, valid: bool = False
) -> tuple[JobSpec | None, list[Problem]]:
    """The schema's problems with one job document, and its JobSpec if its kind is a known one.

    Values the schema rejects reach the JobSpec as UNKNOWN, which rules skip: a wrong value is
    reported once, by the schema, and no rule trips over its type. `base_dir` is where a relative
    sqlFile is read from. `valid`: the caller has already passed the document through the
    schema's gate (`schema.is_valid`), which is then not asked again.
    """
    problems = [] if valid else schema.schema_problems(document)
    if not isinstance(document, dict) or document.get("kind") not in (SQL_KIND, JAR_KIND):
        return None, problems
    if problems:
        document = _prune(document, schema.invalid_paths(problems))
    spec = JobSpec.from_document(document, base_dir)
    return spec, problems


def check(spec: JobSpec, config: Config) -> list[Problem]:
    """The problems the per-job rules find in one job; rules the configuration turns off do not
    run (but for their hard part: see `Config.runs`), the others run with their configured options.

    The value rules run first, whatever the configuration, so the rules relating values see what
    they reject as unknown (rules/accepted.py); their problems are kept if they are on.
    """
    values = [[*rule.check(spec, context)] for rule, context in config.value_checks]
    settle(spec, [problem for found in values if found for problem in found])
    problems: list[Problem] = []
    for rule, context, value in config.check_plan:
        problems.extend(rule.check(spec, context) if value is None else values[value])
    return problems


def check_stack(specs: list[JobSpec], config: Config) -> list[tuple[int, Problem]]:
    """The problems the cross-job rules find among all jobs, each with the index of its job in
    `specs`; configured as `check` configures the per-job rules."""
    return [
        found
        for rule in STACK_RULES
        if config.runs(rule)
        for found in rule.check_jobs(specs, config.contexts[rule.ID])
    ]


def _prune(data: dict, paths: set[tuple]) -> dict:
    """A copy of `data` with the values at `paths` replaced by UNKNOWN (see JobSpec).

    Each mapping on the way is copied once, however many paths go through it: 80,000 rejected tag
    values once copied the tags 80,000 times.
    """
    if not paths:
        return data
    root = dict(data)
    copied = {id(root)}
    for path in paths:
        keys = path[: next((i for i, k in enumerate(path) if isinstance(k, int)), len(path))]
        node = root
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                break
            if id(child) not in copied:
                child = dict(child)
                copied.add(id(child))
                node[key] = child
            node = child
        else:
            if keys:
                node[keys[-1]] = UNKNOWN
    return root
