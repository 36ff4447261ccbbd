"""The change planner: each kind of edit gets the class DLI's rules give it."""

from __future__ import annotations

import pytest
from dli_flink.model.planner import ChangeClass, describe, plan
from dli_flink.model.spec import UNKNOWN, JobSpec

DOC = {
    "kind": "FlinkSqlJob",
    "name": "orders-enrich",
    "queue": "flink_q",
    "flinkVersion": "1.15",
    "sql": "INSERT INTO x SELECT 1",
    "resources": {"cu": 8},
    "checkpoint": {"enabled": True},
    "obsBucket": "bucket",
    "logEnabled": True,
    "smnTopic": "alerts",
    "scaling": {"enabled": True, "cuMax": 16},
    "runtimeConfig": {"table.exec.state.ttl": "1h"},
    "tags": {"team": "data"},
}


def _plan(**changes):
    new = {**DOC}
    for key, value in changes.items():
        section, _, inner = key.partition("__")
        new[section] = {**DOC.get(section, {}), inner: value} if inner else value
    return plan(JobSpec.from_document(DOC), JobSpec.from_document(new))


def test_no_change() -> None:
    assert _plan().change_class == ChangeClass.NONE
    assert _plan().fields == ()


@pytest.mark.parametrize(
    ("edit", "field", "expected"),
    [
        ({"scaling__cuMax": 32}, "scaling.cuMax", ChangeClass.RESTART),
        ({"scaling__enabled": False}, "scaling.enabled", ChangeClass.RESTART),
        ({"scaling__intervalMinutes": 60}, "scaling.intervalMinutes", ChangeClass.RESTART),
        ({"resources__cu": 10}, "resources.cu", ChangeClass.RESTART),
        ({"sql": "INSERT INTO y SELECT 2"}, "sql", ChangeClass.RESTART),
        (
            {"runtimeConfig": {"table.exec.state.ttl": "2h"}},
            "runtimeConfig.table.exec.state.ttl",
            ChangeClass.RESTART,
        ),
        ({"smnTopic": "pager"}, "smnTopic", ChangeClass.IN_PLACE),
        ({"obsBucket": "other"}, "obsBucket", ChangeClass.IN_PLACE),
        # Neither update body takes tags: DLI's tag API sets them on the running job.
        ({"tags": {"team": "ml"}}, "tags.team", ChangeClass.IN_PLACE),
        ({"jobType": "flink_sql_job"}, "jobType", ChangeClass.REPLACE),
    ],
)
def test_field_classes(edit, field, expected) -> None:
    change = _plan(**edit)
    assert change.change_class == expected
    assert [f.field for f in change.fields] == [field]


def test_cu_change_moves_the_default_cu_max_too() -> None:
    """cuMax defaults to cu: raising cu without cuMax raises DLI's scaling ceiling as well."""
    old = JobSpec.from_document({**DOC, "scaling": {"enabled": True}})
    new = JobSpec.from_document({**DOC, "scaling": {"enabled": True}, "resources": {"cu": 12}})
    assert [(f.field, f.old, f.new) for f in plan(old, new).fields] == [
        ("scaling.cuMax", 8, 12),
        ("resources.cu", 8, 12),
    ]


def test_moving_a_scaling_key_from_runtime_config_to_the_block_is_no_change() -> None:
    old = JobSpec.from_document(
        {**DOC, "scaling": {"enabled": True}, "runtimeConfig": {"flink.dli.job.cu.max": "16"}}
    )
    new = JobSpec.from_document({**DOC, "runtimeConfig": {}})
    assert plan(old, new).fields == ()


def test_the_riskiest_field_decides_and_scaling_reads_first() -> None:
    change = _plan(smnTopic="pager", scaling__cuMax=32)
    assert change.change_class == ChangeClass.RESTART
    assert list(describe(change)) == [
        "scaling.cuMax: 16 -> 32 (restart with savepoint)",
        "smnTopic: alerts -> pager (in place)",
    ]


def test_unknown_new_value_counts_as_a_change() -> None:
    change = _plan(resources__cu=UNKNOWN)
    assert change.change_class == ChangeClass.RESTART
    assert "(known after apply)" in next(describe(change))
