"""The emulated DLI: Flink jobs on queues with CU capacity, one backend per project.

Knows nothing of HTTP (the `responses` module adapts it). As moto composes a backend of per-part
mixins, `Backend` holds the state (jobs, the store, the lock, the clock) and the jobs' operations,
and takes the rest from its parts: `machine.MachineBackend` (the status machine's clock and timed
transitions), `savepoints.SavepointsBackend` (savepoints and the OBS buckets they are written to)
and `checkpoints.CheckpointsBackend` (checkpoints and restarts after an exception), each with its
sources. All state changes happen under one lock and are committed to the store before the caller
gets an answer.
"""

from __future__ import annotations

import heapq
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dli_flink.emulator.checkpoints import CheckpointsBackend
from dli_flink.emulator.checks import (
    HOT_FIELDS,
    agency_failure,
    check_body,
    check_config,
    check_running_edit,
    job_cus,
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
from dli_flink.emulator.machine import BUSY, RUNNABLE, STOPPABLE, MachineBackend
from dli_flink.emulator.savepoints import SavepointsBackend
from dli_flink.emulator.store import Store, StoreError

FIRST_JOB_ID = 10001
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


class Backend(MachineBackend, SavepointsBackend, CheckpointsBackend):
    """One project's Flink jobs. Public methods are the DLI operations plus the admin operations
    (the parts' included)."""

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

    # -- run, stop (savepoints: savepoints.py) ----------------------------------------------------

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
