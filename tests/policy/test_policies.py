"""The pack's policies called directly, with arguments built as a server builds them: each test
runs with the properties as pulumi_policy's server hands them over, and as the pack's own
(dli_flink.policy_server: the engine's Struct, `JobProps`).

Every rule in the pack is run both ways from its documented PASS and FAIL examples (the same
examples `dli-flink validate` is tested with), then the adaptations the pack makes are pinned down:
floats, unknowns in preview, the provider's own keys, each rule's level and options in config, and
the stack policies. The resource policies run as the server runs them: in the pack's order, one
after the other, for each resource.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dli_flink import policy
from dli_flink.rules import RULES, STACK_RULES
from jsonschema import Draft7Validator
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from tests.policy import wire
from tests.policy.wire import (
    JAR_TYPE,
    SQL_TYPE,
    as_resource,
    examples,
    job,
    resource_args,
    stack_args,
)

POLICIES = {p.name: p for p in policy.policies()}
RESOURCE_POLICIES = [p for p in POLICIES.values() if isinstance(p, ResourceValidationPolicy)]
MANDATORY, ADVISORY = policy.RULES_POLICY, policy.ADVISORY_POLICY
TESTED_RULES = [rule for rule in RULES.values() if rule.ID not in policy.NOT_IN_PACK]
"""Every rule the pack runs: the job rules and the schema in `dli-flink`, and the stack rules."""


@pytest.fixture(autouse=True, params=list(wire.PROPS))
def served_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs twice: with the properties as pulumi_policy's server hands them to a policy,
    and as the pack's own server does (the engine's Struct, read without building a mapping)."""
    monkeypatch.setattr(wire, "props", wire.PROPS[request.param])
    return request.param


def run(target: Policy, args: Any) -> list[str]:
    """The messages `target` reports for `args`."""
    reported: list[str] = []
    target.validate(args, lambda message, urn=None: reported.append(message))
    return reported


def reported(
    document: dict[str, Any],
    settings: dict[str, Any] | None = None,
    resource_type: str = SQL_TYPE,
) -> list[tuple[str, str]]:
    """(policy, message) of each violation of one job's inputs: the resource policies in order,
    `settings` as `dli-flink`'s config."""
    found = []
    for target in RESOURCE_POLICIES:
        config = settings if target.name == MANDATORY else None
        args = resource_args(document, config, resource_type)
        found += [(target.name, message) for message in run(target, args)]
    return found


def violations(document: dict[str, Any], settings: dict[str, Any] | None = None) -> dict:
    """Rule id -> (policy, message) of each violation of one FlinkSqlJob's inputs."""
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for name, message in reported(document, settings):
        by_rule.setdefault(message[1 : message.index("]")], []).append((name, message))
    return by_rule


def only(rule: ModuleType) -> dict[str, str]:
    """`dli-flink`'s config with every rule but `rule` off."""
    return {other.ID: "off" for other in policy.PACK_RULES if other is not rule}


def _run_example(rule: ModuleType, documents: list[dict[str, Any]]) -> list[str]:
    config = {}
    for block in examples(rule, "CONFIG"):
        config = block[0]
    resources = [as_resource(document) for document in documents]
    found = []
    if rule in policy.PACK_RULES:
        for kind, inputs in resources:
            found += [message for _, message in reported(inputs, only(rule), kind)]
    if rule in STACK_RULES:
        name = policy.STACK_PARTS.get(rule.ID, (rule.ID,))[0]
        found += run(POLICIES[name], stack_args(resources, config))
    return found


@pytest.mark.parametrize(
    ("rule", "documents"),
    [
        pytest.param(rule, documents, id=f"{rule.ID}-{i}")
        for rule in TESTED_RULES
        for i, documents in enumerate(examples(rule, "FAIL"))
    ],
)
def test_failing_example_is_a_violation_of_its_rule(
    rule: ModuleType, documents: list[dict[str, Any]]
) -> None:
    found = _run_example(rule, documents)
    assert found
    assert all(message.startswith(f"[{rule.ID}] ") for message in found), found


@pytest.mark.parametrize(
    ("rule", "documents"),
    [
        pytest.param(rule, documents, id=f"{rule.ID}-{i}")
        for rule in TESTED_RULES
        for i, documents in enumerate(examples(rule, "PASS"))
    ],
)
def test_passing_example_is_no_violation(rule: ModuleType, documents: list[dict[str, Any]]) -> None:
    assert _run_example(rule, documents) == []


def test_the_pack_is_two_resource_policies_and_the_stack_policies() -> None:
    """Not a policy per rule: the server converts a resource again for every policy it runs."""
    assert {name: p.enforcement_level for name, p in POLICIES.items()} == {
        "dli-flink": EnforcementLevel.MANDATORY,
        "dli-flink-advisory": EnforcementLevel.ADVISORY,
        "job-name-unique": EnforcementLevel.MANDATORY,
        "queue-capacity": EnforcementLevel.ADVISORY,
    }
    assert [p.name for p in RESOURCE_POLICIES] == ["dli-flink", "dli-flink-advisory"]
    stack = {p.name for p in POLICIES.values() if isinstance(p, StackValidationPolicy)}
    assert stack == {"job-name-unique", "queue-capacity"}
    assert len(STACK_RULES) == len(stack)
    settings = POLICIES[MANDATORY].config_schema.properties
    assert list(settings) == [rule.ID for rule in policy.PACK_RULES]
    assert {"schema", "scaling-interval", "job-name", "sql-file"} <= set(settings)
    assert not {"queue-capacity", "yaml-syntax", "suppression"} & set(settings)


def test_a_good_job_passes_every_policy() -> None:
    assert reported(job()) == []


def test_a_violation_names_rule_property_and_fix() -> None:
    assert reported(job(scaling__cuMax=6)) == [
        (
            "dli-flink",
            "[scaling-cu-max-below-cu] scaling.cuMax: scaling cuMax 6 is below the job's 8 CUs "
            "(resources.cu): raise it to at least 8 or remove it",
        )
    ]


def test_errors_are_mandatory_and_warnings_advisory_by_default() -> None:
    wrong = job(
        flinkVersion="1.10",
        scaling__cuMax=6,
        scaling__intervalMinutes=5,
        runtimeConfig={"flink.dli.job.scale.enabled": "true"},
    )
    assert {rule: [name for name, _ in found] for rule, found in violations(wrong).items()} == {
        "scaling-flink-version": [MANDATORY],
        "scaling-cu-max-below-cu": [MANDATORY],
        "scaling-interval": [ADVISORY],
        "runtime-config-unknown-key": [ADVISORY],
    }


def test_a_rule_with_two_severities_reports_at_two_levels() -> None:
    (error,) = violations(job(scaling__intervalMinutes=0))["scaling-interval"]
    assert error[0] == MANDATORY
    assert violations(job(scaling__intervalMinutes=5)) == {
        "scaling-interval": [
            (
                ADVISORY,
                "[scaling-interval] scaling.intervalMinutes: scaling interval of 5 minutes allows "
                "up to 288 restarts a day; use at least 10 (the default is 30)",
            )
        ]
    }


def test_each_rule_can_be_turned_off_or_given_a_level() -> None:
    wrong = job(scaling__cuMax=6, scaling__intervalMinutes=5, flinkVersion="1.10")
    settings = {
        "scaling-cu-max-below-cu": "advisory",
        "scaling-flink-version": "off",
        "scaling-interval": {"level": "mandatory"},
    }
    assert {
        rule: [name for name, _ in found] for rule, found in violations(wrong, settings).items()
    } == {
        "scaling-cu-max-below-cu": [ADVISORY],
        "scaling-interval": [MANDATORY],
    }
    inert = job(scaling__enabled=False)
    assert violations(inert).keys() == {"scaling-inert-keys"}
    assert violations(inert)["scaling-inert-keys"][0][0] == ADVISORY
    assert violations(inert, {"scaling-inert-keys": "mandatory"})["scaling-inert-keys"][0][0] == (
        MANDATORY
    )
    assert violations(inert, {"scaling-inert-keys": {"level": "off"}}) == {}
    assert violations(job(retries=3), {"schema": "advisory"})["schema"][0][0] == ADVISORY


def test_without_dli_flink_the_advisory_policy_reports_nothing() -> None:
    """The server skips a disabled policy: disabling `dli-flink` turns every job rule off, as its
    config holds their settings."""
    args = resource_args(job(scaling__intervalMinutes=5))
    assert run(POLICIES[ADVISORY], args) == []
    run(POLICIES[MANDATORY], resource_args(job(scaling__intervalMinutes=5)))
    assert run(POLICIES[ADVISORY], resource_args(job(scaling__intervalMinutes=6))) == []
    assert run(POLICIES[ADVISORY], args) == []  # what was left for a resource is taken once


def test_one_wrong_value_is_one_violation() -> None:
    """cu: -4 is only resources-range's: the rules relating cu to cuMin and cuMax see a rejected
    value as unknown, in the pack as in validate."""
    found = violations(job(resources__cu=-4.0, scaling__cuMax=None))
    assert list(found) == ["resources-range"], found


def test_numbers_arrive_as_floats_and_read_as_whole_numbers() -> None:
    on_the_wire = wire.struct(job())["resources"]["cu"]  # what either server reads
    assert on_the_wire == 8.0
    assert isinstance(on_the_wire, float)
    assert violations(job(resources__cu=8.0, scaling__cuMax=16.0)) == {}
    ((_, message),) = violations(job(resources__cu=8.5))["schema"]
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
    ((_, message),) = violations(job(desiredState="paused"))["schema"]
    assert message.startswith("[schema] desiredState: ") and "running, stopped" in message


def test_schema_problems_are_the_schema_rules_and_mandatory() -> None:
    found = violations(job(retries=3, scaling__cuMax="16"))
    assert found.keys() == {"schema"}
    (unknown_key, wrong_type) = found["schema"]
    assert unknown_key[0] == wrong_type[0] == MANDATORY
    assert unknown_key[1].startswith("[schema] retries: unknown key 'retries': allowed: kind, name")
    assert wrong_type[1].startswith(
        "[schema] scaling.cuMax: 'scaling.cuMax' must be a whole number"
    )


def test_kind_comes_from_the_type_token() -> None:
    jar = job(sql=None, jar={"entrypoint": "obs://bucket/app.jar"})
    assert reported(jar, resource_type=JAR_TYPE) == []
    schema = [message for _, message in reported(jar) if message.startswith("[schema]")]
    assert any("jar" in message for message in schema), schema


def test_a_kind_in_the_inputs_is_the_type_tokens() -> None:
    """dli_flink.deploy.resources puts `kind` in the inputs too; the type token decides."""
    assert violations({**job(), "kind": "FlinkSqlJob"}) == {}
    assert violations({**job(), "kind": "FlinkJarJob"}) == {}


def test_other_resources_are_not_checked() -> None:
    bucket = {"bucket": "x", "acl": "public-read"}
    assert reported(bucket, resource_type="aws:s3/bucket:Bucket") == []


def test_options_come_from_policy_config_as_floats() -> None:
    five = job(scaling__intervalMinutes=5)
    assert violations(five, {"scaling-interval": {"min-minutes": 3.0}}) == {}
    strict = {"scaling-flink-version": {"versions": ["1.12"], "min-version": "1.12"}}
    assert violations(job(), strict).keys() == {"scaling-flink-version"}
    known = {"runtime-config-unknown-key": {"known-keys": ["flink.dli.custom"]}}
    assert violations(job(runtimeConfig={"flink.dli.custom": "1"}), known) == {}
    fifteen = {"scaling-interval": {"min-minutes": 15.0}}
    ((level, _),) = violations(job(scaling__intervalMinutes=12), fifteen)["scaling-interval"]
    assert level == ADVISORY  # options alone leave the levels as they were
    ((level, _),) = violations(job(scaling__intervalMinutes=0), fifteen)["scaling-interval"]
    assert level == MANDATORY
    both = {"scaling-interval": {"level": "advisory", "min-minutes": 15.0}}
    ((level, _),) = violations(job(scaling__intervalMinutes=12), both)["scaling-interval"]
    assert level == ADVISORY
    # Under 1 minute DLI refuses the job: no level moves that (issue 10, item 8).
    ((level, _),) = violations(job(scaling__intervalMinutes=0), both)["scaling-interval"]
    assert level == MANDATORY


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"scaling-interval": {"min-minutes": "ten"}},
            "[scaling-interval] policy config: min-minutes must be a whole number, not 'ten'",
        ),
        (
            {"scaling-interval": {"minutes": 15}},
            "[scaling-interval] policy config: scaling-interval has no option 'minutes' (it has: "
            "level, min-minutes)",
        ),
        (
            {"scaling-interval": "disabled"},
            "[scaling-interval] policy config: level is 'disabled': use off, advisory, mandatory",
        ),
        (
            {"scaling-interval": False},
            "[scaling-interval] policy config: use off, advisory, mandatory or {level: ..., "
            "<option>: ...}",
        ),
        (
            {"scaling-intervall": "off"},
            "[dli-flink] policy config: unknown rule 'scaling-intervall': did you mean "
            "'scaling-interval'?",
        ),
        (
            {"queue-capacity": {"queues": {}}},
            "[dli-flink] policy config: queue-capacity is a policy of its own: configure it "
            "under queue-capacity",
        ),
        (
            {"suppression": "off"},
            "[dli-flink] policy config: suppression is not in the pack: dli-flink validate "
            "checks it",
        ),
    ],
)
def test_unusable_config_is_one_line_not_a_crash(settings: dict[str, Any], message: str) -> None:
    """The CLI checks config against the schema first; the pack says what it cannot use anyway,
    naming the rule, and the other rules still run."""
    wrong = job(scaling__cuMax=6, scaling__intervalMinutes=5)
    found = reported(wrong, settings)
    assert found[0] == (MANDATORY, message)
    still = [message.split("]")[0] for _, message in found[1:]]
    broken = "scaling-interval" in settings
    assert still == ["[scaling-cu-max-below-cu"] + ([] if broken else ["[scaling-interval"])


def _stack(*documents: dict[str, Any], config: dict[str, Any] | None = None) -> StackValidationArgs:
    return stack_args([("pulumi-python:dynamic/dli:FlinkSqlJob", d) for d in documents], config)


def test_duplicate_names_are_reported_on_each_resource() -> None:
    found: list[tuple[str, str | None]] = []
    args = _stack(job(), job(queue="other"), job(name="other-job"))
    POLICIES["job-name-unique"].validate(args, lambda m, urn=None: found.append((m, urn)))
    message = (
        "[job-name] name: job name 'orders-enrich' is used by 2 job documents: names must be "
        "unique, rename all but one"
    )
    assert found == [(message, "urn:job-0"), (message, "urn:job-1")]


def test_queue_capacity_uses_queues_from_config() -> None:
    jobs = (job(), job(name="second"))
    assert run(POLICIES["queue-capacity"], _stack(*jobs)) == []
    found = run(
        POLICIES["queue-capacity"], _stack(*jobs, config={"queues": {"flink_q": {"cu": 24.0}}})
    )
    assert found == [
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


LEVELS = ["advisory", "mandatory", "remediate", "disabled"]
"""A policy's own enforcement levels, as the CLI takes them."""


def _schema(name: str) -> dict[str, Any]:
    """A policy's config schema as the CLI checks config against it (pkg/resource/analyzer/
    config.go: the properties, as an object), refusing other keys as the pack does."""
    target = POLICIES[name]
    properties = dict(target.config_schema.properties if target.config_schema else {})
    return {"type": "object", "properties": properties, "additionalProperties": False}


def test_config_schema_declares_every_level_and_option_with_its_default() -> None:
    settings = POLICIES[MANDATORY].config_schema.properties
    level, options = settings["scaling-interval"]["anyOf"]
    assert level["enum"] == ["off", "advisory", "mandatory"]
    assert level["default"] == "mandatory"
    assert settings["scaling-inert-keys"]["anyOf"][0]["default"] == "advisory"
    assert (
        settings["scaling-interval"]["description"]
        == RULES["scaling-interval"].__doc__.split("\n")[0]
    )
    declared = {
        rule: {
            key: value["default"]
            for key, value in entry["anyOf"][1]["properties"].items()
            if key != "level"
        }
        for rule, entry in settings.items()
    }
    assert {rule: defaults for rule, defaults in declared.items() if defaults} == {
        "scaling-flink-version": {"min-version": "1.12", "versions": []},
        "agency-required": {"min-version": "1.15"},
        "resource-config-version": {
            "v1-versions": ["1.12", "1.13", "1.15"],
            "v2-versions": ["1.13", "1.15", "1.17"],
        },
        "dli-package-version": {"last-jar-version": "1.15", "last-udf-version": "1.13"},
        "scaling-interval": {"min-minutes": 10},
        "runtime-config-unknown-key": {"known-keys": []},
    }
    assert options["properties"]["min-minutes"]["minimum"] == 1
    stack = POLICIES["queue-capacity"].config_schema.properties
    assert {key: value["default"] for key, value in stack.items()} == {"queues": {}}
    assert POLICIES["job-name-unique"].config_schema is None


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"scaling-interval": "off"},
        {"scaling-interval": {"level": "advisory", "min-minutes": 15}},
        {"scaling-interval": {"min-minutes": 15.0}},
        {"scaling-flink-version": {"versions": ["1.15"]}, "schema": "advisory"},
        {"scaling-interval": {"min-minutes": 0}},
        {"scaling-interval": {"min-minutes": "ten"}},
        {"scaling-interval": "disabled"},
        {"scaling-interval": {"level": "remediate"}},
        {"scaling-interval": {"minutes": 15}},
        {"scaling-interval": ["off"]},
        {"scaling-intervall": "off"},
        {"runtime-config-unknown-key": {"known-keys": ["a", 1]}},
    ],
)
def test_the_config_schema_takes_what_the_pack_can_use(settings: dict[str, Any]) -> None:
    """The CLI refuses config the schema does not take before the pack starts; what it lets
    through, the pack uses; what the pack cannot use, the schema refuses."""
    schema_takes = not list(Draft7Validator(_schema(MANDATORY)).iter_errors(settings))
    assert schema_takes == (policy.rule_settings(settings).errors == ())


def test_the_readme_policy_config_fits_the_config_schema() -> None:
    """The example in README's "Preview with the policy pack" is what the CLI would accept and
    what the pack can use."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Preview with the policy pack", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
    for name, value in json.loads(block).items():
        if isinstance(value, str):
            assert value in LEVELS
            continue
        value = dict(value)
        assert value.pop("enforcementLevel", "advisory") in LEVELS
        assert list(Draft7Validator(_schema(name)).iter_errors(value)) == [], name
        if name == MANDATORY:
            assert policy.rule_settings(value).errors == ()
        else:
            policy.rule_options(RULES[name], value)  # raises PolicyConfigError if unusable
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


def test_a_flink_1_17_job_without_resource_config_v2_is_mandatory() -> None:
    """Flink 1.17 takes only resourceConfigVersion v2 (SDK models, API reference dli_02_0231); its
    options move which versions take which."""
    found = violations(job(flinkVersion="1.17"))
    assert [name for name, _ in found["resource-config-version"]] == [MANDATORY]
    assert "set resourceConfigVersion: v2" in found["resource-config-version"][0][1]
    v2 = job(flinkVersion="1.17", resourceConfigVersion="v2", resources=None)
    assert "resource-config-version" not in violations(v2)
    widened = {"resource-config-version": {"v1-versions": ["1.15", "1.17"]}}
    assert "resource-config-version" not in violations(job(flinkVersion="1.17"), widened)


def test_a_flink_1_15_job_that_checkpoints_without_an_agency_is_mandatory() -> None:
    """DLI's user guide: from Flink 1.15 no checkpoints, savepoints or saved logs without one."""
    found = violations(job(agency=None))
    assert [name for name, _ in found["agency-required"]] == [MANDATORY]
    assert "set agency:" in found["agency-required"][0][1]
    assert "agency-required" not in violations(
        job(agency=None, runtimeConfig={"flink.dli.job.agency.name": "dli_flink_agency"})
    )
