"""Compute units or parallelism outside what DLI accepts.

From the DLI API reference: ``cu`` (total CUs, manager included) 2 to 400; ``managerCu`` at least 1
and below ``cu``; ``parallelism`` 1 to 2000 and at most 4 x (cu - managerCu).

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8, managerCu: 1, parallelism: 8}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 4, managerCu: 1, parallelism: 16}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "resources-range"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()
MIN_CU, MAX_CU, MAX_PARALLELISM, SLOTS_PER_CU = 2, 400, 2000, 4


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    """Each value alone first; the relations only between values that passed (one wrong value, one
    finding)."""
    r = spec.resources
    cu, manager, parallelism = r.cu, r.manager_cu, r.parallelism
    cu_fits = isinstance(cu, int) and MIN_CU <= cu <= MAX_CU
    manager_fits = isinstance(manager, int) and manager >= 1
    if isinstance(cu, int) and not cu_fits:
        yield Problem(
            ID,
            ("resources", "cu"),
            f"cu {shown(cu)} is outside {MIN_CU}-{MAX_CU}: DLI refuses the job",
            rejects=True,
        )
    if isinstance(manager, int) and not manager_fits:
        yield Problem(
            ID,
            ("resources", "managerCu"),
            f"managerCu {shown(manager)} must be at least 1",
            rejects=True,
        )
    elif manager_fits and cu_fits and manager >= cu:
        yield Problem(
            ID,
            ("resources", "managerCu"),
            f"managerCu {shown(manager)} leaves no CU for task managers out of cu {cu}: "
            f"make it smaller than cu",
        )
    if not isinstance(parallelism, int):
        return
    if not 1 <= parallelism <= MAX_PARALLELISM:
        yield Problem(
            ID,
            ("resources", "parallelism"),
            f"parallelism {shown(parallelism)} is outside 1-{MAX_PARALLELISM}",
            rejects=True,
        )
    elif cu_fits and manager_fits and cu > manager:
        most = SLOTS_PER_CU * (cu - manager)
        if parallelism > most:
            yield Problem(
                ID,
                ("resources", "parallelism"),
                f"parallelism {parallelism} is above {most}, the most that cu {cu} with "
                f"managerCu {manager} can run (4 per task-manager CU): lower it or raise cu",
            )
