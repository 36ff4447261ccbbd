"""Every field of DLI's create and update bodies (SQL and Jar, as the official SDK's models declare
them, nested models included) is a row's wire name sent in that body, or declared left out in
`fields.LEFT_OUT`, which is also the README's "deliberately left out" table (issue 15, "Done
when")."""

from __future__ import annotations

from pathlib import Path

import huaweicloudsdkdli.v1.model as sdk
import pytest
from dli_flink.model import fields
from dli_flink.model.fields import JAR_KIND, SQL_KIND

README = Path(__file__).parents[2] / "README.md"
BODIES = {
    fields.SQL_CREATE: ("CreateFlinkSqlJobRequestBody", SQL_KIND, False),
    fields.SQL_UPDATE: ("UpdateFlinkSqlJobRequestBody", SQL_KIND, True),
    fields.JAR_CREATE: ("CreateFlinkJarJobRequestBody", JAR_KIND, False),
    fields.JAR_UPDATE: ("UpdateFlinkJarJobRequestBody", JAR_KIND, True),
}


def wire_fields(model: type, prefix: str = "") -> set[str]:
    """The body's fields by their dotted wire name: a nested model's (ResourceConfig, ResourceSpec)
    are its fields under its name; a list of models (tags: list[Tag]) is one field."""
    found = set()
    for name, kind in model.openapi_types.items():
        nested = getattr(sdk, kind, None) if kind[:1].isupper() else None
        found |= wire_fields(nested, f"{prefix}{name}.") if nested else {prefix + name}
    return found


def left_out(body: str) -> set[str]:
    return {wire for entry in fields.LEFT_OUT if body in entry.bodies for wire in entry.wires}


@pytest.mark.parametrize("body", sorted(BODIES))
def test_every_body_field_is_a_row_or_declared_left_out(body: str) -> None:
    model, kind, for_update = BODIES[body]
    in_body = wire_fields(getattr(sdk, model))
    sent = {row.wire for row in fields.TABLE.rows if row.sent(kind, for_update=for_update)}
    assert in_body - sent - left_out(body) == set(), (
        f"{body}: fields neither a row's wire name (model/fields.py) nor in fields.LEFT_OUT"
    )
    assert left_out(body) <= in_body, f"{body}: LEFT_OUT names fields the body does not have"
    assert left_out(body) & sent == set(), f"{body}: LEFT_OUT names fields a row sends"


def test_the_readme_table_is_the_declared_list() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("| field | why it is left out |")
    table = text[start:].split("\n\n", 1)[0].splitlines()[2:]
    assert table == [f"| {entry.label} | {entry.why} |" for entry in fields.LEFT_OUT]
