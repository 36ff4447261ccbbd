"""A ``sqlFile`` that cannot be read.

``sqlFile`` is read relative to the YAML file that names it: a regular UTF-8 file of at most 1 MiB.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
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
    sqlFile: no-such-file.sql
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, quoted
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "sql-file"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if isinstance(spec.sql_file, str) and spec.sql is None:
        yield Problem(
            ID,
            ("sqlFile",),
            f"cannot read sqlFile {quoted(spec.sql_file)} (a UTF-8 file under 1 MiB, relative to this "
            "YAML file): "
            "fix the path or inline the SQL as sql",
        )
