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
    """Every args class of `table`, by name: a class per block, then one per job kind."""
    classes: dict[str, type] = {}
    for group, rows in table.groups.items():
        if group is not None:
            attributes = [(snake(row.key), row.required) for row in rows]
            classes[_class_name(group)] = _dataclass(_class_name(group), attributes)
    for kind, name in KIND_CLASSES.items():
        attributes = []
        for group, rows in table.groups.items():
            mine = [row for row in rows if kind in row.kinds and row.path != "kind"]
            if group is None:
                attributes.extend((snake(row.key), row.required) for row in mine)
            elif mine:
                attributes.append((snake(group), any(row.required for row in mine)))
        classes[name] = _dataclass(name, attributes)
    return classes


def _class_name(group: str) -> str:
    return group[0].upper() + group[1:] + "Args"


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
