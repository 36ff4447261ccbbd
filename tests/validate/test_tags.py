"""DLI's tag rules in `dli-flink validate` (the schema's, from API reference dli_02_0396): a tag DLI's
tag API would refuse is an error at its line before anything is deployed."""

from __future__ import annotations

import json

import pytest

from tests.validate.jobs import VALID_SQL_JOB

MANY = "\n".join(f"  k{i}: v" for i in range(20))


@pytest.mark.parametrize(
    ("tags", "needle"),
    [
        ("tags:\n  _sys_project: x\n", "does not start with _sys_"),
        ("tags:\n  dli-flink-owner: x\n", "is not dli-flink-owner"),
        ('tags:\n  "team ": x\n', "start or end with a space"),
        ("tags:\n  team: a/b\n", "1 to 255 letters, digits, spaces"),
        (f"tags:\n{MANY}\n", "at most 19 tags"),
    ],
    ids=["system-key", "owner-key", "trailing-space", "slash-in-value", "twenty-tags"],
)
def test_a_tag_dli_would_refuse_is_an_error(cli, write, tags, needle) -> None:
    write("job.yaml", VALID_SQL_JOB + tags)
    run = cli("validate", "--format", "json", "job.yaml")
    assert run.code == 1
    findings = json.loads(run.out)["findings"]
    assert [f["rule"] for f in findings] == ["schema"]
    assert needle in findings[0]["message"]


def test_tags_dli_takes_pass(cli, write) -> None:
    write("job.yaml", VALID_SQL_JOB + 'tags:\n  team: data\n  "cost centre": "4 + 2 @eu_1.x"\n')
    assert cli("validate", "job.yaml").code == 0


def test_an_empty_tag_value_is_an_error(cli, write) -> None:
    """The tag API takes one, but the create body's Tag (SDK model: value 1 to 255 characters)
    does not, and tags are sent at create."""
    write("job.yaml", VALID_SQL_JOB + 'tags:\n  team: ""\n')
    run = cli("validate", "--format", "json", "job.yaml")
    assert run.code == 1
    assert "1 to 255" in json.loads(run.out)["findings"][0]["message"]
