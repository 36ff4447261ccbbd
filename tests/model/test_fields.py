"""The field table: every schema property has a row, and a new row reaches every consumer.

A new DLI field must be one schema entry plus one row. These tests hold the table to the schema, and
add a row the product does not have to prove that the DLI body, the change planner, refresh's
observed document, the lifecycle's in-place fields and the typed args all follow from the row alone.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from dli_flink.deploy import args as typed_args
from dli_flink.deploy import export
from dli_flink.deploy.observed import observed_document
from dli_flink.model import fields
from dli_flink.model.fields import IN_PLACE, RESTART, SQL, Field, FieldTable
from dli_flink.model.planner import ChangeClass, plan, unclearable_removals
from dli_flink.model.schema import load_schema
from dli_flink.model.spec import UNKNOWN, JobSpec


def schema_paths(properties: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """The dotted path of every leaf property (a block's keys, not the block itself)."""
    for key, definition in properties.items():
        path = f"{prefix}{key}"
        if "properties" in definition:
            yield from schema_paths(definition["properties"], f"{path}.")
        else:
            yield path


def test_every_schema_property_has_a_row_and_every_row_a_property() -> None:
    in_schema = set(schema_paths(load_schema()["properties"]))
    in_table = {row.path for row in fields.ROWS}
    assert in_schema - in_table == set(), "schema properties without a row in model/fields.py"
    assert in_table - in_schema == set(), "rows without a schema property"


def test_rows_are_unique_and_name_their_wire_fields_once() -> None:
    paths = [row.path for row in fields.ROWS]
    wires = [row.wire for row in fields.ROWS if row.wire]
    assert len(paths) == len(set(paths))
    assert len(wires) == len(set(wires))


def test_the_in_place_fields_are_the_ones_dli_accepts_while_running() -> None:
    """shared/docs/dli-api.md: a running job takes only these; tags are sent at creation only."""
    assert fields.TABLE.hot_wire_fields == {
        "smn_topic",
        "restart_when_exception",
        "resume_checkpoint",
        "resume_max_num",
        "obs_bucket",
        "checkpoint_path",
    }


AGENCY = Field("agencyName", "agency_name", SQL, change=RESTART, reported="job_config.agency_name")
"""A field the product does not have, written as a new DLI field would be."""
ALERTS = Field("alertTopic", "alert_topic", change=IN_PLACE)

DOC = {
    "kind": "FlinkSqlJob",
    "name": "orders",
    "queue": "flink_q",
    "flinkVersion": "1.15",
    "sql": "INSERT INTO a SELECT * FROM b",
    "agencyName": "dli_admin_agency",
}


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> FieldTable:
    extended = FieldTable((*fields.ROWS, AGENCY, ALERTS))
    monkeypatch.setattr(fields, "TABLE", extended)
    return extended


def test_a_new_row_reaches_the_dli_body(table: FieldTable) -> None:
    spec = JobSpec.from_document(DOC)
    assert spec.agency_name == "dli_admin_agency"
    assert spec.to_dli_body()["agency_name"] == "dli_admin_agency"
    assert spec.to_dli_body(for_update=True)["agency_name"] == "dli_admin_agency"
    assert "agency_name" not in JobSpec.from_document({**DOC, "agencyName": None}).to_dli_body()


def test_a_new_row_reaches_the_planner(table: FieldTable) -> None:
    old = JobSpec.from_document(DOC)
    restart = plan(old, JobSpec.from_document({**DOC, "agencyName": "other"}))
    assert restart.change_class == ChangeClass.RESTART
    assert [(f.field, f.old, f.new) for f in restart.fields] == [
        ("agencyName", "dli_admin_agency", "other")
    ]
    in_place = plan(old, JobSpec.from_document({**DOC, "alertTopic": "pager"}))
    assert in_place.change_class == ChangeClass.IN_PLACE


def test_a_new_row_reaches_removals(table: FieldTable) -> None:
    """Removing a field DLI cannot clear is refused; one whose row clears is sent its clear value."""
    old = JobSpec.from_document(DOC)
    removed = JobSpec.from_document({**DOC, "agencyName": None})
    assert [f.field for f in unclearable_removals(old, removed)] == ["agencyName"]
    assert "agency_name" not in removed.to_dli_body(for_update=True)
    clearing = AGENCY._replace(dli_default="", clears=True)
    fields.TABLE = FieldTable((*fields.ROWS, clearing))
    assert unclearable_removals(old, removed) == ()
    assert removed.to_dli_body(for_update=True)["agency_name"] == ""
    assert "agency_name" not in removed.to_dli_body()


def test_a_new_row_reaches_the_lifecycle_in_place_fields(table: FieldTable) -> None:
    assert "alert_topic" in table.hot_wire_fields
    assert "agency_name" not in table.hot_wire_fields


def test_a_new_row_reaches_refresh(table: FieldTable) -> None:
    """A console edit of the new field shows as drift; DLI reporting the declared value does not."""
    job = {"name": "orders", "queue_name": "flink_q", "job_config": {"agency_name": "console"}}
    assert observed_document(DOC, job)["agencyName"] == "console"
    same = {**job, "job_config": {"agency_name": "dli_admin_agency"}}
    assert observed_document(DOC, same) == DOC


def test_a_new_row_reaches_the_typed_args(table: FieldTable) -> None:
    classes = typed_args.build(table)
    sql_args = classes["FlinkSqlJobArgs"](
        name="orders",
        queue="flink_q",
        flink_version="1.15",
        sql="INSERT INTO a SELECT * FROM b",
        agency_name="dli_admin_agency",
    )
    assert {"kind": "FlinkSqlJob", **typed_args.to_document(sql_args)} == DOC
    jar_attributes = {f.name for f in dataclasses.fields(classes["FlinkJarJobArgs"])}
    assert "agency_name" not in jar_attributes and "alert_topic" in jar_attributes


# -- The v2 resource config: a block nested two levels deep, sent and compared per version. --------

V2_DOC = {
    **{k: v for k, v in DOC.items() if k != "agencyName"},
    "flinkVersion": "1.17",
    "resourceConfigVersion": "v2",
    "resourceConfig": {
        "parallelism": 4,
        "slotsPerTaskManager": 2,
        "jobManager": {"cpu": 1, "memory": "4GB"},
        "taskManager": {"cpu": 2, "memory": "8GB"},
    },
}


def test_a_v2_job_sends_resource_config_nested_and_no_cu_fields() -> None:
    """API reference dli_02_0231: v2 takes no CU numbers, v1 ignores resource_config."""
    body = JobSpec.from_document(V2_DOC).to_dli_body()
    assert body["resource_config_version"] == "v2"
    assert body["resource_config"] == {
        "parallel_number": 4,
        "max_slot": 2,
        "jobmanager_resource_spec": {"cpu": 1, "memory": "4GB"},
        "taskmanager_resource_spec": {"cpu": 2, "memory": "8GB"},
    }
    assert not {"cu_number", "manager_cu_number", "parallel_number"} & set(body)
    v1 = JobSpec.from_document({**V2_DOC, "resourceConfigVersion": None}).to_dli_body()
    assert "resource_config" not in v1 and "resource_config_version" not in v1
    assert (v1["cu_number"], v1["parallel_number"]) == (2, 1)


def test_a_v2_update_clears_the_slots_and_parallelism_it_stops_writing() -> None:
    """max_slot and parallel_number default to 1 (dli_02_0231, Table 3): a removal sends 1."""
    config = {"taskManager": {"cpu": 2}}
    spec = JobSpec.from_document({**V2_DOC, "resourceConfig": config})
    assert spec.to_dli_body(for_update=True)["resource_config"] == {
        "parallel_number": 1,
        "max_slot": 1,
        "taskmanager_resource_spec": {"cpu": 2},
    }
    assert spec.to_dli_body()["resource_config"] == {"taskmanager_resource_spec": {"cpu": 2}}


def test_a_nested_field_is_classified_by_its_row() -> None:
    """A restart; and cuMax, which defaults to the job's CUs, follows the v2 size: 1 CU for the
    JobManager plus 2 TaskManagers (4 tasks, 2 slots each) of max(2 cores, 8 GB / 4) = 2 CUs, then
    of max(2, 16 / 4) = 4."""
    old = JobSpec.from_document(V2_DOC)
    resized = {**V2_DOC["resourceConfig"], "taskManager": {"cpu": 2, "memory": "16GB"}}
    change = plan(old, JobSpec.from_document({**V2_DOC, "resourceConfig": resized}))
    assert change.change_class == ChangeClass.RESTART
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("scaling.cuMax", 5, 9),
        ("resourceConfig.taskManager.memory", "8GB", "16GB"),
    ]


def test_removing_v2_or_a_v2_size_is_refused_going_back_to_v1_is_not() -> None:
    old = JobSpec.from_document(V2_DOC)
    unversioned = JobSpec.from_document({**V2_DOC, "resourceConfigVersion": None})
    assert [f.field for f in unclearable_removals(old, unversioned)] == ["resourceConfigVersion"]
    no_cpu = {**V2_DOC["resourceConfig"], "taskManager": {"memory": "8GB"}}
    smaller = JobSpec.from_document({**V2_DOC, "resourceConfig": no_cpu})
    assert [f.field for f in unclearable_removals(old, smaller)] == [
        "resourceConfig.taskManager.cpu"
    ]
    # jobManager cpu 1 is DLI's default (1.0 core): leaving it out is the same job.
    default_cpu = {**V2_DOC["resourceConfig"], "jobManager": {"memory": "4GB"}}
    assert (
        unclearable_removals(old, JobSpec.from_document({**V2_DOC, "resourceConfig": default_cpu}))
        == ()
    )
    back = {**V2_DOC, "flinkVersion": "1.15", "resourceConfigVersion": "v1"}
    back.pop("resourceConfig")
    assert unclearable_removals(old, JobSpec.from_document(back)) == ()


def test_refresh_reads_nested_fields_and_only_the_job_s_version() -> None:
    """A console edit of a v2 size is drift at its nested path; the v1 CU numbers DLI reports for a
    v2 job are not the job's configuration, so they are never drift."""
    reported = {
        "resource_config_version": "v2",
        "cu_number": 3,
        "parallel_number": 8,
        "resource_config": {
            "parallel_number": 4,
            "max_slot": 2,
            "jobmanager_resource_spec": {"cpu": 1.0, "memory": "4GB"},
            "taskmanager_resource_spec": {"cpu": 2.0, "memory": "8GB"},
        },
    }
    job = {"name": "orders", "queue_name": "flink_q", "job_config": reported}
    assert observed_document(V2_DOC, job) == V2_DOC
    edited = copy.deepcopy(job)
    edited["job_config"]["resource_config"]["taskmanager_resource_spec"]["cpu"] = 4.0
    assert observed_document(V2_DOC, edited)["resourceConfig"]["taskManager"] == {
        "cpu": 4.0,
        "memory": "8GB",
    }


def test_the_typed_args_nest_the_v2_blocks() -> None:
    args = typed_args.FlinkSqlJobArgs(
        name="orders",
        queue="flink_q",
        flink_version="1.17",
        sql="INSERT INTO a SELECT * FROM b",
        resource_config_version="v2",
        resource_config=typed_args.ResourceConfigArgs(
            parallelism=4,
            slots_per_task_manager=2,
            job_manager=typed_args.JobManagerArgs(cpu=1, memory="4GB"),
            task_manager=typed_args.TaskManagerArgs(cpu=2, memory="8GB"),
        ),
    )
    assert {"kind": "FlinkSqlJob", **typed_args.to_document(args)} == V2_DOC


def test_export_writes_a_v2_job_s_resource_config_and_not_its_cu_numbers() -> None:
    job = {
        "name": "orders",
        "job_type": "flink_opensource_sql_job",
        "queue_name": "flink_q",
        "run_mode": "exclusive_cluster",
        "sql_body": "INSERT INTO a SELECT * FROM b",
        "status": "job_running",
        "job_config": {
            "flink_version": "1.17",
            "resource_config_version": "v2",
            "cu_number": 3,
            "manager_cu_number": 1,
            "resource_config": {
                "parallel_number": 4,
                "max_slot": 1,
                "jobmanager_resource_spec": {"cpu": 1.0, "memory": "4GB"},
                "taskmanager_resource_spec": {"cpu": 2.0, "memory": "8GB"},
            },
        },
    }
    document = export.document(job)
    assert "resources" not in document
    assert document["resourceConfigVersion"] == "v2"
    assert document["resourceConfig"] == {
        "parallelism": 4,
        "jobManager": {"memory": "4GB"},
        "taskManager": {"cpu": 2.0, "memory": "8GB"},
    }


def test_a_job_whose_version_is_not_known_yet_has_no_size_to_compare() -> None:
    """In preview a version may come from another resource: no rule measures cuMax against the
    v1 CUs of a job that may turn out to be v2."""
    spec = JobSpec.from_document(
        {**V2_DOC, "resourceConfigVersion": UNKNOWN, "resources": {"cu": 8}}
    )
    assert spec.job_cu is UNKNOWN
    assert JobSpec.from_document({**V2_DOC, "resourceConfigVersion": "v1"}).job_cu == 2
    assert JobSpec.from_document(V2_DOC).job_cu == 5


def test_moving_to_v2_shows_the_cu_fields_going_not_changing_to_defaults() -> None:
    """A v1 job of 8 CUs made v2: its CU numbers are no longer sent, so the plan shows them gone,
    not as 8 -> 2."""
    v1 = {**V2_DOC, "flinkVersion": "1.15", "resources": {"cu": 8}}
    v1.pop("resourceConfigVersion")
    v1.pop("resourceConfig")
    change = plan(
        JobSpec.from_document(v1), JobSpec.from_document({**V2_DOC, "flinkVersion": "1.15"})
    )
    moved = {f.field: (f.old, f.new) for f in change.fields}
    assert moved["resources.cu"] == (8, None)
    assert moved["resourceConfigVersion"] == ("v1", "v2")
    assert moved["resourceConfig.taskManager.memory"] == (None, "8GB")
