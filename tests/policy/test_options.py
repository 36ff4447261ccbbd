"""Rule options are declared once, on the rule: `.dli-flink.yaml` and the policy pack follow it.

An option added to a rule must need nothing else: the configuration file accepts and checks it, the
pack's config schema declares it with its default, and the pack checks and passes it on the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dli_flink import policy
from dli_flink.model.findings import Problem
from dli_flink.rules import RULES, queue_capacity, scaling_cu_max_below_cu
from dli_flink.rules import config as configuration
from dli_flink.rules.base import Context, Option

from tests.policy.wire import job, resource_args

NEW = Option("max-restarts", 48, "Warn above this many restarts a day.", "integer", minimum=1)


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> list[Context]:
    """NEW declared on a job rule and a stack rule; the contexts the job rule is checked with."""
    seen: list[Context] = []

    def check(spec: Any, context: Context) -> Iterator[Problem]:
        seen.append(context)
        return iter(())

    for rule in (scaling_cu_max_below_cu, queue_capacity):
        monkeypatch.setattr(rule, "OPTIONS", (NEW,))
    monkeypatch.setattr(scaling_cu_max_below_cu, "check", check)
    monkeypatch.setattr(policy, "_SETTINGS", {})  # settings read before the rule declared NEW
    return seen


def option_schema(rule: ModuleType, name: str) -> dict[str, Any]:
    """An option's entry in the pack's config schema: in `dli-flink`'s entry for a job rule, in
    its own policy's for a stack rule."""
    schemas = {p.name: p.config_schema for p in policy.policies()}
    if rule in policy.PACK_RULES:
        entry = schemas[policy.RULES_POLICY].properties[rule.ID]
        return entry["anyOf"][1]["properties"][name]
    return schemas[rule.ID].properties[name]


@pytest.mark.parametrize("rule", [scaling_cu_max_below_cu, queue_capacity], ids=lambda r: r.ID)
def test_a_new_option_reaches_the_config_checker_and_the_policy_schema(
    declared: list[Context], rule: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / ".dli-flink.yaml"
    path.write_text(f"rules:\n  {rule.ID}: {{max-restarts: 12}}\n", encoding="utf-8")
    assert configuration.load(path).contexts[rule.ID].options == {"max-restarts": 12}
    assert configuration.Config().contexts[rule.ID].options == {"max-restarts": 48}
    path.write_text(f"rules:\n  {rule.ID}: {{max-restarts: many}}\n", encoding="utf-8")
    with pytest.raises(configuration.ConfigError) as error:
        configuration.load(path)
    assert str(error.value).endswith(
        f":2:{len(rule.ID) + 6}: option max-restarts of {rule.ID} must be a whole number, "
        "not 'many'"
    )

    assert option_schema(rule, "max-restarts") == {
        "type": "integer",
        "minimum": 1,
        "description": "Warn above this many restarts a day.",
        "default": 48,
    }
    assert policy.rule_options(rule, {"max-restarts": 12.0}) == {"max-restarts": 12}
    with pytest.raises(policy.PolicyConfigError, match="max-restarts must be at least 1, not 0"):
        policy.rule_options(rule, {"max-restarts": 0.0})


def test_the_pack_hands_a_new_option_from_policy_config_to_the_rule(
    declared: list[Context],
) -> None:
    target = {p.name: p for p in policy.policies()}[policy.RULES_POLICY]
    config = {scaling_cu_max_below_cu.ID: {"max-restarts": 12.0}}
    target.validate(resource_args(job(), config), lambda *_: None)
    target.validate(resource_args(job()), lambda *_: None)
    assert [context.options for context in declared] == [
        {"max-restarts": 12},
        {"max-restarts": 48},
    ]


def test_every_default_is_a_value_its_option_takes() -> None:
    for rule in RULES.values():
        for option in rule.OPTIONS:
            assert option.check(option.default) == option.default, (rule.ID, option.name)


def test_the_pack_refuses_version_options_that_are_not_versions() -> None:
    """Policy config is JSON, where 1.20 is the number 1.2 too: the same check, the same fix."""
    rule = RULES["scaling-flink-version"]
    with pytest.raises(policy.PolicyConfigError, match=r"not \[1\.15, 1\.2\]: quote each one"):
        policy.rule_options(rule, {"versions": [1.15, 1.2]})
    with pytest.raises(
        policy.PolicyConfigError, match="min-version must be a quoted Flink version"
    ):
        policy.rule_options(rule, {"min-version": "abc"})
    pack = {p.name: p.config_schema for p in policy.policies()}[policy.RULES_POLICY]
    assert pack is not None
    _, settings = pack.properties[rule.ID]["anyOf"]
    assert settings["properties"]["versions"]["items"]["pattern"].startswith("^[0-9]+")
