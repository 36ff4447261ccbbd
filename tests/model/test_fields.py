"""The field table: every schema property has a row, and a new row reaches every consumer.

A new DLI field must be one schema entry plus one row. These tests hold the table to the schema, and
add a row the product does not have to prove that the DLI body, the change planner, refresh's
observed document, the lifecycle's in-place fields and the typed args all follow from the row alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from dli_flink.deploy import args as typed_args
from dli_flink.deploy.observed import observed_document
from dli_flink.model import fields
from dli_flink.model.fields import IN_PLACE, RESTART, SQL, Field, FieldTable
from dli_flink.model.planner import ChangeClass, plan, unclearable_removals
from dli_flink.model.schema import load_schema
from dli_flink.model.spec import JobSpec


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
    clearing = dataclasses.replace(AGENCY, dli_default="", clears=True)
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
