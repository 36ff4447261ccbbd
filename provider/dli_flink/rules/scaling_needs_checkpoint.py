"""Dynamic scaling without checkpointing.

DLI scales a job by stopping it with a savepoint and restoring it, so scaling needs checkpointing
enabled (``checkpoint.enabled: true``).

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
    scaling: {enabled: true}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-needs-checkpoint"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if spec.scaling_enabled is True and spec.checkpoint.enabled is False:
        yield Problem(
            ID,
            ("checkpoint", "enabled"),
            "dynamic scaling restores the job from a savepoint and needs checkpointing: "
            "set checkpoint.enabled: true",
            anchor=spec.setting("enabled").path,
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set  # noqa: E402

FIX = "sets checkpoint.enabled: true"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """A scaling job has one right value here, and the checkpoint settings keep their defaults."""
    return [Set(("checkpoint", "enabled"), True)]
