"""A job's status as DLI reports it, read until it settles: observing only, never acting.

After the Flink Kubernetes Operator, which observes a deployment's status apart from reconciling it:
the lifecycle stops, edits and runs the job; a Watch tells it what DLI made of that. DLI applies a run
or stop call a moment after answering it, so the status read right after the call may still be the
one from before it (STALE_GRACE).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dli_flink.deploy.progress import say
from dli_flink.deploy.waits import Heartbeat, poll_until

RUNNING = "job_running"
STOPPED = "job_cancel_success"
TRANSITIONAL = frozenset(
    {
        "job_submitting",
        "job_savepointing",
        "job_canceling",
        "job_downloading",
        "job_arrearage_recovering",
    }
)
STOPPABLE = frozenset({"job_running", "job_submitting"})
STOPPING = frozenset({"job_savepointing", "job_canceling", "job_cancel_success"})
"""A stop call reached DLI: the job is writing its savepoint, stopping, or stopped."""
FAILED_START = frozenset(
    {
        "job_submit_fail",
        "job_running_exception",
        "job_cancel_success",
        "job_cancel_fail",
        "job_finish",
        "job_arrearage_stopped",
    }
)
NOT_RUNNING = FAILED_START | {"job_init"}
"""Settled statuses of a job that does not run (a transitional one is on its way somewhere, as DLI's
own rescaling passes through job_savepointing and job_submitting)."""
STALE_GRACE = 2.0
"""Seconds a status left over from before a run/stop call is taken as "not applied yet", unless the
job has been seen in a transitional state since (then the status is news, not a leftover)."""


class StartFailed(Exception):
    """DLI reports that the job did not start (job_submit_fail and the like)."""


@dataclass(frozen=True)
class Watch:
    """One job's status, read from DLI until a condition holds, with a heartbeat on long waits."""

    job_id: int
    read: Callable[[str], dict[str, Any]]
    """The job as DLI reports it now. It raises when the job is gone; its argument names what was
    being waited for, so that error can say so."""

    def until(
        self, done: Callable[[dict[str, Any]], bool], seconds: float, what: str
    ) -> dict[str, Any]:
        def heartbeat(job: dict[str, Any], waited: float) -> None:
            say(
                f"dli-flink: {job.get('name', self.job_id)}: waiting for {what}, DLI reports "
                f"{job.get('status')} [{waited:.0f}s of at most {seconds:.0f}s]"
            )

        return poll_until(lambda: self.read(what), done, seconds, what, Heartbeat(heartbeat))

    def running(self, before: str, seconds: float) -> dict[str, Any]:
        """Wait for job_running after a run call; StartFailed when DLI says the start failed."""
        called = time.monotonic()
        seen_transition = False

        def done(job: dict[str, Any]) -> bool:
            nonlocal seen_transition
            status = job["status"]
            if status == RUNNING:
                return True
            if status in TRANSITIONAL:
                seen_transition = True
                return False
            stale = (
                status == before and not seen_transition and time.monotonic() - called < STALE_GRACE
            )
            return status in FAILED_START and not stale

        job = self.until(done, seconds, "job_running")
        if job["status"] != RUNNING:
            reason = job.get("status_desc") or "no reason given"
            raise StartFailed(f"DLI reports {job['status']}: {reason}")
        return job

    def stopped(self, seconds: float, savepoint: bool) -> dict[str, Any]:
        """Wait for job_cancel_success after a stop call.

        A stop with savepoint whose savepoint fails leaves the job running (DLI goes back to
        job_running): that is reported as a failed savepoint, not waited out.
        """
        called = time.monotonic()
        seen_transition = False

        def done(job: dict[str, Any]) -> bool:
            nonlocal seen_transition
            status = job["status"]
            if status in TRANSITIONAL:
                seen_transition = True
                return False
            if status == RUNNING:
                failed = "savepoint" in str(job.get("status_desc") or "").lower()
                return seen_transition or failed or time.monotonic() - called > STALE_GRACE
            return True

        job = self.until(done, seconds, "job_cancel_success")
        if job["status"] == RUNNING and savepoint:
            reason = job.get("status_desc") or "the job went back to job_running"
            raise StartFailed(f"the savepoint failed ({reason})")
        if job["status"] != STOPPED and job["status"] not in FAILED_START:
            raise StartFailed(f"DLI reports {job['status']}: {job.get('status_desc') or ''}")
        return job
