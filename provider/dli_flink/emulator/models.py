"""The emulated DLI: Flink jobs, queues with CU capacity, savepoints, the status machine and its clock.

Knows nothing of HTTP (the `responses` module adapts it). Every timed transition is a pending event on
the job record (`next_at`, `next_action`, `ctx`), persisted with the job, and carried out by one
scheduler thread at its due time; the timeline records when it really happened, so the overhead the
emulator adds to a transition is measurable. All state changes happen under one lock and are committed
to the store before the caller gets an answer.
"""

from __future__ import annotations

import heapq
import json
import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dli_flink.emulator import checkpoints
from dli_flink.emulator.checks import (
    HOT_FIELDS,
    agency_failure,
    check_body,
    check_bucket,
    check_config,
    check_running_edit,
    job_cus,
    obs_path,
    scaling_bounds,
    scaling_failure,
    shown,
)
from dli_flink.emulator.errors import (
    BucketNotAuthorized,
    FlinkJobNotFound,
    OperationNotSupported,
    ParameterError,
    QueueUnavailable,
)
from dli_flink.emulator.faults import Faults
from dli_flink.emulator.store import Store, StoreError

log = logging.getLogger(__name__)
FIRST_JOB_ID = 10001
RUNNABLE = frozenset(
    {
        "job_init",
        "job_cancel_success",
        "job_submit_fail",
        "job_running_exception",
        "job_cancel_fail",
        "job_finish",
        "job_arrearage_stopped",
    }
)
STOPPABLE = frozenset({"job_running", "job_submitting"})
BUSY = frozenset({"job_submitting", "job_running", "job_savepointing", "job_canceling"})
# What a timed transition that fails (raises) leaves the job in, and the word for it in status_desc.
# A failed submit and a failed stop are DLI's own statuses (dli-api.md, Status values); a failed
# savepoint leaves the job running, as an injected savepoint fault does, and a failed scaling check
# leaves it running at its size (`_keep_running`). Never a transitional status with nothing
# scheduled: that is a job wedged for good.
FAILED_TRANSITIONS = {
    "submitted": ("job_submit_fail", "submit"),
    "savepointed": ("job_running", "savepoint"),
    "canceled": ("job_cancel_fail", "stop"),
    "scale_check": ("job_running", "scaling check"),
    "restart": ("job_running_exception", "restart after the exception"),
}
DEFAULTS = {
    "cu_number": 2,
    "manager_cu_number": 1,
    "parallel_number": 1,
    "checkpoint_enabled": False,
    "checkpoint_mode": 1,
    "checkpoint_interval": 10,
    "log_enabled": False,
    "restart_when_exception": False,
    "resume_checkpoint": False,
    "resume_max_num": -1,
    "flink_version": "1.12",
}


@dataclass(frozen=True)
class Durations:
    """Seconds each transition takes at speed 1; savepoint and restore add time per MB of state."""

    submit: float = 10.0
    cancel: float = 3.0
    savepoint: float = 2.0
    restore: float = 2.0
    per_state_mb: float = 0.02


@dataclass(frozen=True)
class Settings:
    project_id: str
    queues: dict[str, int] = field(default_factory=lambda: {"default": 64})
    speed: float = 1.0
    durations: Durations = Durations()
    scaling_flink_versions: tuple[str, ...] | None = None


class Backend:
    """One project's Flink jobs. Public methods are the DLI operations plus the admin operations."""

    def __init__(
        self, settings: Settings, data_dir: Path, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.faults = Faults()
        self.obs_root = data_dir / "obs"
        self._clock = clock
        self._store = Store(data_dir)
        try:
            self._jobs = self._store.load_jobs()
        except StoreError:
            self._store.close()
            raise
        self._doomed: list[Path] = []  # savepoint directories to remove after the next commit
        self._cond = threading.Condition(threading.RLock())
        self._heap = [(j["next_at"], i) for i, j in self._jobs.items() if j["next_at"]]
        heapq.heapify(self._heap)
        self._stopping = False
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run_scheduler, name="dli-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join()
        self._store.close()

    def _run_scheduler(self) -> None:
        with self._cond:
            while not self._stopping:
                fired: dict[int, dict[str, Any]] = {}
                while self._heap and self._heap[0][0] <= self._clock():
                    due, job_id = heapq.heappop(self._heap)
                    job = self._jobs.get(job_id)
                    if job is None or job["next_at"] != due:
                        continue  # deleted, or rescheduled since
                    try:
                        self._fire(job, due)
                    except Exception:  # even failing the transition failed: keep the clock going
                        log.exception("failing transition of job %s failed", job_id)
                    fired[job_id] = job
                if fired:  # one commit for all transitions due at this instant
                    try:
                        self._store.save(*fired.values())
                    except Exception:  # a full disk must not stop every job's clock either
                        log.exception("cannot save jobs %s", sorted(fired))
                    while self._doomed:
                        shutil.rmtree(self._doomed.pop(), ignore_errors=True)
                timeout = self._heap[0][0] - self._clock() if self._heap else None
                # Capped: a due time decades away (a huge scaling interval) must not make wait()
                # raise OverflowError and end the scheduler thread.
                if timeout is not None:
                    timeout = min(max(timeout, 0), threading.TIMEOUT_MAX)
                self._cond.wait(timeout)

    # -- helpers ----------------------------------------------------------------------------------

    def _ms(self) -> int:
        return int(self._clock() * 1000)

    def _duration(self, seconds: float) -> float:
        return seconds / self.settings.speed

    def _job(self, job_id: Any) -> dict[str, Any]:
        if not isinstance(job_id, int) or isinstance(job_id, bool):
            raise ParameterError(f"job_id must be an integer, got {shown(job_id)}")
        job = self._jobs.get(job_id)
        if job is None:
            raise FlinkJobNotFound(job_id)
        return job

    def _batch(self, job_ids: list[int]) -> list[dict[str, Any]]:
        """The jobs a batch call names, each exactly once, or DLI.0001.

        DLI's docs do not say what a batch naming a job twice does. Its answer holds one result per
        id, so it would report one job's outcome twice (and a stop with a savepoint would be
        overtaken by a second stop without one): the emulator refuses the batch instead.
        """
        repeated = sorted(i for i, n in Counter(job_ids).items() if n > 1)
        if repeated:
            raise ParameterError(
                f"job_ids names job {', '.join(map(str, repeated))} more than once"
            )
        return [self._job(i) for i in job_ids]

    def _set_status(
        self, job: dict[str, Any], status: str, desc: str = "", due: float = 0, **record: Any
    ) -> float:
        """Record a status change in the job and its timeline; the time it happened.

        `record` adds what the transition did with savepoints to the timeline entry, for tests
        only (DLI reports neither; the admin API's timeline is the emulator's own record):
        `savepoint_written` (the path a stop or savepoint wrote) and, on each job_running a submit
        reaches, `restored_from` (the savepoint or checkpoint the start restored, None for an empty
        start).
        A job leaving job_running has written every checkpoint due until now (`checkpoints`)."""
        now = self._clock()
        if job["status"] == "job_running" and status != "job_running":
            self._write_checkpoints(job, now)
            job["running_since"] = None
        elif status == "job_running" and job["status"] != "job_running":
            job["running_since"], job["checkpoints_this_run"] = now, 0
        job["status"] = status
        job["status_desc"] = desc
        entry = {"status": status, "at": round(now * 1000, 3), "desc": desc, **record}
        if due:
            entry["scheduled_at"] = round(due * 1000, 3)
        job["timeline"].append(entry)
        return now

    def _schedule(
        self, job: dict[str, Any], start: float, seconds: float, action: str, **ctx: Any
    ) -> None:
        """Make `action` due `seconds` (at speed 1) after `start`, the status change it follows."""
        due = start + self._duration(seconds)
        job["next_at"], job["next_action"], job["ctx"] = due, action, ctx
        heapq.heappush(self._heap, (due, job["job_id"]))
        self._cond.notify_all()

    def _unschedule(self, job: dict[str, Any]) -> None:
        job["next_at"], job["next_action"], job["ctx"] = None, None, {}

    def _free_cu(self, queue: str, except_job: int) -> int:
        used = sum(
            j["held_cu"]
            for i, j in self._jobs.items()
            if i != except_job and j["conf"].get("queue_name") == queue
        )
        return self.settings.queues[queue] - used - self.faults.neighbour_cu(queue)

    def _state_seconds(self, job: dict[str, Any]) -> float:
        return job["state_mb"] * self.settings.durations.per_state_mb

    # -- jobs -------------------------------------------------------------------------------------

    def create_job(self, kind: str, body: Any) -> dict[str, Any]:
        clean = check_body(kind, True, body)
        job_type = "flink_jar_job" if kind == "jar" else "flink_opensource_sql_job"
        conf = {**DEFAULTS, "job_type": job_type, **clean}
        check_config(kind, conf)
        with self._cond:
            self._check_authorized(kind, conf)
            self._check_unique(conf["name"], None)
            job_id = self._store.next_job_id(FIRST_JOB_ID)
            now = self._ms()
            job = {
                "job_id": job_id,
                "kind": kind,
                "conf": conf,
                "status": "",
                "status_desc": "",
                "create_time": now,
                "update_time": now,
                "start_time": None,
                "restart_times": 0,
                "savepoint_path": None,
                "held_cu": 0,
                "current_cu": 0,
                "demand_cu": None,
                "state_mb": 0,
                "timeline": [],
                "next_at": None,
                "next_action": None,
                "ctx": {},
            }
            self._set_status(job, "job_init")
            self._jobs[job_id] = job
            self._store.save(job)
            return job

    def _check_authorized(self, kind: str, conf: dict[str, Any]) -> None:
        """DLI.11016 for a Jar job created with an obs_bucket not authorised to DLI (register_bucket),
        as the Jar create page's error table says (errors.BucketNotAuthorized). Only there: the SQL
        create and both update pages list no such error, and no page says what a running job does
        with an unauthorised bucket (its checkpoints, savepoints, logs or an OBS sink), so neither
        is modelled."""
        bucket = conf.get("obs_bucket")
        if kind == "jar" and bucket and bucket not in self._store.buckets():
            raise BucketNotAuthorized(
                f"The obs_bucket {bucket} in the job request is not authorized to DLI: "
                "authorize it (POST /v1.0/{project_id}/dli/obs-authorize) first"
            )

    def _check_unique(self, name: str, job_id: int | None) -> None:
        for other in self._jobs.values():
            if other["conf"]["name"] == name and other["job_id"] != job_id:
                raise ParameterError(f"A Flink job named {name} already exists")

    def update_job(self, kind: str, job_id: int, body: Any) -> int:
        clean = check_body(kind, False, body)
        with self._cond:
            job = self._job(job_id)
            if job["kind"] != kind:
                raise ParameterError(f"Job {job_id} is not a Flink {kind.upper()} job")
            cold = sorted(set(clean) - HOT_FIELDS)
            if job["status"] in BUSY and cold:
                raise OperationNotSupported(
                    f"Job {job_id} is {job['status']}: stop the job before editing "
                    + ", ".join(cold)
                )
            if job["status"] in BUSY:
                check_running_edit(kind, job, clean)
            conf = {**job["conf"], **clean}
            check_config(kind, conf)
            self._check_unique(conf["name"], job_id)
            job["conf"] = conf
            job["update_time"] = self._ms()
            self._store.save(job)
            return job["update_time"]

    def get_job(self, job_id: int) -> dict[str, Any]:
        with self._cond:
            return json.loads(json.dumps(self._job(job_id)))

    def list_jobs(
        self,
        name: str | None = None,
        status: str | None = None,
        job_type: str | None = None,
        queue_name: str | None = None,
        tags: dict[str, str] | None = None,
        offset: int = 0,
        limit: int = 10,
        ascending: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total matching, the page of jobs), ordered by job id. `name` matches a substring, as
        the console's search does; tags must all match."""
        with self._cond:
            jobs = [
                j
                for j in self._jobs.values()
                if (not name or name in j["conf"]["name"])
                and (not status or j["status"] == status)
                and (not job_type or j["conf"]["job_type"] == job_type)
                and (not queue_name or j["conf"].get("queue_name") == queue_name)
                and all(
                    {"key": k, "value": v} in j["conf"].get("tags", [])
                    for k, v in (tags or {}).items()
                )
            ]
            jobs.sort(key=lambda j: j["job_id"], reverse=not ascending)
            page = jobs[offset : offset + limit]
            return len(jobs), json.loads(json.dumps(page))

    def job_tags(self, job_id: int) -> list[dict[str, str]]:
        """The tags job `job_id` holds: those of its create body, as the tag API edited them."""
        with self._cond:
            return [dict(t) for t in self._job(job_id)["conf"].get("tags") or []]

    def retag(
        self, job_id: int, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]
    ) -> None:
        """Replace job `job_id`'s tags by `edit` of them, committed before the answer. Tags are no
        job configuration: the status, update_time and a running job are left as they are (the tag
        API pages name no status a job must be in)."""
        with self._cond:
            job = self._job(job_id)
            job["conf"]["tags"] = edit([dict(t) for t in job["conf"].get("tags") or []])
            self._store.save(job)

    def tagged(self) -> list[tuple[int, str, list[dict[str, str]]]]:
        """Every job's id, name and tags, by job id (the tag API's resource instances)."""
        with self._cond:
            return [
                (i, j["conf"]["name"], [dict(t) for t in j["conf"].get("tags") or []])
                for i, j in sorted(self._jobs.items())
            ]

    def delete_jobs(self, job_ids: list[int]) -> None:
        """Delete in any state (DLI does); the job's CUs are free at once. Savepoints stay in OBS."""
        with self._cond:
            self._batch(job_ids)
            for job_id in job_ids:
                del self._jobs[job_id]
            self._store.delete(job_ids)

    # -- run, stop, savepoints --------------------------------------------------------------------

    def run_jobs(self, job_ids: list[int], resume_savepoint: bool) -> None:
        """Submit: all jobs must be runnable (else DLI.0007, none submitted); the outcome is decided
        now (scaling rules, queue CUs) and becomes visible when the submit duration has passed."""
        with self._cond:
            jobs = self._batch(job_ids)
            for job in jobs:
                if job["status"] not in RUNNABLE:
                    raise OperationNotSupported(
                        f"Job {job['job_id']} is {job['status']}: only a new, stopped or failed "
                        "job can be run"
                    )
                queue = job["conf"].get("queue_name")
                if queue not in self.settings.queues:
                    raise QueueUnavailable(f"Job {job['job_id']}: queue {queue} is not available")
            for job in jobs:
                if resume_savepoint:
                    self.faults.restore_begins(job["conf"]["queue_name"])
                self._submit(job, resume_savepoint)
            self._store.save(*jobs)

    def _submit(self, job: dict[str, Any], resume_savepoint: bool) -> None:
        conf = job["conf"]
        restore = resume_savepoint and bool(job["savepoint_path"])
        seconds = self.settings.durations.submit
        if restore:
            seconds += self.settings.durations.restore + self._state_seconds(job)
        why = agency_failure(conf) or scaling_failure(conf, self.settings.scaling_flink_versions)
        cu = job_cus(conf)  # a v2 job sets no cu_number: checks.job_cus says what it holds
        if why is None and self._free_cu(conf["queue_name"], job["job_id"]) < cu:
            why = (
                f"insufficient queue resources: queue {conf['queue_name']} has "
                f"{max(self._free_cu(conf['queue_name'], job['job_id']), 0)} free CUs, "
                f"the job needs {cu}"
            )
        job["held_cu"] = 0 if why else cu
        start = self._set_status(job, "job_submitting")
        self._schedule(job, start, seconds, "submitted", failure=why, restore=restore, cu=cu)

    def stop_jobs(self, job_ids: list[int], trigger_savepoint: bool) -> None:
        with self._cond:
            jobs = self._batch(job_ids)
            for job in jobs:
                if job["status"] not in STOPPABLE:
                    raise OperationNotSupported(
                        f"Job {job['job_id']} is {job['status']}: only a running or submitting "
                        "job can be stopped"
                    )
                if trigger_savepoint and not job["conf"].get("obs_bucket"):
                    raise ParameterError(
                        f"Job {job['job_id']} has no obs_bucket to write the savepoint to"
                    )
            for job in jobs:
                if trigger_savepoint and job["status"] == "job_running":
                    start = self._set_status(job, "job_savepointing")
                    seconds = self._savepoint_seconds(job)
                    self._schedule(job, start, seconds, "savepointed", then="cancel")
                else:
                    start = self._set_status(job, "job_canceling")
                    self._schedule(job, start, self.settings.durations.cancel, "canceled")
            self._store.save(*jobs)

    def _savepoint_seconds(self, job: dict[str, Any]) -> float:
        return self.settings.durations.savepoint + self._state_seconds(job)

    def trigger_savepoint(self, job_id: int, action: str, savepoint_path: str | None) -> None:
        with self._cond:
            job = self._job(job_id)
            if action != "TRIGGER":
                raise ParameterError(f"action must be TRIGGER, got {shown(action)}")
            if job["status"] != "job_running":
                raise OperationNotSupported(
                    f"Job {job_id} is {job['status']}: a savepoint needs a running job"
                )
            if savepoint_path is None and not job["conf"].get("obs_bucket"):
                raise ParameterError(f"Job {job_id} has no obs_bucket to write the savepoint to")
            if savepoint_path is not None:
                self._obs_dir(savepoint_path)
            start = self._set_status(job, "job_savepointing")
            self._schedule(
                job,
                start,
                self._savepoint_seconds(job),
                "savepointed",
                then="running",
                path=savepoint_path,
            )
            self._store.save(job)

    def import_savepoint(self, job_id: int, savepoint_path: str) -> None:
        """Point the job at an existing savepoint (the directory holding `_metadata`)."""
        with self._cond:
            job = self._job(job_id)
            if job["status"] in BUSY:
                raise OperationNotSupported(
                    f"Job {job_id} is {job['status']}: stop the job before importing a savepoint"
                )
            if not (self._obs_dir(savepoint_path) / "_metadata").is_file():
                raise ParameterError(f"No savepoint (_metadata) under {savepoint_path}")
            job["savepoint_path"] = savepoint_path
            job["savepoint_hidden"] = False
            # A directory DLI did not write as this job's savepoint (a checkpoint, another job's
            # savepoint) is the user's: never deleted (_delete_savepoint).
            own = f"obs://{job['conf'].get('obs_bucket')}/jobs/savepoint/{job_id}/"
            job["savepoint_imported"] = not savepoint_path.startswith(own)
            self._store.save(job)

    def register_buckets(self, buckets: Any) -> None:
        """Authorise DLI to use these buckets "for saving job checkpoints and run logs" (API
        reference dli_02_0225, now marked deprecated there); a Jar create checks it
        (`_check_authorized`)."""
        if not isinstance(buckets, list) or not buckets:
            raise ParameterError("obs_buckets must be a non-empty list of bucket names")
        for bucket in buckets:
            check_bucket(bucket, "obs_buckets")
        with self._cond:
            self._store.add_buckets(buckets)

    def authorized_buckets(self) -> list[str]:
        with self._cond:
            return self._store.buckets()

    def obs_bucket(self, bucket: str) -> tuple[str, Path]:
        """An OBS bucket as ListObjects finds it (obs.py): "ok", "missing" or "denied", and its
        folder. A bucket exists once DLI was authorised to use it or holds files; a test may make
        it missing or denied (faults). A bucket a job names as its obs_bucket exists too: DLI
        writes the job's checkpoints and savepoints there. The checkpoints running jobs have due by
        now are written first, so a listing sees the files a timer would have left
        (`_write_checkpoints`)."""
        with self._cond:
            now = self._clock()
            named = False
            for job in self._jobs.values():
                if job["conf"].get("obs_bucket") != bucket:
                    continue
                named = True
                if job["status"] == "job_running":
                    self._write_checkpoints(job, now)
                    self._store.save(job)
            root = self.obs_root / bucket
            state = self.faults.obs_bucket(bucket)
            if state is None:
                held = named or root.is_dir() or bucket in self._store.buckets()
                state = "ok" if held else "missing"
            return state, root

    def _obs_dir(self, path: Any) -> Path:
        """The local directory behind an obs://bucket/key path (DLI.0001 for one OBS or the
        emulator's files cannot hold: see `checks.obs_path`)."""
        bucket, parts = obs_path(path, "savepoint_path")
        return self.obs_root.joinpath(bucket, *parts)

    def _write_savepoint(self, job: dict[str, Any], path: str | None) -> None:
        if path is None:
            stamp = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y-%m-%d_%H-%M-%S")
            path = f"obs://{job['conf']['obs_bucket']}/jobs/savepoint/{job['job_id']}/{stamp}/"
        directory = self._obs_dir(path)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"job_id": job["job_id"], "state_mb": job["state_mb"], "cu": job["current_cu"]}
        (directory / "_metadata").write_text(json.dumps(meta))
        job["savepoint_path"] = path
        job["savepoint_hidden"] = self.faults.take_hidden_savepoint()
        job.pop("savepoint_imported", None)  # DLI's own savepoint now: deleted on restore

    def _delete_savepoint(self, job: dict[str, Any]) -> None:
        """DLI: "The savepoint is automatically deleted after the job is restarted". The files go
        once the job record no longer points at them (see `_fire`), so a crash in between leaves
        an orphan directory, never a job pointing at a missing savepoint. That sentence is about
        the savepoints DLI writes; for a directory imported with import_flink_job_savepoint (a
        checkpoint, or a savepoint of another job) the docs are silent, so the emulator leaves
        the user's files where they are and only stops pointing at them."""
        path, job["savepoint_path"] = job["savepoint_path"], None
        if path and not job.pop("savepoint_imported", False):
            self._doomed.append(self._obs_dir(path))

    # -- the clock's transitions ------------------------------------------------------------------

    def _fire(self, job: dict[str, Any], due: float) -> None:
        """Carry out the job's due transition (the scheduler commits it); if it fails, whatever the
        cause (a savepoint directory that cannot be written, a bug), fail that transition."""
        action, ctx = job["next_action"], job["ctx"]
        self._unschedule(job)
        steps = {
            "submitted": self._submitted,
            "savepointed": self._savepointed,
            "canceled": self._canceled,
            "scale_check": self._scale_check,
            "restart": self._restart,
        }
        try:
            steps[action](job, due, ctx)
        except Exception as error:
            log.exception("transition %s of job %s failed", action, job["job_id"])
            status, what = FAILED_TRANSITIONS[action]
            reason = f"{what} failed: {error}"
            if status == "job_running":
                self._keep_running(job, due, reason)
            else:
                job["held_cu"] = job["current_cu"] = 0
                self._set_status(job, status, reason, due=due)

    def _canceled(self, job: dict[str, Any], due: float, ctx: dict[str, Any]) -> None:
        job["held_cu"] = job["current_cu"] = 0
        self._set_status(job, "job_cancel_success", due=due)

    def _submitted(self, job: dict[str, Any], due: float, ctx: dict[str, Any]) -> None:
        failure = ctx["failure"]
        if failure is None and ctx["restore"] and self.faults.take_restore_failure():
            failure = "restore from savepoint failed (injected fault)"
        if failure:
            job["held_cu"] = job["current_cu"] = 0
            self._set_status(job, "job_submit_fail", failure, due=due)
            return
        restored_from = job["savepoint_path"] if ctx["restore"] else ctx.get("checkpoint")
        if ctx["restore"]:
            self._delete_savepoint(job)
        job["held_cu"] = ctx["cu"]
        if ctx.get("scaled") or ctx.get("restarted"):
            job["restart_times"] += 1
        else:
            job["start_time"] = self._ms()
        job["current_cu"] = ctx["cu"]
        start = self._set_status(job, "job_running", due=due, restored_from=restored_from)
        if ctx.get("doomed"):
            self._task_failed(job, due, "the restarted job failed again (injected fault)")
            return
        self._schedule_scale_check(job, start)

    def _savepointed(self, job: dict[str, Any], due: float, ctx: dict[str, Any]) -> None:
        if self.faults.take_savepoint_failure():
            self._keep_running(job, due, "savepoint failed (injected fault)")
            return
        self._write_savepoint(job, ctx.get("path"))
        written = {"savepoint_written": job["savepoint_path"]}
        if ctx["then"] == "cancel":
            start = self._set_status(job, "job_canceling", due=due, **written)
            self._schedule(job, start, self.settings.durations.cancel, "canceled")
        elif ctx["then"] == "running":
            running = self._set_status(job, "job_running", due=due, **written)
            self._schedule_scale_check(job, running)
        else:  # an internal scaling cycle: restore at the new size
            seconds = self.settings.durations.restore + self._state_seconds(job)
            self._resubmit(job, due, seconds, "", written, restore=True, cu=ctx["cu"], scaled=True)

    def _resubmit(
        self,
        job: dict[str, Any],
        due: float,
        seconds: float,
        desc: str,
        record: dict[str, Any] | None = None,
        **ctx: Any,
    ) -> None:
        """A submit DLI makes on its own (a scaling cycle, a restart after an exception): nothing
        left to check, so nothing it fails for but the restore itself."""
        start = self._set_status(job, "job_submitting", desc, due=due, **(record or {}))
        self._schedule(job, start, seconds, "submitted", failure=None, **ctx)

    def _keep_running(self, job: dict[str, Any], due: float, reason: str) -> None:
        """A failed savepoint or scaling check: the job keeps running at its size (no savepoint, no
        stop, no resize), the reason in status_desc."""
        job["held_cu"] = job["current_cu"]
        self._schedule_scale_check(job, self._set_status(job, "job_running", reason, due=due))

    def _schedule_scale_check(self, job: dict[str, Any], start: float) -> None:
        bounds = scaling_bounds(job["conf"])
        if bounds is not None:
            self._schedule(job, start, bounds[2] * 60, "scale_check")

    def _scale_check(self, job: dict[str, Any], due: float, ctx: dict[str, Any]) -> None:
        """DLI's dynamic scaling: move toward the demand within [cu.min, cu.max] and free CUs."""
        cu_min, cu_max, _ = scaling_bounds(job["conf"])
        current = job["current_cu"]
        target = current
        if job["demand_cu"] is not None:
            target = max(cu_min, min(cu_max, job["demand_cu"]))
            # The CUs this job holds are free for it: the limit is what the others leave.
            target = min(target, self._free_cu(job["conf"]["queue_name"], job["job_id"]))
        if target == current:
            self._schedule_scale_check(job, self._clock())
            return
        job["held_cu"] = max(current, target)
        start = self._set_status(job, "job_savepointing", f"scaling from {current} to {target} CUs")
        seconds = self._savepoint_seconds(job)
        self._schedule(job, start, seconds, "savepointed", then="scale", cu=target)

    # -- checkpoints and restarts after an exception (checkpoints.py cites the sources) ------------

    def _write_checkpoints(self, job: dict[str, Any], now: float) -> None:
        """Write the checkpoint due by `now` of a running job that checkpoints, one every
        checkpoint_interval on the emulator's clock, keeping only the newest (Flink's default
        retention). Written when observed (the job leaves job_running, an admin read), not on a
        timer: the files and the numbering are those a timer would leave."""
        conf = job["conf"]
        since = job.get("running_since")
        if since is None or not checkpoints.checkpointing(conf):
            return
        due = checkpoints.completed(now - since, self._duration(conf["checkpoint_interval"]))
        new = due - job.get("checkpoints_this_run", 0)
        if new <= 0:
            return
        job["checkpoints_this_run"] = due
        job["checkpoint_seq"] = number = job.get("checkpoint_seq", 0) + new
        path = checkpoints.path(conf, job["job_id"], number)
        directory = self._obs_dir(path)
        meta = {"job_id": job["job_id"], "checkpoint": number, "state_mb": job["state_mb"]}
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "_metadata").write_text(json.dumps(meta))
        except OSError:
            # Not written, so not there to restore: the job keeps its older checkpoint. Whether
            # DLI fails the job over a checkpoint OBS refuses is not documented.
            log.exception("checkpoint %s of job %s cannot be written", number, job["job_id"])
            return
        previous, job["checkpoint_path"] = job.get("checkpoint_path"), path
        if previous and previous != path:
            shutil.rmtree(self._obs_dir(previous), ignore_errors=True)

    def _task_failed(self, job: dict[str, Any], due: float, reason: str) -> None:
        """A task of the running job failed: job_running_exception, its CUs free (billing stops),
        and DLI's restart scheduled when restart_when_exception and resume_max_num allow it;
        otherwise the job stays in job_running_exception, the reason in status_desc."""
        now = self._clock()
        hour = self._duration(checkpoints.HOUR)
        restarts = [at for at in job.get("exception_restarts", []) if now - at < hour]
        job["exception_restarts"] = restarts
        why_not = checkpoints.no_restart(job["conf"], restarts, now, hour)
        desc = reason if why_not is None else f"{reason}; not restarted: {why_not}"
        job["held_cu"] = job["current_cu"] = 0
        start = self._set_status(job, "job_running_exception", desc, due=due)
        if why_not is None:
            self._schedule(job, start, checkpoints.RESTART_DELAY, "restart")
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
            folder = checkpoints.folder(conf, job_id)
            local = self._obs_dir(folder)
            found = sorted(p.name for p in local.iterdir()) if local.is_dir() else []
            return {"latest": job.get("checkpoint_path"), "folder": folder, "directories": found}

    # -- admin ------------------------------------------------------------------------------------

    def timeline(self, job_id: int) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._job(job_id)["timeline"])

    def set_load(self, job_id: int, demand_cu: int | None, state_mb: int | None) -> None:
        """Set the CU demand dynamic scaling moves toward, and the state size savepoints carry."""
        with self._cond:
            job = self._job(job_id)
            if demand_cu is not None:
                job["demand_cu"] = demand_cu
            if state_mb is not None:
                job["state_mb"] = state_mb
            self._store.save(job)

    def job_count(self) -> int:
        with self._cond:
            return len(self._jobs)
