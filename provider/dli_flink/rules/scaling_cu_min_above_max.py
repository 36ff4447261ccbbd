"""A scaling range that is empty: the minimum above the maximum.

``flink.dli.job.cu.min`` must not exceed ``flink.dli.job.cu.max`` (which defaults to
``resources.cu``).

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
    scaling: {enabled: true, cuMin: 4, cuMax: 16}

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
    scaling: {enabled: true, cuMin: 20, cuMax: 16}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.accepted import accepted
from dli_flink.rules.base import Context, Option

ID = "scaling-cu-min-above-max"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    spec = accepted(spec)
    cu_min, cu_max = spec.setting("cuMin"), spec.setting("cuMax")
    if spec.scaling_enabled is not True:
        return
    low, high = cu_min.value, cu_max.value
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield Problem(
            ID,
            cu_min.path,
            f"scaling cuMin {shown(low)} is above cuMax {shown(high)}: the range is empty; "
            "make cuMin at most cuMax",
            anchor=cu_max.path,
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set, written  # noqa: E402

FIX = "lowers cuMin to cuMax"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """Lowering the minimum never lets the job spend more than the author allowed; raising cuMax
    could outgrow the queue."""
    return [Set(problem.path, written(problem.path, spec.setting("cuMax").value))]
