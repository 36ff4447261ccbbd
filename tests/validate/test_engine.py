"""The rule engine on its own, as the provider, the policy pack and review call it: no files."""

from __future__ import annotations

import yaml
from dli_flink.model.spec import UNKNOWN
from dli_flink.rules import engine
from dli_flink.rules.config import Config

from tests.validate.jobs import VALID_SQL_JOB


def _document(**changes: object) -> dict:
    return {**yaml.safe_load(VALID_SQL_JOB), **changes}


def test_parse_gives_no_spec_without_a_known_kind() -> None:
    spec, problems = engine.parse(_document(kind="FlinkPythonJob"))
    assert spec is None
    assert [p.rule for p in problems] == ["schema"]
    assert engine.parse(["not", "a", "job"])[0] is None


def test_parse_hands_rules_a_rejected_value_as_unknown() -> None:
    spec, problems = engine.parse(_document(resources={"cu": "eight"}))
    assert spec is not None and spec.resources.cu is UNKNOWN
    assert [p.path for p in problems] == [("resources", "cu")]


def test_check_runs_the_rules_the_configuration_leaves_on() -> None:
    spec, _ = engine.parse(_document(scaling={"enabled": True, "cuMax": 4}))
    assert spec is not None
    assert [p.rule for p in engine.check(spec, Config())] == ["scaling-cu-max-below-cu"]
    off = Config(severities={"scaling-cu-max-below-cu": None})
    assert engine.check(spec, off) == []


def test_check_stack_places_each_problem_on_its_job() -> None:
    parsed = [engine.parse(_document(name=name))[0] for name in ("twice", "twice", "once")]
    specs = [spec for spec in parsed if spec is not None]
    found = engine.check_stack(specs, Config())
    assert [(index, problem.rule) for index, problem in found] == [(0, "job-name"), (1, "job-name")]
    assert engine.check_stack(specs, Config(severities={"job-name": None})) == []


def test_restore_takes_a_policy_or_an_obs_directory_and_says_so_otherwise() -> None:
    for value in (
        "savepoint",
        "none",
        "previous-job",
        "obs://my-bucket/jobs/checkpoint/10001/chk-42/",
    ):
        assert engine.parse(_document(restore=value))[1] == [], value
    _, problems = engine.parse(_document(restore="newest"))
    assert [(p.path, p.message) for p in problems] == [
        (
            ("restore",),
            "restore must be savepoint, latest-checkpoint, none, previous-job, or the OBS directory of a "
            "checkpoint or savepoint (the one holding _metadata), such as "
            "obs://bucket/jobs/checkpoint/10001/chk-42/",
        )
    ]
