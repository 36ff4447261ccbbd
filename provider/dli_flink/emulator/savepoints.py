"""The backend's savepoints and the OBS buckets they are written to: trigger, import, write and
delete a savepoint, and the buckets DLI is authorised to use (a part of models.Backend, as moto
composes a backend of per-part mixins).

Sources, each rule citing its own: dli-api.md ("Documented behaviour": a savepoint's folder,
obs://<bucket>/jobs/savepoint/<job_id>/<time>/; "The savepoint is automatically deleted after the
job is restarted"), the SDK's ImportFlinkJobSavepointRequestBody (the directory holding
`_metadata`) and the API reference's OBS authorisation page (dli_02_0225).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dli_flink.emulator.checks import check_bucket, obs_path, shown
from dli_flink.emulator.errors import OperationNotSupported, ParameterError
from dli_flink.emulator.machine import BUSY


class SavepointsBackend:
    """Savepoints and buckets, on models.Backend's state and helpers."""

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

    def _savepoint_seconds(self, job: dict[str, Any]) -> float:
        return self.settings.durations.savepoint + self._state_seconds(job)

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

    def _obs_dir(self, path: Any) -> Path:
        """The local directory behind an obs://bucket/key path (DLI.0001 for one OBS or the
        emulator's files cannot hold: see `checks.obs_path`)."""
        bucket, parts = obs_path(path, "savepoint_path")
        return self.obs_root.joinpath(bucket, *parts)

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
