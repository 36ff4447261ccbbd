"""A scaling minimum below the smallest job DLI runs.

A DLI Flink job has at least 2 CUs (one for the job manager, one for a task manager), so
``flink.dli.job.cu.min`` below 2 cannot be honoured.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8}
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, cuMin: 2, cuMax: 16}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8}
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, cuMin: 1, cuMax: 16}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import DEFAULT_CU_MIN, JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-cu-min-floor"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    cu_min = spec.setting("cuMin")
    if spec.scaling_enabled is not True:
        return
    if isinstance(cu_min.value, int) and cu_min.value < DEFAULT_CU_MIN:
        yield Problem(
            ID,
            cu_min.path,
            f"scaling cuMin {shown(cu_min.value)} is below {DEFAULT_CU_MIN}, the smallest DLI job: "
            f"set it to {DEFAULT_CU_MIN} or more",
            rejects=True,
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set, written  # noqa: E402

FIX = f"raises cuMin to {DEFAULT_CU_MIN}"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """The smallest DLI job: a lower minimum is one DLI cannot scale down to anyway."""
    return [Set(problem.path, written(problem.path, DEFAULT_CU_MIN))]
