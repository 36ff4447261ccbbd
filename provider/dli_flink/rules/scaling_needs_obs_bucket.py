"""Dynamic scaling without an OBS bucket.

Scaling writes a savepoint to OBS each time it resizes the job, so it needs ``obsBucket``.

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
    logEnabled: true
    scaling: {enabled: true}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-needs-obs-bucket"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if spec.scaling_enabled is True and spec.obs_bucket is None:
        yield Problem(
            ID,
            ("obsBucket",),
            "dynamic scaling writes savepoints to OBS: set obsBucket",
            anchor=spec.setting("enabled").path,
        )
