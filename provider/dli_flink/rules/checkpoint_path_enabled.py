"""A Jar job's custom checkpoint path while checkpointing is on.

Terraform's flinkjar resource (resource_huaweicloud_dli_flinkjar_job.go, commit a0345b8): "When
checkpoint_enabled is true, checkpoint_path not support customed, it will automatically restore from
the latest checkpoint", so it never sends the path then. ``checkpoint.path`` is a field DLI takes
while the job runs (an edit in place), and a running job with checkpointing on refuses it, so the
change would fail at deploy time; at creation DLI would keep its own checkpoint directory instead.
Set one or the other: the path for a job that checkpoints by itself (checkpointing off in DLI), or
checkpointing on and no path.

PASS::

    kind: FlinkJarJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    jar: {entrypoint: obs://my-bucket/app.jar}
    checkpoint: {enabled: true}
    obsBucket: my-bucket

FAIL::

    kind: FlinkJarJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    jar: {entrypoint: obs://my-bucket/app.jar}
    checkpoint: {enabled: true, path: obs://my-bucket/ckpt/}
    obsBucket: my-bucket
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "checkpoint-path-enabled"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    checkpoint = spec.checkpoint
    if checkpoint.enabled is True and isinstance(checkpoint.path, str):
        yield Problem(
            ID,
            ("checkpoint", "path"),
            "checkpoint.path is not taken while checkpoint.enabled is true (DLI restores from its "
            "own latest checkpoint): remove checkpoint.path, or turn checkpointing off",
            on_key=True,
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Remove  # noqa: E402

FIX = "removes checkpoint.path (DLI keeps the checkpoints of a checkpointing job itself)"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    return [Remove(problem.path)]
