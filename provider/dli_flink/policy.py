"""The CrossGuard policy pack: the rule engine's problems as Pulumi policy violations.

`pulumi preview --policy-pack policies/` runs `policies/__main__.py`, which serves `policies()`. The
policies live here, inside the package, so tests call them without a server and the pack and the
validator cannot drift apart: every policy runs the rule engine's `parse` (schema, pruning, JobSpec)
and the rule modules themselves; nothing here decides what is wrong with a job. Only this
module imports pulumi_policy, so `dli-flink validate` never pays for it (pulumi and grpc).

What the engine hands a policy, and how it is adapted:
- inputs of `FlinkSqlJob` / `FlinkJarJob` resources are the job document (camelCase keys) without
  `kind`, which the type token implies, plus the pickled `__provider`, which is dropped;
- every number is a float (8 -> 8.0): whole floats become ints before the schema sees them, in
  resource inputs and in policy config alike;
- during preview, values that depend on other resources are unknown: they become UNKNOWN, which the
  rules skip, and the schema's complaints about them are dropped, so preview never fails on them;
- the engine asks every policy in turn about the same resource, so a document is checked once and
  cached by its content;
- CrossGuard gives each policy one enforcement level: a rule's errors are mandatory and its warnings
  advisory; `scaling-interval`, the one rule with both, is two policies (see `ADVISORY_PARTS`);
- without the Pulumi CLI the config is empty (the CLI merges the schema defaults), so every default is
  the one the rule's `OPTIONS` declare; the config schema is built from those declarations too.

Not in the pack: `yaml-syntax` and `suppression`, which are about YAML files and their comments
(`dli-flink validate` checks them). `sql-file` is: the program reads a sqlFile into `sql`
(dli_flink.deploy.resources), so a sqlFile still in the inputs is one it could not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)

from dli_flink.model import schema
from dli_flink.model.findings import Path, Problem, Severity
from dli_flink.model.spec import JAR_KIND, SQL_KIND, UNKNOWN, JobSpec
from dli_flink.model.values import whole
from dli_flink.rules import JOB_RULES, RULES, STACK_RULES, queue_capacity, scaling_interval
from dli_flink.rules.base import Context, OptionError, option_values, summary
from dli_flink.rules.engine import parse

PACK_NAME = "dli-flink"
JOB_TYPES = {
    "pulumi-python:dynamic/dli:FlinkSqlJob": SQL_KIND,
    "pulumi-python:dynamic/dli:FlinkJarJob": JAR_KIND,
}
"""The resource type tokens the pack checks, and the job kind each implies."""
NOT_IN_PACK = frozenset({"yaml-syntax", "suppression"})
ADVISORY_PARTS = {scaling_interval.ID: "scaling-interval-min-minutes"}
"""Rules whose warnings need a policy of their own (CrossGuard has one level per policy). The
options go with the warnings: for scaling-interval, `min-minutes` only moves the warning."""
_PART_DESCRIPTIONS = {
    scaling_interval.ID: {Severity.ERROR: "under 1 minute", Severity.WARNING: "under min-minutes"}
}
"""What each part of a split rule covers, for its policy's description."""
STACK_PARTS = {"job-name": ("job-name-unique", "A job name used by more than one job resource.")}
"""Stack policies of rules that are resource policies too: their own name (names are unique in a
pack) and description."""

_UNKNOWNS = frozenset(
    {
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
    }
)
"""The strings the engine sends in place of values not known during preview."""
_LEVELS = {Severity.ERROR: EnforcementLevel.MANDATORY, Severity.WARNING: EnforcementLevel.ADVISORY}
QUEUES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Queue name -> {cu: capacity in CUs}, for queue-capacity.",
    "additionalProperties": {
        "type": "object",
        "properties": {"cu": {"type": "integer", "minimum": 1}},
        "required": ["cu"],
    },
    "default": {},
}


class PolicyConfigError(Exception):
    """Policy config the pack cannot use; the message is one line naming the key and the fix."""


@dataclass(frozen=True)
class Checked:
    """One job document after the shared pipeline: its spec and its schema problems."""

    spec: JobSpec
    schema_problems: tuple[Problem, ...]


def policies() -> list[Policy]:
    """Every policy of the pack: the schema, each job rule, and the cross-job rules."""
    found: list[Policy] = [_schema_policy()]
    for rule in JOB_RULES:
        if rule.ID in NOT_IN_PACK:
            continue
        advisory = ADVISORY_PARTS.get(rule.ID)
        found.append(_rule_policy(rule, rule.ID, rule.SEVERITY, with_options=advisory is None))
        if advisory:
            found.append(_rule_policy(rule, advisory, Severity.WARNING, with_options=True))
    found.extend(_stack_policy(rule) for rule in STACK_RULES)
    return found


def violation(problem: Problem) -> str:
    """What a user reads under the policy's description: rule, property, and the fix."""
    return f"[{problem.rule}] {dotted(problem.path)}: {problem.message}"


def dotted(path: Path) -> str:
    """A document path as people write it: scaling.cuMax, jar.args[0], runtimeConfig["a.b"]."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif "." in key:
            text += f'["{key}"]'
        else:
            text += f".{key}" if text else key
    return text or "(the job document)"


def check_props(resource_type: str, props: Mapping[str, Any], *, known_keys_only: bool) -> Checked:
    """The shared pipeline on a resource's properties (inputs or, for stack policies, outputs).

    Outputs may carry keys the provider adds; `known_keys_only` keeps the document's own keys so
    stack policies judge the job, not the provider's bookkeeping.
    """
    allowed = schema.load_schema()["properties"] if known_keys_only else None
    raw = {
        key: value
        for key, value in _target(props).items()
        if key != "__provider" and (allowed is None or key in allowed)
    }
    key = resource_type + json.dumps(raw, sort_keys=True, default=_json_default)
    checked = _CACHE.get(key)
    if checked is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        document = _as_document(raw)
        document["kind"] = JOB_TYPES[resource_type]
        checked = _CACHE[key] = _check(document)
    return checked


_CACHE: dict[str, Checked] = {}
"""Documents checked, by their content as JSON: the engine asks each of ~20 policies about the same
resource in turn, and each call gets its own copy of the properties. The JSON (C speed) is the
cheapest complete fingerprint; the document itself is built only when it is new."""
_CACHE_SIZE = 4096


def _check(document: dict[str, Any]) -> Checked:
    """Schema and JobSpec; the schema's complaints about values not known yet are dropped."""
    spec, problems = parse(document)
    assert spec is not None, "kind comes from the type token, so there is always a spec"
    unknown = list(_unknown_paths(document, ()))
    kept = tuple(p for p in problems if not any(p.path[: len(u)] == u for u in unknown))
    return Checked(spec, kept)


def _as_document(value: Any) -> Any:
    """A property value as plain job-document data: unknowns -> UNKNOWN, 8.0 -> 8.

    Walks the containers behind pulumi_policy's unknown-checking proxies, as the SDK's own
    serialize_properties reads them, where unknowns are still the engine's sentinel strings (reading
    one through the proxy raises instead).
    """
    kind = type(value)
    if kind is str:
        return UNKNOWN if value in _UNKNOWNS else value
    if kind is float:
        return whole(value)
    if kind is bool or kind is int or value is None:
        return value
    raw = _target(value)
    if isinstance(raw, Mapping):
        return {key: _as_document(item) for key, item in raw.items()}
    if isinstance(raw, Sequence):
        return [_as_document(item) for item in raw]
    return value


def _json_default(value: Any) -> Any:
    """What json.dumps writes for a proxy (its container) or anything else JSON lacks (its repr)."""
    target = _target(value)
    return repr(value) if target is value else target


def _target(container: Any) -> Any:
    """The dict or list behind a pulumi_policy proxy; a plain container is its own."""
    if type(container) is dict or type(container) is list:
        return container
    try:
        return container["__target"]
    except (KeyError, TypeError, IndexError):
        return container


def _unknown_paths(value: Any, path: Path) -> Iterator[Path]:
    if value is UNKNOWN:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unknown_paths(item, (*path, index))


def _schema_policy() -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in JOB_TYPES:
            for problem in check_props(
                args.resource_type, args.props, known_keys_only=False
            ).schema_problems:
                report(violation(problem))

    return ResourceValidationPolicy(
        name=schema.RULE,
        description=_summary(RULES[schema.RULE]),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def _rule_policy(
    rule: ModuleType, name: str, severity: Severity, *, with_options: bool
) -> ResourceValidationPolicy:
    """The problems of one job rule at one severity, as one policy."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in JOB_TYPES:
            return
        spec = check_props(args.resource_type, args.props, known_keys_only=False).spec
        try:
            context = Context(rule_options(rule, args.get_config() if with_options else {}))
        except PolicyConfigError as error:
            report(f"[{name}] policy config: {error}")
            return
        for problem in rule.check(spec, context):
            if (problem.severity or rule.SEVERITY) == severity:
                report(violation(problem))

    return ResourceValidationPolicy(
        name=name,
        description=_description(rule, severity),
        validate=validate,
        enforcement_level=_LEVELS[severity],
        config_schema=_options_schema(rule) if with_options else None,
    )


def _stack_policy(rule: ModuleType) -> StackValidationPolicy:
    """A cross-job rule over every job resource of the stack (their outputs, as the engine sends)."""
    name, description = STACK_PARTS.get(rule.ID, (rule.ID, _summary(rule)))

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        urns: list[str] = []
        specs: list[JobSpec] = []
        for resource in args.resources:
            if resource.resource_type in JOB_TYPES:
                checked = check_props(resource.resource_type, resource.props, known_keys_only=True)
                urns.append(resource.urn)
                specs.append(checked.spec)
        config = args.get_config()
        try:
            queues = queue_capacities(config) if rule is queue_capacity else {}
            context = Context(rule_options(rule, config), queues)
        except PolicyConfigError as error:
            report(f"[{name}] policy config: {error}")
            return
        for index, problem in rule.check_jobs(specs, context):
            report(violation(problem), urns[index])

    options = {"queues": QUEUES_SCHEMA} if rule is queue_capacity else {}
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=_LEVELS[rule.SEVERITY],
        config_schema=_options_schema(rule, options),
    )


def _description(rule: ModuleType, severity: Severity) -> str:
    if rule.ID in _PART_DESCRIPTIONS:
        return f"{_summary(rule).rstrip('.')}: {_PART_DESCRIPTIONS[rule.ID][severity]}."
    return _summary(rule)


def _summary(rule: ModuleType) -> str:
    """The rule's one-line doc, without the reStructuredText quoting of its docstring."""
    return summary(rule).replace("``", "")


def _options_schema(
    rule: ModuleType, extra: dict[str, Any] | None = None
) -> PolicyConfigSchema | None:
    properties = {option.name: option.json_schema() for option in rule.OPTIONS}
    properties.update(extra or {})
    return PolicyConfigSchema(properties) if properties else None


def rule_options(rule: ModuleType, config: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's options from policy config (whole floats as ints), checked as `.dli-flink.yaml`
    checks them; options not in the config keep their defaults."""
    try:
        return option_values(rule, {key: whole(value) for key, value in config.items()})
    except OptionError as error:
        raise PolicyConfigError(str(error)) from None


def queue_capacities(config: Mapping[str, Any]) -> dict[str, int]:
    """`queues: {flink_q: {cu: 64}}` from policy config as {"flink_q": 64}."""
    section = config.get("queues") or {}
    if not isinstance(section, Mapping):
        raise PolicyConfigError("queues must map queue names to {cu: N}")
    capacities = {}
    for queue, value in section.items():
        cu = whole(value.get("cu")) if isinstance(value, Mapping) else None
        if not isinstance(cu, int) or isinstance(cu, bool) or cu < 1:
            raise PolicyConfigError(f"queues.{queue} needs its capacity as cu: N (N >= 1)")
        capacities[str(queue)] = cu
    return capacities
