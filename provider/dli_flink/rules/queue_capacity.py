"""Jobs that can outgrow their queue once DLI scales them.

Where the configuration declares queue capacities (``queues: {flink_q: {cu: 64}}``), a job whose
scaling maximum exceeds its queue, or a queue whose jobs' maxima add up past it, warns: DLI's guide
says a restore can fail when the queue lacks free CUs, leaving the job stopped. A job without scaling
counts with its ``resources.cu``; a job kept stopped (``desiredState: stopped``) holds no CUs and does
not count.

CONFIG::

    queues:
      flink_q: {cu: 16}

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
    scaling: {enabled: true, cuMax: 32}
"""

import math
from collections.abc import Iterator

from dli_flink.model.fields import V2
from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.accepted import accepted
from dli_flink.rules.base import Context, Option

ID = "queue-capacity"
SEVERITY = Severity.WARNING
OPTIONS: tuple[Option, ...] = ()


def peak_cu(spec: JobSpec) -> int | None:
    """The most CUs the job may hold: cuMax with scaling on, else its CUs (a v2 job's by
    `JobSpec.job_cu`, rounded up: a queue lends whole CUs); None if not known."""
    value = spec.setting("cuMax").value if spec.scaling_enabled is True else spec.job_cu
    if isinstance(value, float):
        return math.ceil(value)
    return value if isinstance(value, int) else None


def _size_path(spec: JobSpec) -> tuple[str, ...]:
    return ("resourceConfig",) if spec.resource_version == V2 else ("resources", "cu")


def check_jobs(specs: list[JobSpec], context: Context) -> Iterator[tuple[int, Problem]]:
    totals: dict[str, int] = {}
    for index, written in enumerate(specs):
        spec = accepted(written)
        if spec.desired_state == "stopped":
            continue
        capacity = context.queues.get(spec.queue) if isinstance(spec.queue, str) else None
        peak = peak_cu(spec)
        if capacity is None or peak is None:
            continue
        path = spec.setting("cuMax").path if spec.scaling_enabled is True else _size_path(spec)
        if peak > capacity:
            yield (
                index,
                Problem(
                    ID,
                    path,
                    f"job may grow to {shown(peak)} CUs but queue {shown(spec.queue)} has {capacity}: "
                    f"lower it to {capacity} or use a larger queue",
                ),
            )
            continue
        before = totals.get(spec.queue, 0)
        totals[spec.queue] = before + peak
        if before <= capacity < before + peak:
            yield (
                index,
                Problem(
                    ID,
                    path,
                    f"jobs on queue {shown(spec.queue)} may grow to {shown(before + peak)} CUs with "
                    "this one, past "
                    f"its {capacity}: a scaled job may fail to restore; lower cuMax or move jobs",
                ),
            )
