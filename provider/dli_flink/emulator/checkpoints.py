"""DLI's checkpoints and its automatic restart after a runtime exception, as its docs describe them:
the rules, and the backend's part that follows them (`CheckpointsBackend`, a part of
models.Backend as moto composes a backend of per-part mixins).

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

import json
import logging
import math
import shutil
from typing import Any

from dli_flink.emulator.checks import job_cus
from dli_flink.emulator.errors import OperationNotSupported

log = logging.getLogger(__name__)

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


class CheckpointsBackend:
    """The backend's checkpoints and restarts after an exception (models.Backend's state and
    helpers; the rules above cite their sources)."""

    def _write_checkpoints(self, job: dict[str, Any], now: float) -> None:
        """Write the checkpoint due by `now` of a running job that checkpoints, one every
        checkpoint_interval on the emulator's clock, keeping only the newest (Flink's default
        retention). Written when observed (the job leaves job_running, an admin read), not on a
        timer: the files and the numbering are those a timer would leave."""
        conf = job["conf"]
        since = job.get("running_since")
        if since is None or not checkpointing(conf):
            return
        due = completed(now - since, self._duration(conf["checkpoint_interval"]))
        new = due - job.get("checkpoints_this_run", 0)
        if new <= 0:
            return
        job["checkpoints_this_run"] = due
        job["checkpoint_seq"] = number = job.get("checkpoint_seq", 0) + new
        written = path(conf, job["job_id"], number)
        directory = self._obs_dir(written)
        meta = {"job_id": job["job_id"], "checkpoint": number, "state_mb": job["state_mb"]}
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "_metadata").write_text(json.dumps(meta))
        except OSError:
            # Not written, so not there to restore: the job keeps its older checkpoint. Whether
            # DLI fails the job over a checkpoint OBS refuses is not documented.
            log.exception("checkpoint %s of job %s cannot be written", number, job["job_id"])
            return
        previous, job["checkpoint_path"] = job.get("checkpoint_path"), written
        if previous and previous != written:
            shutil.rmtree(self._obs_dir(previous), ignore_errors=True)

    def _task_failed(self, job: dict[str, Any], due: float, reason: str) -> None:
        """A task of the running job failed: job_running_exception, its CUs free (billing stops),
        and DLI's restart scheduled when restart_when_exception and resume_max_num allow it;
        otherwise the job stays in job_running_exception, the reason in status_desc."""
        now = self._clock()
        hour = self._duration(HOUR)
        restarts = [at for at in job.get("exception_restarts", []) if now - at < hour]
        job["exception_restarts"] = restarts
        why_not = no_restart(job["conf"], restarts, now, hour)
        desc = reason if why_not is None else f"{reason}; not restarted: {why_not}"
        job["held_cu"] = job["current_cu"] = 0
        start = self._set_status(job, "job_running_exception", desc, due=due)
        if why_not is None:
            self._schedule(job, start, RESTART_DELAY, "restart")
        else:
            self._unschedule(job)

    def _restart(self, job: dict[str, Any], due: float, ctx: dict[str, Any]) -> None:
        """DLI restarts the job after the exception: from its latest checkpoint when
        resume_checkpoint is on and one exists, else from no state (FAQ dli_03_0096)."""
        conf = job["conf"]
        job["exception_restarts"].append(self._clock())
        latest = job.get("checkpoint_path")
        checkpoint = None
        if conf.get("resume_checkpoint") and latest:
            checkpoint = latest if (self._obs_dir(latest) / "_metadata").is_file() else None
        cu = job_cus(conf)  # a new submit of the job: what it holds at a run (a v2 job too)
        free = self._free_cu(conf["queue_name"], job["job_id"])
        if free < cu:
            # A restart that cannot get its CUs is one more failed attempt (DLI's docs are silent
            # on it): counted against resume_max_num, the job stays job_running_exception.
            reason = (
                f"restart failed: insufficient queue resources: queue {conf['queue_name']} has "
                f"{max(free, 0)} free CUs, the job needs {cu}"
            )
            self._task_failed(job, due, reason)
            return
        job["held_cu"] = cu
        seconds = self.settings.durations.submit
        if checkpoint:
            seconds += self.settings.durations.restore + self._state_seconds(job)
        doomed = job.get("doomed_restarts", 0) > 0
        job["doomed_restarts"] = max(job.get("doomed_restarts", 0) - 1, 0)
        desc = f"restarting after an exception from {checkpoint or 'no state'}"
        self._resubmit(
            job,
            due,
            seconds,
            desc,
            restore=False,
            checkpoint=checkpoint,
            cu=cu,
            restarted=True,
            doomed=doomed,
        )

    def fail_task(self, job_id: int, again: int = 0) -> None:
        """Make a task of the running job fail now, and the next `again` restarts fail too."""
        with self._cond:
            job = self._job(job_id)
            if job["status"] != "job_running":
                raise OperationNotSupported(
                    f"Job {job_id} is {job['status']}: only a running job's task can fail"
                )
            job["doomed_restarts"] = again
            self._task_failed(job, 0, "a task failed (injected fault)")
            self._store.save(job)

    def checkpoints(self, job_id: int) -> dict[str, Any]:
        """The job's newest checkpoint (written up to now) and the directories in its folder."""
        with self._cond:
            job = self._job(job_id)
            self._write_checkpoints(job, self._clock())
            self._store.save(job)
            conf = job["conf"]
            if not conf.get("obs_bucket"):
                return {"latest": None, "folder": None, "directories": []}
            where = folder(conf, job_id)
            local = self._obs_dir(where)
            found = sorted(p.name for p in local.iterdir()) if local.is_dir() else []
            return {"latest": job.get("checkpoint_path"), "folder": where, "directories": found}
