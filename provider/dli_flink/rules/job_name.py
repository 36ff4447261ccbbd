"""A job name DLI refuses, or one used twice.

DLI job names are at most 57 characters of letters, digits, ``-`` and ``_``, and unique: two job
documents with the same name would fight over one DLI job.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src

FAIL::

    kind: FlinkSqlJob
    name: orders enrich!
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    ---
    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO other SELECT * FROM src
"""

import re
from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, quoted
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "job-name"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()
MAX_LENGTH = 57
_ALLOWED = re.compile(r"[A-Za-z0-9_-]+")
_SHOWN = 8
"""Characters a message lists of those DLI refuses in a name; the rest are counted."""


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    name = spec.name
    if not isinstance(name, str):
        return
    if len(name) > MAX_LENGTH:
        yield Problem(
            ID, ("name",), f"name is {len(name)} characters; DLI allows at most {MAX_LENGTH}"
        )
    if not _ALLOWED.fullmatch(name):
        bad = sorted({c for c in name if not _ALLOWED.fullmatch(c)})
        shown = ", ".join(repr(c) for c in bad[:_SHOWN])
        more = f" and {len(bad) - _SHOWN:,} more" if len(bad) > _SHOWN else ""
        yield Problem(
            ID, ("name",), f"name has {shown}{more}: use letters, digits, '-' and '_' only"
        )


def check_jobs(specs: list[JobSpec], context: Context) -> Iterator[tuple[int, Problem]]:
    """Every document of a name used more than once, so each place shows in the report."""
    by_name: dict[str, list[int]] = {}
    for index, spec in enumerate(specs):
        if isinstance(spec.name, str):
            by_name.setdefault(spec.name, []).append(index)
    for name, indexes in by_name.items():
        if len(indexes) > 1:
            for index in indexes:
                yield (
                    index,
                    Problem(
                        ID,
                        ("name",),
                        f"job name {quoted(name)} is used by {len(indexes)} job documents: "
                        "names must be unique, rename all but one",
                    ),
                )
