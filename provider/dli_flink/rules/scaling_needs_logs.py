"""Dynamic scaling without saved job logs.

DLI's scaling guide requires the job to save its logs to OBS (``logEnabled: true``).

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: false
    scaling: {enabled: true}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-needs-logs"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if spec.scaling_enabled is True and spec.log_enabled is False:
        yield Problem(
            ID,
            ("logEnabled",),
            "dynamic scaling needs the job's logs saved to OBS: set logEnabled: true",
            anchor=spec.setting("enabled").path,
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set  # noqa: E402

FIX = "sets logEnabled: true"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """A scaling job has one right value here; the logs go to the job's obsBucket."""
    return [Set(("logEnabled",), True)]
