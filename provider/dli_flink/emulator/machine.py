"""The emulated DLI's status machine: which statuses a call may act on, and the clock that carries out
every timed transition (a part of models.Backend, as moto composes a backend of per-part mixins).

Every timed transition is a pending event on the job record (`next_at`, `next_action`, `ctx`),
persisted with the job, and carried out by one scheduler thread at its due time; the timeline
records when it really happened, so the overhead the emulator adds to a transition is measurable.
"""

from __future__ import annotations

import heapq
import logging
import shutil
import threading
from typing import Any

from dli_flink.emulator.checks import scaling_bounds

log = logging.getLogger(__name__)
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


class MachineBackend:
    """The scheduler thread and the transitions it fires, on models.Backend's state and helpers."""

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
