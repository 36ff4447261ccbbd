"""A scaling maximum below the job's own CUs.

``flink.dli.job.cu.max`` may not be smaller than the CUs the job is configured with
(``resources.cu``); leave it unset to default to them.

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
    scaling: {enabled: true, cuMax: 16}

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
    scaling: {enabled: true, cuMax: 4}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.accepted import accepted
from dli_flink.rules.base import Context, Option

ID = "scaling-cu-max-below-cu"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    spec = accepted(spec)
    cu_max, cu = spec.setting("cuMax"), spec.resources.cu
    if spec.scaling_enabled is not True or not cu_max.explicit:
        return
    if isinstance(cu_max.value, int) and isinstance(cu, int) and cu_max.value < cu:
        yield Problem(
            ID,
            cu_max.path,
            f"scaling cuMax {shown(cu_max.value)} is below the job's {cu} CUs (resources.cu): "
            f"raise it to at least {cu} or remove it",
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set, written  # noqa: E402

FIX = "raises cuMax to the job's CUs (resources.cu)"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """The smallest maximum DLI accepts, where the key is written (block or runtimeConfig)."""
    return [Set(problem.path, written(problem.path, spec.resources.cu))]
