"""A scaling priority out of range.

``flink.dli.job.priority`` orders which jobs get CUs first when DLI scales: 1 to 10. Set without
scaling it does nothing, like the other scaling keys: ``scaling-inert-keys`` says so.

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
    scaling: {enabled: true, priority: 5}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, priority: 11}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-priority"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    priority = spec.setting("priority")
    if priority.explicit and isinstance(priority.value, int) and not 1 <= priority.value <= 10:
        yield Problem(
            ID,
            priority.path,
            f"scaling priority {shown(priority.value)} is outside 1-10: use 1 to 10",
            rejects=True,
        )
