"""Which state a job found stopped or failed starts from: the `restore` option against what DLI
reports (lifecycle's found-stopped step calls `start_from`; deletion names where a failed job's
state is).

What DLI's docs say about checkpoints, which this module follows: FAQ "How Do I Know Which
Checkpoint the Flink Job I Stopped Will Be Restored to When I Start the Job Again?" (dli_03_0180),
"How Do I Prevent Data Loss After Flink Job Restart?" (dli_03_0096), "How Do I Configure Checkpoints
for Flink Jar Jobs and Save the Checkpoints to OBS?" (dli_03_0038), and the SDK's
ImportFlinkJobSavepointRequestBody (the path is the directory above `_metadata`).
"""

from __future__ import annotations

from typing import Any

from dli_flink.deploy.calls import LifecycleError
from dli_flink.deploy.operation import UpdateOperation

NEWEST_SAVEPOINT = "the newest savepoint DLI holds for the job (it reports none)"
FROM_DIRECTORY = "the OBS directory restore names,"
"""How startedFrom begins when a start imports the `restore` directory (Options.restore_from)."""
FAILED = "job_running_exception"
"""A job a runtime exception stopped (the SDK's ListFlinkJobsRequest `status` docstring: "the job
hit a runtime exception and stopped running"), and that DLI's own restart did not bring back."""


def checkpoints(job: dict[str, Any]) -> bool:
    """Whether DLI (or, for a Jar job, its code: FAQ dli_03_0038) checkpoints the job to OBS."""
    config = job.get("job_config") or {}
    managed = bool(config.get("checkpoint_enabled")) and bool(config.get("obs_bucket"))
    return managed or bool(config.get("checkpoint_path"))


def found(job: dict[str, Any]) -> str:
    """The status a job was found in, with DLI's reason when it failed."""
    desc = job.get("status_desc")
    return f"{job['status']} ({desc})" if job["status"] == FAILED and desc else job["status"]


def checkpoint_folder(job: dict[str, Any]) -> str:
    """Where DLI writes the job's checkpoints, as far as its docs say: a Jar job's own
    checkpoint_path (FAQ dli_03_0038: the path its code checkpoints to, set as the job's
    "Checkpoint Path"), else "Bucket name/jobs/checkpoint/directory starting with the job ID"
    (FAQ dli_03_0180)."""
    config = job.get("job_config") or {}
    if config.get("checkpoint_path"):
        return str(config["checkpoint_path"])
    bucket = config.get("obs_bucket") or "<obsBucket>"
    return f"obs://{bucket}/jobs/checkpoint/ (the directory starting with {job['job_id']})"


def start_from(op: UpdateOperation, job: dict[str, Any], savepoint: str | None) -> str:
    """The state a job found stopped or failed starts from, by the `restore` option; a job that
    ran before is never started empty unless the document says `restore: none`.

    DLI documents that a run with resume_savepoint restores from the latest savepoint (dli-api.md,
    "Documented behaviour"), and issue 11 observed it doing so for a savepoint it wrote but does not
    report: a run asking for the savepoint finds it.

    Checkpoints (DLI's FAQ "How Do I Know Which Checkpoint the Flink Job I Stopped Will Be Restored
    to When I Start the Job Again?", dli_03_0180, and "How Do I Prevent Data Loss After Flink Job
    Restart?", dli_03_0096): checkpoints and savepoints share one format, so the latest checkpoint
    is restored by importing it as a savepoint (import_flink_job_savepoint, whose SDK model says the
    path is the directory above `_metadata`) and starting the job; the FAQ gives the checkpoint save
    path only as "Bucket name/jobs/checkpoint/directory starting with the job ID". What lies below
    that directory is not documented, no DLI field reports a checkpoint (the SDK's FlinkJob and
    FlinkJobConfig have none) and DLI has no call that lists them: the provider cannot name the
    newest one, so `restore: latest-checkpoint` stops and names where to look.
    """
    if op.options.restore_from:
        return f"{FROM_DIRECTORY} {op.options.restore_from}"
    if job["status"] == "job_init":
        return "no state (a job that never ran)"
    if savepoint:
        return f"savepoint {savepoint}"
    if op.options.restore == "none":
        return "no state (restore: none)"
    if job["status"] == FAILED and checkpoints(job) and op.options.restore != "latest-checkpoint":
        # FAQ dli_03_0096: a job "restarted abnormally" restores "from the latest checkpoint
        # file"; any savepoint DLI might hold is older. A run asking for a savepoint would start
        # it from that, or from nothing (a run restores savepoints only, FAQ dli_03_0180).
        used = (
            f" (restore: {op.options.restore} was set by an earlier deployment: a directory is "
            "used only by the deployment that sets it)"
            if op.options.restore.startswith("obs://")
            else ""
        )
        raise LifecycleError(
            f"job {op.name}: {op.progress.operation}: DLI reports the job {found(job)} and no "
            f"savepoint: its newest state is its latest checkpoint, in {checkpoint_folder(job)}, "
            f"which no DLI call names; nothing was started{used}: set restore to that "
            "checkpoint's directory (the one holding _metadata) for the next pulumi up, or "
            "restore: none to start it empty"
        )
    if op.options.restore == "latest-checkpoint":
        raise LifecycleError(
            f"job {op.name}: {op.progress.operation}: start from the latest checkpoint: DLI "
            f"reports the job {job['status']} and no savepoint, and no DLI call names a "
            f"checkpoint; nothing was started: its checkpoints are in "
            f"{checkpoint_folder(job)} (DLI's FAQ); set restore to the newest checkpoint's "
            "directory (the one holding _metadata) for the next pulumi up, or resume it with "
            f"dli-flink resume {op.job_id} <that directory>, or set restore: savepoint"
        )
    return NEWEST_SAVEPOINT
