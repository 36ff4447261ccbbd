"""DLI's checkpoints and its automatic restart after a runtime exception, as its docs describe them.

The sources, each rule below citing the one it follows:
- FAQ "How Do I Prevent Data Loss After Flink Job Restart?" (dli_03_0096): with checkpointing on,
  "Auto Restart upon Exception" and "Restore Job from Checkpoint", a job "restarted abnormally" is
  restored "from the latest checkpoint file".
- FAQ "How Do I Know Which Checkpoint the Flink Job I Stopped Will Be Restored to When I Start the
  Job Again?" (dli_03_0180): checkpoints have the savepoints' format and are kept in OBS under
  "Bucket name/jobs/checkpoint/directory starting with the job ID"; to start a stopped job from one,
  import it as a savepoint (import_flink_job_savepoint) and start the job.
- The SDK's create/update bodies: restart_when_exception ("whether to restart the job after an
  exception", default false), resume_checkpoint ("whether the restart after an exception restores
  from the checkpoint"), resume_max_num ("the maximum number of retries after an exception, per
  hour; -1 or greater than 0; -1, the default, is unlimited").
- The SDK's ListFlinkJobsRequest `status` docstring (huaweicloud-sdk-php-v3, -nodejs-v3):
  "job_running_exception: running exception (billing stops: the job hit a runtime exception and
  stopped running)". That is the state a failed job is left in when DLI does not restart it.

What DLI's docs leave open, and the emulator's choice (internal to it: no DLI call reports any of
it, so the provider cannot depend on it):
- below "directory starting with the job ID": Flink's own layout, `chk-<n>/_metadata` (Flink docs,
  ops/state/checkpoints, "Directory Structure"), under a directory named the job id;
- how many checkpoints are kept: Flink's default `state.checkpoints.num-retained`, 1;
- how long DLI waits before a restart: Flink's fixed-delay restart strategy's default delay, 1 s;
- the status while DLI restarts a job: a restart is a new submit, so job_submitting, then
  job_running (or job_running_exception again when the restarted job fails too).
A Jar job checkpoints where its own code says (FAQ "How Do I Configure Checkpoints for Flink Jar
Jobs and Save the Checkpoints to OBS?", dli_03_0038): the emulator runs no code, so it writes
checkpoints only for jobs whose checkpointing DLI manages (checkpoint_enabled with an obs_bucket).
"""

from __future__ import annotations

import math
from typing import Any

RESTART_DELAY = 1.0
"""Seconds (at speed 1) from the exception to DLI's restart: Flink's fixed-delay default."""
HOUR = 3600.0
"""resume_max_num counts restarts per hour (SDK model)."""


def checkpointing(conf: dict[str, Any]) -> bool:
    """Whether DLI writes checkpoints for the job: checkpoint_enabled with a bucket to write to."""
    return bool(conf.get("checkpoint_enabled")) and bool(conf.get("obs_bucket"))


def folder(conf: dict[str, Any], job_id: int) -> str:
    """The job's checkpoint folder: FAQ dli_03_0180's "jobs/checkpoint/directory starting with the
    job ID", the directory named the job id (the emulator's choice)."""
    return f"obs://{conf['obs_bucket']}/jobs/checkpoint/{job_id}/"


def path(conf: dict[str, Any], job_id: int, number: int) -> str:
    """Checkpoint `number`'s directory, the one holding `_metadata` (Flink's `chk-<n>`)."""
    return f"{folder(conf, job_id)}chk-{number}/"


def completed(running_for: float, interval: float) -> int:
    """How many checkpoints a job running for `running_for` seconds has completed, one every
    `interval` seconds (checkpoint_interval, scaled by the emulator's clock)."""
    if interval <= 0 or running_for <= 0:
        return 0
    return math.floor(running_for / interval)


def no_restart(conf: dict[str, Any], restarts: list[float], now: float, hour: float) -> str | None:
    """Why DLI does not restart a job after an exception (None: it does). `restarts` are the times
    of its earlier automatic restarts; `hour` is an hour on the emulator's clock."""
    if not conf.get("restart_when_exception"):
        return "restart_when_exception is off"
    limit = conf.get("resume_max_num", -1)
    recent = sum(1 for at in restarts if now - at < hour)
    if limit != -1 and recent >= limit:
        return f"{recent} restarts in the last hour reached resume_max_num {limit}"
    return None
