"""A scaling maximum below the job's own CUs.

``flink.dli.job.cu.max`` may not be smaller than the CUs the job is configured with; leave it unset
to default to them. A v1 job's CUs are ``resources.cu``. A v2 job (``resourceConfigVersion: v2``)
sets no CUs, and DLI's documents are silent on what its scaling compares with: the rule takes the
CUs the job occupies at the API reference's "1 CU = 1 core and 4 GB", each manager counting the
larger of its cores and its memory over 4 GB (``JobSpec.job_cu``, `spec.job_cus` says why). That is
the conservative reading here: a maximum below what the job was given is refused.

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

import math
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
    cu_max, cu = spec.setting("cuMax"), spec.job_cu
    if spec.scaling_enabled is not True or not cu_max.explicit:
        return
    if isinstance(cu_max.value, int) and isinstance(cu, int | float) and cu_max.value < cu:
        yield Problem(
            ID,
            cu_max.path,
            f"scaling cuMax {shown(cu_max.value)} is below the job's {shown(cu)} CUs ({spec.job_cu_source}): "
            f"raise it to at least {math.ceil(cu)} or remove it",
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set, written  # noqa: E402

FIX = "raises cuMax to the job's CUs"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """The smallest maximum DLI accepts, where the key is written (block or runtimeConfig)."""
    return [Set(problem.path, written(problem.path, math.ceil(accepted(spec).job_cu)))]
