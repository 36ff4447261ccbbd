"""A scaling priority out of range, or set without scaling.

``flink.dli.job.priority`` orders which jobs get CUs first when DLI scales: 1 to 10, and it only
applies with scaling enabled.

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

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-priority"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    priority = spec.setting("priority")
    if not priority.explicit:
        return
    if spec.scaling_enabled is False:
        yield Problem(
            ID,
            priority.path,
            "priority applies only with scaling enabled: set scaling.enabled: true or remove it",
            on_key=True,
        )
    elif isinstance(priority.value, int) and not 1 <= priority.value <= 10:
        yield Problem(
            ID, priority.path, f"scaling priority {priority.value} is outside 1-10: use 1 to 10"
        )
