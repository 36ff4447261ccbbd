"""The CrossGuard policy pack: the rule engine's problems as Pulumi policy violations.

`pulumi preview --policy-pack policies/` starts `pulumi-analyzer-policy-dli-flink`
(dli_flink.policy_plugin), which serves `policies()` (dli_flink.policy_server). The policies live
here, inside the package, so tests call them without a server and the pack and the validator
cannot drift apart: the pack runs the rule engine's `parse` and `check` as the provider's check()
does, configured by a `rules.config.Config`; nothing here decides what is wrong with a job. Only this module and the server import pulumi_policy, so
`dli-flink validate` never pays for it (pulumi and grpc).

Why four policies and not one per rule: the engine waits for the pack inside step generation, so
each policy adds to every preview whatever it checks (pulumi_policy's own server converts a
resource's properties, and its provider's, again for every policy: pure-Python MessageToDict and
proxies, `_PolicyAnalyzerServicer.Analyze`; dli_flink.policy_server hands every policy the
engine's Struct, `JobProps`, which this module keys and converts once). A policy has one
enforcement level, so two resource policies carry the job rules:
- `dli-flink` runs every job rule once per resource and reports the problems whose level is
  mandatory. Its config holds every rule's settings, by rule id: `off`, `advisory`, `mandatory`, or
  `{level, <the rule's options>}`; unset, a rule's errors are mandatory and its warnings advisory,
  as `dli-flink validate` reports them. The config schema is built from the rules' declarations.
- `dli-flink-advisory` reports the problems whose level is advisory. Both come from one check of
  the job (`job_messages`): dli_flink.policy_server's Analyze reports each level under its policy
  from one call; pulumi_policy's server runs a pack's resource policies in order on one thread for
  each resource (the same `Analyze` loop), so there `dli-flink` leaves them for the next (see
  `_Left`) instead of each policy checking the job and reading the settings again. So disabling
  `dli-flink` turns every job rule off, and its settings are in one place;
  `dli-flink-advisory`'s own enforcement level moves all advisory problems at once.
- `job-name-unique` and `queue-capacity` are the cross-job rules, as stack policies with their own
  levels and options (queue capacities for queue-capacity).

What the engine hands a policy, and how it is adapted:
- inputs of `FlinkSqlJob` / `FlinkJarJob` resources are the job document (camelCase keys) without
  `kind`, which the type token implies, plus the pickled `__provider` in Remediate, which is dropped;
- every number is a float (8 -> 8.0): whole floats become ints before the schema sees them, in
  resource inputs and in policy config alike;
- during preview, values that depend on other resources are unknown: they become UNKNOWN, which the
  rules skip, and the schema's complaints about them are dropped, so preview never fails on them;
- without the Pulumi CLI the config is empty (the CLI merges the schema's top-level defaults, and
  validates the config against the schema), so every default is in the code as well.

Not in the pack: `yaml-syntax` and `suppression`, which are about YAML files and their comments
(`dli-flink validate` checks them). `sql-file` is: the program reads a sqlFile into `sql`
(dli_flink.deploy.resources), so a sqlFile still in the inputs is one it could not read.
"""

from __future__ import annotations

import difflib
import functools
import json
import threading
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any, NamedTuple

from google.protobuf import struct_pb2
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
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from dli_flink.model import schema
from dli_flink.model.findings import Path, Problem, Severity
from dli_flink.model.spec import JAR_KIND, SQL_KIND, UNKNOWN, JobSpec
from dli_flink.model.values import whole
from dli_flink.rules import JOB_RULES, RULES, STACK_RULES, queue_capacity
from dli_flink.rules.base import Context, OptionError, option_values, summary
from dli_flink.rules.config import Config
from dli_flink.rules.engine import check, parse

PACK_NAME = "dli-flink"
RULES_POLICY = "dli-flink"
"""The mandatory resource policy, whose config holds every job rule's settings."""
ADVISORY_POLICY = "dli-flink-advisory"
JOB_TYPES = {
    "pulumi-python:dynamic/dli:FlinkSqlJob": SQL_KIND,
    "pulumi-python:dynamic/dli:FlinkJarJob": JAR_KIND,
}
"""The resource type tokens the pack checks, and the job kind each implies."""
NOT_IN_PACK = frozenset({"yaml-syntax", "suppression"})
PACK_RULES = [
    rule
    for rule in RULES.values()
    if rule.ID not in NOT_IN_PACK and (rule.ID == schema.RULE or rule in JOB_RULES)
]
"""The rules `dli-flink`'s config sets, in `dli-flink rules` order: the schema and the job rules."""
LEVELS: dict[str, Severity | None] = {
    "off": None,
    "advisory": Severity.WARNING,
    "mandatory": Severity.ERROR,
}
"""A rule's level in policy config, as the severity `rules.config.Config` gives its problems:
what `dli-flink validate` reports as errors blocks, its warnings are printed."""
STACK_PARTS = {"job-name": ("job-name-unique", "A job name used by more than one job resource.")}
"""Stack policies of rules that are job rules too: their own name (names are unique in a pack)
and description."""

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
_ENFORCEMENT = {
    Severity.ERROR: EnforcementLevel.MANDATORY,
    Severity.WARNING: EnforcementLevel.ADVISORY,
}
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


class Checked(NamedTuple):
    """One job document after the shared pipeline: its spec and its schema problems. A
    NamedTuple: one is made for every job the pack checks, where a frozen dataclass's `__init__`
    costs more."""

    spec: JobSpec
    schema_problems: tuple[Problem, ...]


@dataclass(frozen=True)
class RuleSettings:
    """`dli-flink`'s config read: the configuration the rule engine runs with, and what in the
    config could not be used (one violation message each; those rules stay off)."""

    config: Config
    errors: tuple[str, ...]


def policies() -> list[Policy]:
    """Every policy of the pack: the job rules at each level, then the cross-job rules."""
    found: list[Policy] = [_rules_policy(), _advisory_policy()]
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


def check_props(
    resource_type: str, props: Mapping[str, Any] | JobProps, *, known_keys_only: bool
) -> Checked:
    """The shared pipeline on a resource's properties (inputs or, for stack policies, outputs).

    Outputs may carry keys the provider adds; `known_keys_only` keeps the document's own keys so
    stack policies judge the job, not the provider's bookkeeping.
    """
    return _checked_job(resource_type, props, known_keys_only)[1]


def rule_settings(config: Mapping[str, Any]) -> RuleSettings:
    """`dli-flink`'s config as the rule engine's configuration, read once per distinct config.

    dli_flink.policy_server hands every call the same read-only mapping until the next Configure,
    so the last one read is recognised by identity; pulumi_policy's server hands every call a
    fresh copy of the same config, so configs are also keyed by their JSON.
    """
    last_config, last_settings = _LAST_SETTINGS[0]
    if config is last_config and isinstance(config, MappingProxyType):
        return last_settings
    key = json.dumps(dict(config), sort_keys=True, default=repr)
    settings = _SETTINGS.get(key)
    if settings is None:
        if len(_SETTINGS) >= _CACHE_SIZE:
            _SETTINGS.clear()
        settings = _SETTINGS[key] = _read_settings(config)
    _LAST_SETTINGS[0] = (config, settings)
    return settings


_SETTINGS: dict[str, RuleSettings] = {}
_LAST_SETTINGS: list[tuple[Any, Any]] = [(None, None)]
"""The mapping last read and its settings, as one tuple: threads swap both at once."""


def _read_settings(config: Mapping[str, Any]) -> RuleSettings:
    severities: dict[str, Severity | None] = {}
    options: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    pack_rules = {rule.ID: rule for rule in PACK_RULES}
    for rule_id, value in config.items():
        if rule_id == "enforcementLevel":
            continue  # the policy's own level, which the server applies (and the CLI takes out)
        rule = pack_rules.get(rule_id)
        if rule is None:
            errors.append(f"[{RULES_POLICY}] policy config: {_not_a_rule(rule_id)}")
            continue
        try:
            level, options[rule_id] = _rule_setting(rule, value)
        except PolicyConfigError as error:
            severities[rule_id] = None
            errors.append(f"[{rule_id}] policy config: {error}")
        else:
            if level is not None:
                severities[rule_id] = LEVELS[level]
    return RuleSettings(Config(severities=severities, options=options), tuple(errors))


def _rule_setting(rule: ModuleType, value: Any) -> tuple[str | None, dict[str, Any]]:
    """(level, options) from one rule's entry: a level, or {level, options}. No level: each
    problem keeps its severity's level."""
    settings = {"level": value} if isinstance(value, str) else value
    if not isinstance(settings, Mapping):
        raise PolicyConfigError(f"use {_level_names()} or {{level: ..., <option>: ...}}")
    settings = dict(settings)
    level = settings.pop("level", None)
    unknown = sorted(set(settings) - {option.name for option in rule.OPTIONS})
    if unknown:
        known = ", ".join(["level", *(option.name for option in rule.OPTIONS)])
        raise PolicyConfigError(f"{rule.ID} has no option '{unknown[0]}' (it has: {known})")
    if level is not None and level not in LEVELS:
        raise PolicyConfigError(f"level is {level!r}: use {_level_names()}")
    return level, rule_options(rule, settings)


def _not_a_rule(key: str) -> str:
    if key in NOT_IN_PACK:
        return f"{key} is not in the pack: dli-flink validate checks it"
    if key in RULES:
        return f"{key} is a policy of its own: configure it under {key}"
    hint = difflib.get_close_matches(key, [rule.ID for rule in PACK_RULES], n=1)
    return f"unknown rule '{key}': " + (
        f"did you mean '{hint[0]}'?" if hint else "see dli-flink rules"
    )


def _level_names() -> str:
    return ", ".join(LEVELS)


def _levelled(checked: Checked, config: Config) -> tuple[list[str], list[str]]:
    """The violation messages of one job at each level: (mandatory, advisory)."""
    mandatory: list[str] = []
    advisory: list[str] = []
    for problem in [*checked.schema_problems, *check(checked.spec, config)]:
        severity = config.severity_of(problem)
        if severity is not None:
            (mandatory if severity == Severity.ERROR else advisory).append(violation(problem))
    return mandatory, advisory


class _Left(threading.local):
    """The advisory messages `dli-flink` found, for `dli-flink-advisory`, which the server runs
    next on the same thread for the same resource. Taken only by a call about the same resource
    (URN and content), and taken once: if `dli-flink` did not run (disabled), there is nothing.

    What is left is never from another configuration: the CLI starts and configures a pack process
    once per command, and the engine analyzes a resource once per run.
    """

    urn: str | None = None
    fingerprint: Hashable = None
    messages: tuple[str, ...] = ()

    def leave(self, urn: str, fingerprint: Hashable, messages: Sequence[str]) -> None:
        self.urn, self.fingerprint, self.messages = urn, fingerprint, tuple(messages)

    def take(self, urn: str, fingerprint: Hashable) -> tuple[str, ...]:
        found = self.messages if (self.urn, self.fingerprint) == (urn, fingerprint) else ()
        self.urn, self.fingerprint, self.messages = None, None, ()
        return found


_LEFT = _Left()


def job_messages(
    resource_type: str, props: Mapping[str, Any] | JobProps, config: Mapping[str, Any]
) -> tuple[Hashable, list[str], list[str]]:
    """What the job rules say of one job resource, configured by `dli-flink`'s `config`: its
    fingerprint, the mandatory messages (what in the config could not be used first) and the
    advisory ones. `dli-flink` reports the first, `dli-flink-advisory` the second: through the
    policies below on pulumi_policy's server, and both from one call on dli_flink.policy_server's
    (`Servicer.Analyze`)."""
    settings = rule_settings(config)
    fingerprint, checked = _checked_job(resource_type, props, known_keys_only=False)
    mandatory, advisory = _levelled(checked, settings.config)
    if settings.errors:
        mandatory[:0] = settings.errors
    return fingerprint, mandatory, advisory


def _rules_policy() -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in JOB_TYPES:
            return
        fingerprint, mandatory, advisory = job_messages(
            args.resource_type, args.props, args.get_config()
        )
        for message in mandatory:
            report(message)
        _LEFT.leave(args.urn, fingerprint, advisory)

    return ResourceValidationPolicy(
        name=RULES_POLICY,
        description=(
            "A DLI Flink job rule at level mandatory (by default, an error of dli-flink validate)."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({rule.ID: _rule_schema(rule) for rule in PACK_RULES}),
    )


def _advisory_policy() -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in JOB_TYPES:
            return
        fingerprint = _fingerprint_of(args.resource_type, args.props, known_keys_only=False)
        for message in _LEFT.take(args.urn, fingerprint):
            report(message)

    return ResourceValidationPolicy(
        name=ADVISORY_POLICY,
        description=(
            "A DLI Flink job rule at level advisory (by default, a warning of dli-flink validate)."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
    )


def _rule_schema(rule: ModuleType) -> dict[str, Any]:
    """One rule's entry in `dli-flink`'s config schema: a level, or an object with a level and the
    rule's options (their types, bounds and defaults from its Option declarations)."""
    level = {
        "enum": list(LEVELS),
        "description": "off, or the level of every problem of this rule. Unset, each problem's "
        "severity decides: errors are mandatory, warnings advisory.",
        "default": "mandatory" if rule.SEVERITY == Severity.ERROR else "advisory",
    }
    options = {option.name: option.json_schema() for option in rule.OPTIONS}
    return {
        "description": _summary(rule),
        "anyOf": [
            level,
            {
                "type": "object",
                "properties": {"level": level, **options},
                "additionalProperties": False,
            },
        ],
    }


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

    options = {option.name: option.json_schema() for option in rule.OPTIONS}
    if rule is queue_capacity:
        options["queues"] = QUEUES_SCHEMA
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=_ENFORCEMENT[rule.SEVERITY],
        config_schema=PolicyConfigSchema(options) if options else None,
    )


def _summary(rule: ModuleType) -> str:
    """The rule's one-line doc, without the reStructuredText quoting of its docstring."""
    return summary(rule).replace("``", "")


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


# -- from the engine's properties to a checked job document ---------------------------------------


class JobProps:
    """A job resource's properties as dli_flink.policy_server hands them to the policies, in place
    of the plain mapping pulumi_policy's server builds: the engine's Struct itself.

    Why: the server's time is the engine's (it waits inside step generation), and most of a plain
    mapping's cost is building it (about 35 us a job) and fingerprinting it as JSON (17 us, and
    again for each policy and in AnalyzeStack). The Struct's deterministic serialization is a
    complete fingerprint made in C (8 us), and the job document is built from the Struct only
    when no policy has checked that content yet: the advisory policy and the stack policies read
    the jobs the mandatory one checked in Analyze. Only this module's policies read it.
    """

    def __init__(self, struct: struct_pb2.Struct, outputs: bool = False) -> None:
        """`outputs`: a job's outputs in a Struct the caller gives up (AnalyzeStack's request,
        which nothing else reads): the keys that are not the document's are deleted from it at
        once, where a copy would cost half of keying it."""
        if outputs:
            allowed = _document_keys()
            for key in [key for key in struct.fields if key not in allowed]:
                del struct.fields[key]
        self.struct = struct
        self._keys: dict[bool, bytes] = {}
        self._structs: dict[bool, struct_pb2.Struct] = {True: struct} if outputs else {}
        self._checked: dict[bool, tuple[Hashable, Checked]] = {}

    def checked(self, resource_type: str, known_keys_only: bool) -> tuple[Hashable, Checked]:
        """The job's fingerprint and its check (`_checked_job`), kept: AnalyzeStack's two stack
        policies ask for every job."""
        found = self._checked.get(known_keys_only)
        if found is None:
            fingerprint = (resource_type, self.key(known_keys_only))
            checked = _CACHE.get(fingerprint)
            if checked is None:
                checked = _remember(fingerprint, resource_type, self.document(known_keys_only))
            found = self._checked[known_keys_only] = (fingerprint, checked)
        return found

    def key(self, known_keys_only: bool) -> bytes:
        """The document's content, without `__provider` and, with `known_keys_only`, the keys the
        provider adds to its outputs: so a job's outputs in AnalyzeStack key as its inputs did in
        Analyze. Deterministic serialization orders the map's keys (Struct maps have no order)."""
        key = self._keys.get(known_keys_only)
        if key is None:
            key = self._keys[known_keys_only] = self._document_struct(
                known_keys_only
            ).SerializeToString(deterministic=True)
        return key

    def document(self, known_keys_only: bool) -> dict[str, Any]:
        """The job document: what `_as_document` makes of what `deserialize_properties` gives
        (secrets unwrapped, unknowns UNKNOWN, whole numbers ints), read off the Struct."""
        return _wire_struct(self._document_struct(known_keys_only).fields)

    def _document_struct(self, known_keys_only: bool) -> struct_pb2.Struct:
        """The Struct without the keys that are not the document's: itself unless it has some
        (Analyze's inputs have none, nor AnalyzeStack's outputs once trimmed)."""
        kept = self._structs.get(known_keys_only)
        if kept is None:
            kept = self._structs[known_keys_only] = self._without_others(known_keys_only)
        return kept

    def _without_others(self, known_keys_only: bool) -> struct_pb2.Struct:
        fields = self.struct.fields
        if known_keys_only:
            allowed = _document_keys()
            left_out = [key for key in fields if key not in allowed]
        else:
            left_out = ["__provider"] if "__provider" in fields else []
        if not left_out:
            return self.struct
        kept = struct_pb2.Struct()
        kept.CopyFrom(self.struct)
        for key in left_out:
            del kept.fields[key]
        return kept


def _wire_struct(fields: Any) -> dict[str, Any]:
    """A Struct's fields as a dict of job-document data. Strings, numbers, booleans and nested
    objects, nearly all of a job's values, are read here rather than by a call each (a third of
    the document's cost); a number is whole when `float.is_integer` says so (`whole`, which
    also asks isfinite, of which is_integer is False anyway)."""
    document = {}
    for key in fields:  # .items() iterates in Python
        value = fields[key]
        kind = value.WhichOneof("kind")
        if kind == "string_value":
            text = value.string_value
            document[key] = UNKNOWN if text in _UNKNOWNS else text
        elif kind == "number_value":
            number = value.number_value
            document[key] = int(number) if number.is_integer() else number
        elif kind == "struct_value" and SPECIAL_SIG_KEY not in value.struct_value.fields:
            document[key] = _wire_struct(value.struct_value.fields)
        elif kind == "bool_value":
            document[key] = value.bool_value
        else:
            document[key] = _wire_value(value, kind)
    return document


def _wire_value(value: struct_pb2.Value, kind: str | None) -> Any:
    """One Struct value (of its `kind`) as job-document data. Secrets are unwrapped as the
    library's `deserialize_properties` does. Other signed values (assets, archives), which no job
    field takes, stay objects here where the library makes Asset objects: the schema rejects
    both."""
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text in _UNKNOWNS else text
    if kind == "number_value":
        return whole(value.number_value)
    if kind == "struct_value":
        fields = value.struct_value.fields
        secret = fields.get(SPECIAL_SIG_KEY)
        if secret is not None and secret.string_value == SPECIAL_SECRET_SIG:
            if "value" not in fields:
                return None
            inner = fields["value"]
            return _wire_value(inner, inner.WhichOneof("kind"))
        return _wire_struct(fields)
    if kind == "list_value":
        return [_wire_value(item, item.WhichOneof("kind")) for item in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    return None  # null_value, or no value set


def _checked_job(
    resource_type: str, props: Mapping[str, Any] | JobProps, known_keys_only: bool
) -> tuple[Hashable, Checked]:
    """A job's fingerprint, and its schema problems and JobSpec, once per content: AnalyzeStack's
    stack policies ask about the jobs Analyze checked, and the document itself is built only when
    it is new. From the Struct the server hands over, or from the mapping pulumi_policy's server
    (and the tests) give."""
    if isinstance(props, JobProps):
        return props.checked(resource_type, known_keys_only)
    raw = _raw(props, known_keys_only)
    fingerprint = _fingerprint(resource_type, raw)
    checked = _CACHE.get(fingerprint)
    if checked is None:
        checked = _remember(fingerprint, resource_type, _as_document(raw))
    return fingerprint, checked


def _fingerprint_of(
    resource_type: str, props: Mapping[str, Any] | JobProps, known_keys_only: bool
) -> Hashable:
    """A job's fingerprint alone (`_checked_job`'s), without checking it."""
    if isinstance(props, JobProps):
        return (resource_type, props.key(known_keys_only))
    return _fingerprint(resource_type, _raw(props, known_keys_only))


def _remember(fingerprint: Hashable, resource_type: str, document: dict[str, Any]) -> Checked:
    """Check a job's document (its kind from the type token) and keep the result by fingerprint."""
    document["kind"] = JOB_TYPES[resource_type]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    checked = _CACHE[fingerprint] = _check(document)
    return checked


def _raw(props: Mapping[str, Any], known_keys_only: bool) -> dict[str, Any]:
    """The properties that are the job document's: without `__provider`, and with
    `known_keys_only` without the keys the provider adds to its outputs."""
    allowed = _document_keys() if known_keys_only else None
    return {
        key: value
        for key, value in _target(props).items()
        if key != "__provider" and (allowed is None or key in allowed)
    }


@functools.cache
def _document_keys() -> frozenset[str]:
    return frozenset(schema.load_schema()["properties"])


def _fingerprint(resource_type: str, raw: Mapping[str, Any]) -> str:
    """A job handed over as a mapping, by its content: JSON (C speed) is the cheapest complete
    fingerprint of Python data, and sorted keys make a job's outputs in AnalyzeStack match its
    inputs in Analyze (Struct maps have no order)."""
    return resource_type + json.dumps(raw, sort_keys=True, default=_json_default)


_CACHE: dict[Hashable, Checked] = {}
_CACHE_SIZE = 4096


def _check(document: dict[str, Any]) -> Checked:
    """Schema and JobSpec; the schema's complaints about values not known yet are dropped (the
    document is walked for them only when there are complaints: most jobs have none)."""
    spec, problems = parse(document)
    assert spec is not None, "kind comes from the type token, so there is always a spec"
    if not problems:
        return Checked(spec, ())
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
