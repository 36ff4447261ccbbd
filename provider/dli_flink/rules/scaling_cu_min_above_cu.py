"""A scaling minimum above the job's own CUs.

``flink.dli.job.cu.min`` may not be greater than the CUs the job is configured with. A v1 job's
CUs are ``resources.cu``. A v2 job (``resourceConfigVersion: v2``) sets no CUs, and DLI's documents
are silent on what its scaling compares with: the rule takes the CUs the job occupies at the API
reference's "1 CU = 1 core and 4 GB", each manager counting the larger of its cores and its memory
over 4 GB (``JobSpec.job_cu``, `spec.job_cus` says why), the same size cuMax is held to.

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
    scaling: {enabled: true, cuMin: 12, cuMax: 16}
"""

import math
from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.accepted import accepted
from dli_flink.rules.base import Context, Option

ID = "scaling-cu-min-above-cu"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    spec = accepted(spec)
    cu_min, cu = spec.setting("cuMin"), spec.job_cu
    if spec.scaling_enabled is not True:
        return
    if isinstance(cu_min.value, int) and isinstance(cu, int | float) and cu_min.value > cu:
        yield Problem(
            ID,
            cu_min.path,
            f"scaling cuMin {shown(cu_min.value)} is above the job's {shown(cu)} CUs ({spec.job_cu_source}): "
            f"lower it to at most {math.floor(cu)}",
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set, written  # noqa: E402

FIX = "lowers cuMin to the job's CUs"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """The largest minimum DLI accepts; the job's CUs are the author's own figure."""
    return [Set(problem.path, written(problem.path, math.floor(accepted(spec).job_cu)))]
