"""The pack's policies called directly, with arguments built as pulumi_policy's server builds them.

Every rule in the pack is run both ways from its documented PASS and FAIL examples (the same
examples `dli-flink validate` is tested with), then the adaptations the pack makes are pinned down:
floats, unknowns in preview, the provider's own keys, config, and the stack policies.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dli_flink import policy
from dli_flink.rules import JOB_RULES, RULES, STACK_RULES
from jsonschema import Draft7Validator
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from tests.policy.wire import (
    JAR_TYPE,
    as_resource,
    examples,
    job,
    resource_args,
    stack_args,
)

POLICIES = {p.name: p for p in policy.policies()}
RESOURCE_POLICIES = [p for p in POLICIES.values() if isinstance(p, ResourceValidationPolicy)]
PACK_RULES = [rule for rule in RULES.values() if rule.ID not in policy.NOT_IN_PACK]


def run(target: Policy, args: Any) -> list[str]:
    """The messages `target` reports for `args`."""
    reported: list[str] = []
    target.validate(args, lambda message, urn=None: reported.append(message))
    return reported


def violations(document: dict[str, Any], config: dict[str, dict[str, Any]] | None = None) -> dict:
    """Policy name -> messages, over every resource policy, for one FlinkSqlJob's inputs."""
    config = config or {}
    found = {p.name: run(p, resource_args(document, config.get(p.name))) for p in RESOURCE_POLICIES}
    return {name: messages for name, messages in found.items() if messages}


def _policies_of(rule: ModuleType) -> list[Policy]:
    names = {rule.ID, policy.ADVISORY_PARTS.get(rule.ID), policy.STACK_PARTS.get(rule.ID, ("",))[0]}
    return [p for p in POLICIES.values() if p.name in names]


def _run_example(rule: ModuleType, documents: list[dict[str, Any]]) -> list[str]:
    config = {}
    for block in examples(rule, "CONFIG"):
        config = block[0]
    resources = [as_resource(document) for document in documents]
    reported = []
    for target in _policies_of(rule):
        if isinstance(target, StackValidationPolicy):
            reported += run(target, stack_args(resources, config))
        else:
            for kind, inputs in resources:
                reported += run(target, resource_args(inputs, resource_type=kind))
    return reported


@pytest.mark.parametrize(
    ("rule", "documents"),
    [
        pytest.param(rule, documents, id=f"{rule.ID}-{i}")
        for rule in PACK_RULES
        for i, documents in enumerate(examples(rule, "FAIL"))
    ],
)
def test_failing_example_is_a_violation_of_its_rule(
    rule: ModuleType, documents: list[dict[str, Any]]
) -> None:
    reported = _run_example(rule, documents)
    assert reported
    assert all(message.startswith(f"[{rule.ID}] ") for message in reported), reported


@pytest.mark.parametrize(
    ("rule", "documents"),
    [
        pytest.param(rule, documents, id=f"{rule.ID}-{i}")
        for rule in PACK_RULES
        for i, documents in enumerate(examples(rule, "PASS"))
    ],
)
def test_passing_example_is_no_violation(rule: ModuleType, documents: list[dict[str, Any]]) -> None:
    assert _run_example(rule, documents) == []


def test_the_pack_has_a_policy_per_rule_with_its_level() -> None:
    expected = {rule.ID for rule in PACK_RULES} | set(policy.ADVISORY_PARTS.values())
    expected |= {name for name, _ in policy.STACK_PARTS.values()}
    assert set(POLICIES) == expected
    levels = {name: p.enforcement_level for name, p in POLICIES.items()}
    assert levels["scaling-cu-max-below-cu"] == EnforcementLevel.MANDATORY
    assert levels["scaling-inert-keys"] == EnforcementLevel.ADVISORY
    assert levels["scaling-interval"] == EnforcementLevel.MANDATORY
    assert levels["scaling-interval-min-minutes"] == EnforcementLevel.ADVISORY
    assert levels["queue-capacity"] == EnforcementLevel.ADVISORY
    assert levels["job-name-unique"] == EnforcementLevel.MANDATORY
    stack = {p.name for p in POLICIES.values() if isinstance(p, StackValidationPolicy)}
    assert stack == {"job-name-unique", "queue-capacity"}
    assert len(STACK_RULES) == len(stack)


def test_only_rules_with_two_levels_are_split() -> None:
    """A rule that reports some problems at another severity needs an ADVISORY_PARTS entry."""
    two_levels = {rule.ID for rule in JOB_RULES if "severity=" in inspect.getsource(rule)}
    assert two_levels == set(policy.ADVISORY_PARTS)


def test_a_good_job_passes_every_policy() -> None:
    assert violations(job()) == {}


def test_a_violation_names_rule_property_and_fix() -> None:
    assert violations(job(scaling__cuMax=6)) == {
        "scaling-cu-max-below-cu": [
            "[scaling-cu-max-below-cu] scaling.cuMax: scaling cuMax 6 is below the job's 8 CUs "
            "(resources.cu): raise it to at least 8 or remove it"
        ]
    }


def test_one_wrong_value_is_one_violation() -> None:
    """Each policy runs one rule, yet cu: -4 is only resources-range's: the rules relating cu to
    cuMin and cuMax see a rejected value as unknown, in the pack as in validate."""
    found = violations(job(resources__cu=-4.0, scaling__cuMax=None))
    assert list(found) == ["resources-range"], found


def test_numbers_arrive_as_floats_and_read_as_whole_numbers() -> None:
    args = resource_args(job())
    assert args.props["resources"]["cu"] == 8.0
    assert isinstance(args.props["resources"]["cu"], float)
    assert violations(job(resources__cu=8.0, scaling__cuMax=16.0)) == {}
    (message,) = violations(job(resources__cu=8.5))["schema"]
    assert message.startswith(
        "[schema] resources.cu: 'resources.cu' must be a whole number, not 8.5"
    )


def test_unknown_values_in_preview_are_skipped() -> None:
    unknown = job(
        name=UNKNOWN_STRING_VALUE,
        scaling__cuMax=UNKNOWN_NUMBER_VALUE,
        checkpoint=UNKNOWN_OBJECT_VALUE,
        runtimeConfig={"flink.dli.job.cu.min": UNKNOWN_STRING_VALUE},
    )
    assert violations(unknown) == {}
    assert violations({**unknown, "flinkVersion": "1.10"}).keys() == {"scaling-flink-version"}


def test_every_value_unknown_is_no_violation() -> None:
    document = {key: UNKNOWN_STRING_VALUE for key in job() if key != "__provider"}
    assert violations(document) == {}


def test_provider_keys_are_part_of_the_document() -> None:
    """desiredState, timeouts and adopt are in the job schema: checked, not reported as unknown."""
    provider_keys = {"desiredState": "stopped", "timeouts": {"update": 45}, "adopt": True}
    assert violations({**job(), **provider_keys}) == {}
    (message,) = violations(job(desiredState="paused"))["schema"]
    assert message.startswith("[schema] desiredState: ") and "running, stopped" in message


def test_schema_problems_go_under_the_schema_policy() -> None:
    found = violations(job(retries=3, scaling__cuMax="16"))
    assert found.keys() == {"schema"}
    unknown_key, wrong_type = found["schema"]
    assert unknown_key.startswith("[schema] retries: unknown key 'retries': allowed: kind, name")
    assert wrong_type.startswith("[schema] scaling.cuMax: 'scaling.cuMax' must be a whole number")


def test_kind_comes_from_the_type_token() -> None:
    jar = job(sql=None, jar={"entrypoint": "obs://bucket/app.jar"})
    reported = run(POLICIES["schema"], resource_args(jar, resource_type=JAR_TYPE))
    assert reported == []
    reported = run(POLICIES["schema"], resource_args(jar))
    assert any("jar" in message for message in reported), reported


def test_a_kind_in_the_inputs_is_the_type_tokens() -> None:
    """dli_flink.deploy.resources puts `kind` in the inputs too; the type token decides."""
    assert violations({**job(), "kind": "FlinkSqlJob"}) == {}
    assert violations({**job(), "kind": "FlinkJarJob"}) == {}


def test_other_resources_are_not_checked() -> None:
    args = resource_args(
        {"bucket": "x", "acl": "public-read"}, resource_type="aws:s3/bucket:Bucket"
    )
    assert all(run(p, args) == [] for p in RESOURCE_POLICIES)


def test_scaling_interval_errors_and_warnings_are_two_policies() -> None:
    assert violations(job(scaling__intervalMinutes=0)).keys() == {"scaling-interval"}
    warned = violations(job(scaling__intervalMinutes=5))
    assert warned == {
        "scaling-interval-min-minutes": [
            "[scaling-interval] scaling.intervalMinutes: scaling interval of 5 minutes allows up "
            "to 288 restarts a day; use at least 10 (the default is 30)"
        ]
    }


def test_options_come_from_policy_config_as_floats() -> None:
    five = job(scaling__intervalMinutes=5)
    assert violations(five, {"scaling-interval-min-minutes": {"min-minutes": 3.0}}) == {}
    strict = {"scaling-flink-version": {"versions": ["1.12"], "min-version": "1.12"}}
    assert violations(job(), strict).keys() == {"scaling-flink-version"}
    known = {"runtime-config-unknown-key": {"known-keys": ["flink.dli.custom"]}}
    assert violations(job(runtimeConfig={"flink.dli.custom": "1"}), known) == {}


def test_unusable_config_is_one_line_not_a_crash() -> None:
    found = violations(job(), {"scaling-interval-min-minutes": {"min-minutes": "ten"}})
    assert found == {
        "scaling-interval-min-minutes": [
            "[scaling-interval-min-minutes] policy config: min-minutes must be a whole number, "
            "not 'ten'"
        ]
    }


def _stack(*documents: dict[str, Any], config: dict[str, Any] | None = None) -> StackValidationArgs:
    return stack_args([("pulumi-python:dynamic/dli:FlinkSqlJob", d) for d in documents], config)


def test_duplicate_names_are_reported_on_each_resource() -> None:
    reported: list[tuple[str, str | None]] = []
    args = _stack(job(), job(queue="other"), job(name="other-job"))
    POLICIES["job-name-unique"].validate(args, lambda m, urn=None: reported.append((m, urn)))
    message = (
        "[job-name] name: job name 'orders-enrich' is used by 2 job documents: names must be "
        "unique, rename all but one"
    )
    assert reported == [(message, "urn:job-0"), (message, "urn:job-1")]


def test_queue_capacity_uses_queues_from_config() -> None:
    jobs = (job(), job(name="second"))
    assert run(POLICIES["queue-capacity"], _stack(*jobs)) == []
    reported = run(
        POLICIES["queue-capacity"], _stack(*jobs, config={"queues": {"flink_q": {"cu": 24.0}}})
    )
    assert reported == [
        "[queue-capacity] scaling.cuMax: jobs on queue flink_q may grow to 32 CUs with this one, "
        "past its 24: a scaled job may fail to restore; lower cuMax or move jobs"
    ]
    bad = run(POLICIES["queue-capacity"], _stack(*jobs, config={"queues": {"flink_q": {"cu": 0}}}))
    assert bad == [
        "[queue-capacity] policy config: queues.flink_q needs its capacity as cu: N (N >= 1)"
    ]


def test_stack_policies_read_outputs_and_skip_unknowns() -> None:
    """Outputs carry the provider's own keys too; preview leaves some values unknown."""
    outputs = {**job(), "jobId": 1234.0, "status": "job_running"}
    unknown = job(name=UNKNOWN_STRING_VALUE, scaling__cuMax=UNKNOWN_NUMBER_VALUE)
    config = {"queues": {"flink_q": {"cu": 16}}}
    assert run(POLICIES["queue-capacity"], _stack(outputs, unknown, config=config)) == []
    assert run(POLICIES["job-name-unique"], _stack(outputs, unknown, unknown)) == []
    mixed = [
        ("aws:s3/bucket:Bucket", {"name": "orders-enrich"}),
        as_resource({**job(), "kind": "FlinkSqlJob"}),
    ]
    assert run(POLICIES["job-name-unique"], stack_args(mixed)) == []


def test_config_schema_declares_every_option_with_its_default() -> None:
    declared = {
        p.name: {key: value["default"] for key, value in p.config_schema.properties.items()}
        for p in POLICIES.values()
        if p.config_schema
    }
    assert declared == {
        "scaling-flink-version": {"min-version": "1.12", "versions": []},
        "scaling-interval-min-minutes": {"min-minutes": 10},
        "runtime-config-unknown-key": {"known-keys": []},
        "queue-capacity": {"queues": {}},
    }


def test_the_readme_policy_config_fits_the_config_schema() -> None:
    """The example in README's "Preview with the policy pack" is what the CLI would accept."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Preview with the policy pack", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
    levels = {"advisory", "mandatory", "remediate", "disabled"}
    for name, value in json.loads(block).items():
        target = POLICIES[name]
        if isinstance(value, str):
            assert value in levels
            continue
        properties = dict(target.config_schema.properties if target.config_schema else {})
        properties["enforcementLevel"] = {"enum": sorted(levels)}
        schema = {"type": "object", "properties": properties, "additionalProperties": False}
        assert list(Draft7Validator(schema).iter_errors(value)) == [], name
        rule = RULES[name.removesuffix("-min-minutes")]
        policy.rule_options(rule, value)  # raises PolicyConfigError if the pack could not use it
        policy.queue_capacities(value)


def _paths(document: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in document.items():
        found.append(prefix + key)
        if isinstance(value, dict):
            found += _paths(value, f"{prefix}{key}__")
    return found


ODD_VALUES = [
    None,
    [],
    {},
    "",
    "x",
    -1.5,
    0,
    1e12,
    True,
    ["a", 1],
    {"k": None},
    UNKNOWN_OBJECT_VALUE,
]


@pytest.mark.parametrize("path", [p for p in _paths(job()) if p != "__provider"])
def test_odd_values_anywhere_never_crash_a_policy(path: str) -> None:
    """Whatever a program passes, the pack answers with violations, never an exception."""
    for value in ODD_VALUES:
        document = job(**{path: value})  # None: the key left out
        violations(document)
        run(POLICIES["job-name-unique"], _stack(document, document))
        run(POLICIES["queue-capacity"], _stack(document, config={"queues": {"flink_q": {"cu": 4}}}))
