"""Delete: stop the job (with a final savepoint when it has state to keep), delete it, wait until
DLI no longer lists it.

Once the job is gone its final savepoint is its state, and a delete has no outputs: a delete whose
final savepoint fails (DLI took the call, the savepoint did not come) deletes nothing and says so in
its error, and every error of a delete names the savepoint it kept, since the next destroy finds the
job stopped and knows it no more (issue 11). A final savepoint DLI refuses outright (an error answer
to the stop call) is the one case the job is stopped without one, and the delete says so (issue 9).
"""

from __future__ import annotations

from dli_flink.deploy import ownership
from dli_flink.deploy.calls import (
    LATE_GRACE,
    JobCalls,
    LifecycleError,
    describe_error,
    is_ambiguous,
    is_missing,
)
from dli_flink.deploy.dliapi import DliError
from dli_flink.deploy.operation import Operation
from dli_flink.deploy.restore import FAILED, checkpoint_folder, checkpoints, found
from dli_flink.deploy.status import RUNNING, STOPPABLE, TRANSITIONAL, StartFailed
from dli_flink.deploy.waits import WaitTimeout, poll_until

FINAL_STEP = "stop with a final savepoint"
KEEP_OR_GIVE_UP = (
    "run pulumi destroy again to try once more, or stop the job in DLI first to delete it without "
    "one (its state is then only in its checkpoints)"
)


class DeleteSteps(JobCalls):
    """A delete's steps: the final stop, then the delete and the wait until the job is gone."""

    def _delete_owned(self, op: Operation, savepoint: bool) -> str | None:
        """Delete the job unless it is no longer this resource's; the final savepoint's path."""
        kept = None
        try:
            with self.api.bounded(op.deadline):
                elsewhere = self._owned_elsewhere(op)
                if elsewhere:
                    op.progress(f"{elsewhere}: it is left as it is")
                    return None
                kept = self._final_stop(op, savepoint)
                self._remove(op)
                return kept
        except (DliError, WaitTimeout, StartFailed) as error:
            raise LifecycleError(self._delete_failed(op, error, kept)) from None

    def _delete_failed(self, op: Operation, error: BaseException, kept: str | None) -> str:
        """The line of a delete ended by `error`: DLI's state now and the savepoint it kept."""
        try:
            status = (self.show(op.job_id) or {}).get("status", "no such job")
        except DliError as unread:
            status = f"unknown (reading it failed too: {describe_error(unread)})"
        savepoint = (
            f"its final savepoint is kept at {kept}" if kept else "no final savepoint was written"
        )
        return (
            f"job {op.name}: delete of DLI job {op.job_id} failed: {describe_error(error)}; "
            f"DLI reports the job {status}, {savepoint}; run pulumi destroy again"
        )

    def _owned_elsewhere(self, op: Operation) -> str | None:
        """Why the job this resource's outputs name is no longer this resource's to delete, or
        None: DLI's job under that id carries another name, or another resource of the stack
        adopted it during this deployment (the engine deletes a changed URN after the program)."""
        job = self.show(op.job_id)
        if job is not None and job.get("name") != op.name:
            return f"DLI job {op.job_id} is named {job.get('name')}, not {op.name}"
        if ownership.adopted(op.job_id):
            return f"DLI job {op.job_id} was adopted by another resource of this stack"
        return None

    def _delete(self, op: Operation, savepoint: bool) -> str | None:
        """Stop the job (with a final savepoint if `savepoint` and it runs), delete it, and wait
        until DLI no longer lists it; the savepoint's path, if one was written."""
        kept = self._final_stop(op, savepoint)
        self._remove(op)
        return kept

    def _final_stop(self, op: Operation, savepoint: bool) -> str | None:
        """Stop the job, with a final savepoint if `savepoint` and it runs; the savepoint's path.
        A final savepoint DLI cannot write (or does not report) ends the delete before it deletes."""
        job = self.show(op.job_id)
        if job is None:
            return None
        if job["status"] in TRANSITIONAL - STOPPABLE:
            job = self._watch(op.job_id).until(
                lambda j: j["status"] not in TRANSITIONAL - STOPPABLE,
                op.options.delete_seconds,
                "the job to settle",
            )
        if job["status"] not in STOPPABLE:
            if savepoint and job["status"] == FAILED and checkpoints(job):
                # No final savepoint from a job that does not run: its state stays in OBS.
                op.progress(
                    f"DLI reports the job {found(job)}: no final savepoint possible; its state "
                    f"stays in its latest checkpoint, in {checkpoint_folder(job)}"
                )
            return None
        if not (savepoint and job["status"] == RUNNING):
            op.progress("stopping")
            self._stop_with_savepoint(op, False)
            return None
        op.progress("stopping with a final savepoint")
        try:
            stopped, path = self._stop_with_savepoint(op, True, FINAL_STEP)
        except LifecycleError as refused:
            # DLI answered the call with an error (not a failed savepoint: the job runs on, never
            # having stopped): as the README promises (issue 9), stop without one and say so.
            op.progress(
                f"DLI refused the stop with a final savepoint ({refused}): stopping without one"
            )
            self._stop_with_savepoint(op, False)
            return None
        except StartFailed as failure:
            status = (self.show(op.job_id) or {}).get("status", "no such job")
            raise LifecycleError(
                f"job {op.name}: delete: {FINAL_STEP} failed: {describe_error(failure)}; nothing "
                f"was deleted, DLI reports the job {status}; {KEEP_OR_GIVE_UP}"
            ) from None
        if not path:
            # DLI writes a job's savepoints under obs://<bucket>/jobs/savepoint/<job_id>/<time>/
            # (dli-api.md, "Documented behaviour"): the folder is all there is to name.
            bucket = (stopped.get("job_config") or {}).get("obs_bucket")
            raise LifecycleError(
                f"job {op.name}: delete: {FINAL_STEP} failed: DLI stopped the job but reports no "
                f"savepoint; nothing was deleted, DLI reports the job {stopped.get('status')}; its "
                f"state is in the newest folder in obs://{bucket}/jobs/savepoint/{op.job_id}/ if "
                "DLI wrote it: the next pulumi destroy deletes the stopped job"
            )
        op.progress(f"final savepoint kept at {path}")
        return path

    def _remove(self, op: Operation) -> None:
        """Delete the stopped job and wait until DLI no longer lists it. A lost answer is not
        taken as "not deleted": the job is watched for LATE_GRACE before the call's error counts
        (a request the gateway gave up on may still reach DLI a moment later, issue 11)."""
        try:
            self.api.delete_job(op.job_id)
        except DliError as error:
            if is_ambiguous(error):
                op.progress(f"the delete call got no answer ({describe_error(error)}): watching")
                if not self._gone(op, LATE_GRACE):
                    raise
            elif not is_missing(error):
                raise
        op.progress("deleted, waiting until DLI no longer lists it")
        self._wait_gone(op, max(op.remaining(), 1.0))
        op.progress("gone")

    def _wait_gone(self, op: Operation, seconds: float) -> None:
        """Return once DLI no longer lists the job; WaitTimeout after `seconds`."""
        poll_until(lambda: self.show(op.job_id), lambda j: j is None, seconds, "the job to be gone")

    def _gone(self, op: Operation, seconds: float) -> bool:
        """Whether DLI no longer lists the job within `seconds`."""
        try:
            self._wait_gone(op, seconds)
        except WaitTimeout:
            return False
        return True
