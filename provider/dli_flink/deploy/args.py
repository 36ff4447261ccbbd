"""Typed arguments with snake_case attributes: a second way to write a job, for editors and type
checkers, converging on the very same job document (camelCase keys) as the YAML.

    FlinkSqlJob("orders", FlinkSqlJobArgs(name="orders", queue="flink_q", flink_version="1.15",
                sql="...", scaling=ScalingArgs(enabled=True, cu_max=16)))

The classes are built from the field table (`model/fields.py`), so a new document field is an
attribute here without another line: one class per block (`ResourcesArgs`, `JarArgs`, ...) and one
per job kind, whose attributes are the rows the kind may hold. Any value may be a Pulumi Input.
Unset (None) attributes are left out of the document, so the schema's defaults apply exactly as for a
YAML file that does not write them. `TimeoutsArgs` are in minutes.
"""

from __future__ import annotations

from dataclasses import MISSING, field, fields, is_dataclass, make_dataclass
from typing import Any

from dli_flink.model import fields as table_fields
from dli_flink.model.fields import JAR_KIND, SQL_KIND, FieldTable
from dli_flink.model.spec import camel

KIND_CLASSES = {SQL_KIND: "FlinkSqlJobArgs", JAR_KIND: "FlinkJarJobArgs"}


def snake(key: str) -> str:
    """A document key as its attribute: flinkVersion -> flink_version."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def build(table: FieldTable) -> dict[str, type]:
    """Every args class of `table`, by name: a class per block (a nested block is an attribute of
    its parent's class: `ResourceConfigArgs(job_manager=JobManagerArgs(cpu=1))`), then one per
    job kind."""
    classes: dict[str, type] = {}
    for block in sorted(table.blocks):
        attributes = _attributes(table, block, None)
        classes[_class_name(block)] = _dataclass(_class_name(block), attributes)
    for kind, name in KIND_CLASSES.items():
        classes[name] = _dataclass(name, _attributes(table, None, kind))
    return classes


def _attributes(table: FieldTable, block: str | None, kind: str | None) -> list[tuple[str, bool]]:
    """The attributes of `block`'s class (None: a job kind's): its own rows, then one attribute per
    block inside it, in table order; for a kind, only what that kind may hold."""
    found: dict[str, bool] = {}
    prefix = f"{block}." if block else ""
    for row in table.rows:
        if not row.path.startswith(prefix) or row.path == "kind":
            continue
        if kind is not None and kind not in row.kinds:
            continue
        head = row.path[len(prefix) :].split(".", 1)[0]
        attribute = snake(head)
        found[attribute] = found.get(attribute, False) or row.required
    return list(found.items())


def _class_name(block: str) -> str:
    """A block's class: its last key, "resourceConfig.jobManager" -> JobManagerArgs."""
    key = block.rpartition(".")[2]
    return key[0].upper() + key[1:] + "Args"


def _dataclass(name: str, attributes: list[tuple[str, bool]]) -> type:
    """A keyword-only dataclass; required attributes have no default."""
    specs = [
        (attribute, Any, field(default=MISSING if required else None))
        for attribute, required in attributes
    ]
    made = make_dataclass(name, specs, kw_only=True)
    made.__module__ = __name__
    return made


_CLASSES = build(table_fields.TABLE)
ResourcesArgs = _CLASSES["ResourcesArgs"]
CheckpointArgs = _CLASSES["CheckpointArgs"]
ScalingArgs = _CLASSES["ScalingArgs"]
JarArgs = _CLASSES["JarArgs"]
ResourceConfigArgs = _CLASSES["ResourceConfigArgs"]
JobManagerArgs = _CLASSES["JobManagerArgs"]
TaskManagerArgs = _CLASSES["TaskManagerArgs"]
TimeoutsArgs = _CLASSES["TimeoutsArgs"]
FlinkSqlJobArgs = _CLASSES["FlinkSqlJobArgs"]
FlinkJarJobArgs = _CLASSES["FlinkJarJobArgs"]


def to_document(args: Any) -> dict[str, Any]:
    """The job document of typed args: camelCase keys, None left out, user maps kept verbatim."""
    document: dict[str, Any] = {}
    for attribute in fields(args):
        value = getattr(args, attribute.name)
        if value is None:
            continue
        document[camel(attribute.name)] = to_document(value) if is_dataclass(value) else value
    return document
