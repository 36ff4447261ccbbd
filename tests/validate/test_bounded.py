"""Output stays bounded by what a person reads, whatever a job file holds (issue 10, item 7).

Messages quote offending values; a 100,000-character value once made a 100,000-character finding,
and aliases repeated it: a 103 KB file printed 100 MB. Every quoted value is cut to a few dozen
characters, with an ellipsis and its full length, so the user still sees what and how long it is.
"""

from __future__ import annotations

import json
import textwrap
from importlib.resources import files
from pathlib import Path

import pytest
from dli_flink.cli.validate import validate
from dli_flink.model.findings import QUOTE_LIMIT
from dli_flink.rules.config import Config

LONG = "x" * 100_000
DIGITS = "9" * 4000
ALLOWED_KEYS = ", ".join(
    json.loads(
        files("dli_flink.schemas").joinpath("flink-job.schema.json").read_text(encoding="utf-8")
    )["properties"]
)
MAX_MESSAGE = 100 + QUOTE_LIMIT + len(ALLOWED_KEYS)
"""Longer than any message with its fixed text and one cut value: the schema's list of allowed keys,
which every new schema key makes longer, is the longest."""

JOB = """\
kind: FlinkSqlJob
name: orders-enrich
queue: flink_q
flinkVersion: "1.15"
sql: INSERT INTO sink SELECT * FROM src
"""
SCALING = "checkpoint: {enabled: true}\nobsBucket: b\nlogEnabled: true\nscaling: {enabled: true}\n"

CASES = {
    "enum": (JOB + f"jobType: {LONG}\n", "(100,000 characters)"),
    "type": (JOB + f"resources: {{cu: {LONG}}}\n", "(100,000 characters)"),
    "unknown-key": (JOB + f"? {LONG}\n: 1\n", "(100,000 characters)"),
    "key-in-path": (JOB + f"resources: {{? {LONG} : 1}}\n", "(100,010 characters)"),
    "package-name": (
        JOB.replace("FlinkSqlJob", "FlinkJarJob").replace(
            "sql: INSERT INTO sink SELECT * FROM src\n", ""
        )
        + f"jar: {{entrypoint: obs://b/a.jar, dependencyJars: [{LONG}]}}\n",
        "(100,000 characters)",
    ),
    "runtime-key": (JOB + f'runtimeConfig: {{? flink.dli.{LONG} : "1"}}\n', "(100,010 characters)"),
    "runtime-value": (
        JOB + f'runtimeConfig: {{flink.dli.job.cu.max: "{LONG}"}}\n',
        "(100,000 characters)",
    ),
    "runtime-conflict": (
        JOB
        + "scaling: {cuMax: 16}\n"
        + f'runtimeConfig: {{flink.dli.job.cu.max: "{"0" * 5000}17"}}\n',
        "(5,002 characters)",
    ),
    "sql-file": (JOB.replace("sql: INSERT", f"sqlFile: {LONG}\n#"), "(100,000 characters)"),
    "duplicate-name": (
        JOB.replace("orders-enrich", LONG) + "---\n" + JOB.replace("orders-enrich", LONG),
        "(100,000 characters)",
    ),
    "name-characters": (
        JOB.replace("orders-enrich", "".join(map(chr, range(0x4E00, 0x4E00 + 5000)))),
        "and 4,992 more",
    ),
    "flink-version": (JOB.replace('"1.15"', f'"1.0{"0" * 5000}"') + SCALING, "(5,003 characters)"),
    "cu": (JOB + f"resources: {{cu: {DIGITS}}}\n", "(4,000 digits)"),
    "manager-cu": (JOB + f"resources: {{cu: 8, managerCu: {DIGITS}}}\n", "(4,000 digits)"),
    "cu-min": (
        JOB + SCALING.replace("enabled: true}", f"enabled: true, cuMin: {DIGITS}}}"),
        "(4,000 digits)",
    ),
    "cu-max": (
        JOB + SCALING.replace("enabled: true}", f"enabled: true, cuMax: -{DIGITS}}}"),
        "(4,000 digits)",
    ),
    "priority": (
        JOB + SCALING.replace("enabled: true}", f"enabled: true, priority: {DIGITS}}}"),
        "(4,000 digits)",
    ),
    "duplicate-key": (JOB + f"tags: {{? {LONG} : a, ? {LONG} : b}}\n", "(100,000 characters)"),
    "tagged-value": (JOB + f"resumeMaxTimes: !!int {LONG}\n", "(100,000 characters)"),
    "unknown-tag": (JOB + f"smnTopic: !{LONG} x\n", "(100,001 characters)"),
}


@pytest.mark.parametrize(("text", "length"), CASES.values(), ids=CASES.keys())
def test_every_quoted_value_is_cut_with_its_length(tmp_path: Path, text: str, length: str) -> None:
    """Each place a message quotes a value: every finding stays short, and the value shows cut,
    with its length ("(100,000 characters)"), or counted ("and 4,992 more")."""
    path = tmp_path / "job.yaml"
    path.write_text(text, encoding="utf-8")
    config = Config(queues={"flink_q": 64})
    findings = validate([path], config).findings
    assert findings
    for finding in findings:
        assert len(finding.message) <= MAX_MESSAGE, textwrap.shorten(finding.message, 300)
    assert any(length in f.message for f in findings), [
        textwrap.shorten(f.message, 300) for f in findings
    ]
