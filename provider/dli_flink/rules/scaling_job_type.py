"""Dynamic scaling on a job type DLI does not scale.

DLI scales Flink OpenSource SQL jobs and Flink Jar jobs only: a SQL job with
``jobType: flink_sql_job`` (the older Flink SQL type) cannot use it.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    jobType: flink_opensource_sql_job
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
    jobType: flink_sql_job
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import OPENSOURCE_SQL, JobSpec, known
from dli_flink.rules.base import Context, Option

ID = "scaling-job-type"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    job_type = spec.job_type
    if spec.scaling_enabled is not True or not spec.is_sql or not known(job_type):
        return
    if job_type != OPENSOURCE_SQL:
        yield Problem(
            ID,
            ("jobType",),
            f"dynamic scaling applies to Flink OpenSource SQL and Jar jobs, not {job_type}: "
            f"use jobType: {OPENSOURCE_SQL} (a new job) or disable scaling",
        )
