"""Which state a job found stopped or failed starts from: the `restore` option against what DLI
reports and what OBS holds (deploy/held.py lists it; lifecycle's found-stopped step calls
`looks_in_obs` and `start_from`; deletion names where a failed job's state is).

What DLI's docs say about checkpoints, which this module follows: FAQ "How Do I Know Which
Checkpoint the Flink Job I Stopped Will Be Restored to When I Start the Job Again?" (dli_03_0180),
"How Do I Prevent Data Loss After Flink Job Restart?" (dli_03_0096), "How Do I Configure Checkpoints
for Flink Jar Jobs and Save the Checkpoints to OBS?" (dli_03_0038), and the SDK's
ImportFlinkJobSavepointRequestBody (the path is the directory above `_metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dli_flink.deploy.calls import LifecycleError
from dli_flink.deploy.held import NO_FOLDER, Held
from dli_flink.deploy.operation import UpdateOperation
from dli_flink.model.starts import (
    FROM_DIRECTORY,
    NEVER_RAN,
    NO_BUCKET_STATE,
    RESTORE_NONE,
    is_directory,
)

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


def looks_in_obs(op: UpdateOperation, job: dict[str, Any], savepoint: str | None) -> bool:
    """Whether `start_from` needs what OBS holds for the job (deploy/held.py lists it): a job that
    ran before, found without a reported savepoint, whose document leaves the choice to it."""
    return not (
        op.options.restore_from
        or job["status"] == "job_init"
        or savepoint
        or op.options.restore == "none"
    )


@dataclass(frozen=True)
class Start:
    """Where a job found stopped or failed starts from: `text` for the progress line and
    lastChange.startedFrom, and the directory to import as its savepoint first (None: none)."""

    text: str
    directory: str | None = None

    @property
    def resumes(self) -> bool:
        """Whether the run asks DLI for a savepoint (resume_savepoint)."""
        return bool(self.directory) or self.text.startswith("savepoint")


def start_from(
    op: UpdateOperation, job: dict[str, Any], savepoint: str | None, held: Held | None = None
) -> Start:
    """The state a job found stopped or failed starts from, by the `restore` option and what OBS
    holds (`held`, listed when `looks_in_obs`); a job that ran before is never started empty
    unless the document says `restore: none` or it holds no state to lose.

    A savepoint DLI reports is the newest state: a stop writes it after the job's last checkpoint.
    Without one, checkpoints and savepoints share one format (FAQ dli_03_0180), so the newest
    complete checkpoint or savepoint OBS holds is imported as a savepoint
    (import_flink_job_savepoint, whose SDK model says the path is the directory above
    `_metadata`) and the job started from it: a run alone restores savepoints only (FAQ
    dli_03_0180), and issue 11 saw DLI hold a savepoint it did not report.
    """
    if op.options.restore_from:
        return Start(f"{FROM_DIRECTORY} {op.options.restore_from}", op.options.restore_from)
    if job["status"] == "job_init":
        return Start(NEVER_RAN)
    if savepoint:
        return Start(f"savepoint {savepoint}")
    if op.options.restore == "none":
        return Start(RESTORE_NONE)
    held = held or Held(None, None, checkpoint_folder(job), None)
    if held.checkpoints_in == NO_FOLDER and op.options.restore != "latest-checkpoint":
        return Start(NO_BUCKET_STATE)
    if op.options.restore == "latest-checkpoint":
        if held.checkpoint:
            return Start(
                f"checkpoint {held.checkpoint.path} (the newest complete one; restore: "
                "latest-checkpoint)",
                held.checkpoint.path,
            )
        raise LifecycleError(
            f"job {op.name}: {op.progress.operation}: restore: latest-checkpoint: DLI reports "
            f"the job {found(job)} and no savepoint, and OBS holds no complete checkpoint (a "
            f"chk-<n>/ holding _metadata) in {held.checkpoints_in}; nothing was started: set "
            "restore: savepoint, a directory to start from, or restore: none to start it empty"
        )
    newest = held.newest
    if newest:
        return Start(
            f"{newest.kind} {newest.path} (the newest state in OBS: DLI reports no savepoint)",
            newest.path,
        )
    searched = f"no checkpoint in {held.checkpoints_in}" + (
        f" nor savepoint in {held.savepoints_in}" if held.savepoints_in else ""
    )
    if checkpoints(job):
        # FAQ dli_03_0096: a job "restarted abnormally" restores "from the latest checkpoint
        # file": a job that checkpoints held state a start would lose.
        used = (
            f" (restore: {op.options.restore} was set by an earlier deployment: a directory is "
            "used only by the deployment that sets it)"
            if is_directory(op.options.restore)
            else ""
        )
        raise LifecycleError(
            f"job {op.name}: {op.progress.operation}: DLI reports the job {found(job)} and no "
            f"savepoint, and OBS holds {searched}; nothing was started{used}: set restore to "
            "the directory (the one holding _metadata) to start from for the next pulumi up, "
            "or restore: none to start it empty"
        )
    return Start(
        f"no state (DLI reports no savepoint, OBS holds {searched}, and checkpointing is off: "
        "the job holds no state to restore)"
    )
