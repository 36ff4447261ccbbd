"""The lifecycle's DLI calls, each failing with the one line the user reads, and the words for errors.

The first layer of lifecycle.py's state machine (JobCalls): acting on the job is here, observing its
status is status.Watch's. A call whose answer was lost is never taken as "DLI did nothing": the job
is read, and watched for LATE_GRACE, before the call counts as not carried out (issue 11).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dli_flink.deploy import ownership
from dli_flink.deploy.dliapi import DliApi, DliError
from dli_flink.deploy.inputs import Options
from dli_flink.deploy.operation import Operation, Record
from dli_flink.deploy.status import (
    RUNNING,
    STOPPABLE,
    STOPPING,
    TRANSITIONAL,
    Watch,
)
from dli_flink.deploy.waits import WaitTimeout
from dli_flink.model.spec import JobSpec

_RETRY = "DLI's tag calls are safe to repeat, run pulumi up again"


BUCKET_FIX = (
    "check that the bucket exists in this region and that DLI holds its service authorisation "
    "(DLI console: Global Configuration > Service Authorization, Tenant Administrator (Global "
    "service); DLI FAQ dli_03_0138 and dli_03_0045)"
)
"""What to do when DLI will not take an OBS bucket: the FAQs' fix for a bucket DLI reports as not
authorised (the console's Authorize answers DLI.10001 without it)."""
NOT_AUTHORIZED = "DLI.11016"
"""DLI's code for a create naming an obs_bucket not authorised to it (Creating a Flink Jar Job)."""


def _pairs(tags: dict[str, str]) -> str:
    """Tags for an error line: team=data, owner=x."""
    return ", ".join(f"{k}={v}" for k, v in tags.items())


class LifecycleError(Exception):
    """An operation that did not complete; the message is the one line the Pulumi user reads."""


STARTING = frozenset({"job_submitting", RUNNING})
"""A run call reached DLI: the job is being submitted, or runs."""
LATE_GRACE = 2.0
"""Seconds a call whose answer was lost is given to show its effect before it counts as not carried
out: a request the gateway gave up on may still reach DLI a moment later (issue 11)."""


def is_missing(error: DliError) -> bool:
    return error.code == "DLI.16001" or error.status == 404


def is_ambiguous(error: BaseException) -> bool:
    """Whether DLI may have carried out the call despite the error: no answer, or a server error
    (a gateway timeout answers 5xx while DLI goes on). A 4xx or a 429 is a refusal before acting."""
    return isinstance(error, DliError) and (error.status is None or error.status >= 500)


def describe_error(error: BaseException) -> str:
    """The error as a clause: DLI's code, message and request id when it is a DLI error."""
    if isinstance(error, DliError):
        code = error.code or (f"HTTP {error.status}" if error.status else "no answer from DLI")
        text = f"{error.operation} {code}: {error.message.rstrip('.')}"
        return text + (f" (request id {error.request_id})" if error.request_id else "")
    return str(error).rstrip(".")


@dataclass
class Outcome:
    """Where an operation left the job: DLI's last answer, the savepoint, what the update did."""

    job_id: int
    job: dict[str, Any]
    savepoint: str | None = None
    record: Record | None = None


class JobCalls:
    """The DLI calls of the lifecycle's steps, each failing with the one line the user reads.

    Acting on the job is here; observing its status is status.Watch's, which `_watch` hands out.
    """

    owner = ""
    """The legacy owner mark (Lifecycle.owner) for a resource registered without its own."""

    def __init__(self, api: DliApi) -> None:
        self.api = api

    # -- reading ----------------------------------------------------------------------------------

    def show(self, job_id: int) -> dict[str, Any] | None:
        """The job as DLI reports it, or None when it does not exist."""
        try:
            return self.api.show_job(job_id)
        except DliError as error:
            if is_missing(error):
                return None
            raise

    def show_tagged(self, job_id: int) -> dict[str, Any] | None:
        """The job as DLI reports it with its tags (`tags`: [{key, value}], read with the tag API,
        without this provider's owner mark, which is no user tag), or None when it does not
        exist."""
        job = self.show(job_id)
        if job is None:
            return None
        held = self.api.job_tags(job_id)
        job["tags"] = [{"key": k, "value": v} for k, v in held.items() if k != ownership.OWNER_TAG]
        return job

    def find(self, name: str) -> dict[str, Any] | None:
        """The job with exactly this name (DLI's name filter matches substrings)."""
        return next((j for j in self.api.iter_jobs(name=name) if j.get("name") == name), None)

    def _watch(self, job_id: int) -> Watch:
        """The job's status, read until a step's condition holds (observing, apart from acting)."""
        return Watch(job_id, functools.partial(self._present, job_id))

    def _present(self, job_id: int, what: str) -> dict[str, Any]:
        """The job as DLI reports it during a wait for `what`; gone, it ends the operation."""
        job = self.show(job_id)
        if job is None:
            raise LifecycleError(f"DLI job {job_id} disappeared while waiting for {what}")
        return job

    # -- acting -----------------------------------------------------------------------------------

    def _authorize(self, name: str, new: JobSpec, old: JobSpec | None = None) -> None:
        """Let DLI use the job's OBS bucket (savepoints, checkpoints) before a call needs it: on
        create, and when an update names a bucket other than the one already authorised (DLI
        refuses a Jar job's unauthorised obs_bucket with DLI.11016: emulator/errors.py)."""
        if new.obs_bucket and (old is None or new.obs_bucket != old.obs_bucket):
            self._call(
                name,
                f"authorise the OBS bucket {new.obs_bucket}",
                f"; {BUCKET_FIX}; nothing was changed",
                self.api.authorize_buckets,
                [new.obs_bucket],
            )

    def _retag(self, op: Operation, new: JobSpec, status: str) -> None:
        """Make the job's tags the document's, and mark it as this stack's, through DLI's tag API,
        before any other step: tags are no configuration DLI runs, so this touches neither the
        job's status nor its state (API reference dli_02_0396: the calls name no status).

        The tags DLI holds are read first, so only what differs is sent: tags added or changed
        are set in one call (a key DLI holds takes the new value), then the tags the document no
        longer writes are removed in a second. Both are safe to repeat, so an error says what
        went in and `pulumi up` again finishes it. This provider's owner mark is never removed.
        """
        wanted = dict(new.tags or ())
        mark = self._mark(op.options)
        if mark:  # the resource's mark replaces a legacy one, or another resource's of this stack
            wanted[ownership.OWNER_TAG] = mark
        step = f"{op.progress.operation}: "
        unchanged = f"nothing was changed, DLI reports the job {status}"
        read = functools.partial(self.api.job_tags, op.job_id)
        held = self._call(op.name, step + "read the tags", f"; {unchanged}", read)
        put = {k: v for k, v in wanted.items() if held.get(k) != v}
        gone = {k: v for k, v in held.items() if k not in wanted and k != ownership.OWNER_TAG}
        if put:
            tail = f"; {unchanged}; {_RETRY}"
            add = functools.partial(self.api.add_tags, op.job_id, put.items())
            self._call(op.name, f"{step}set tags {_pairs(put)}", tail, add)
        if gone:
            done = f"tags {_pairs(put)} were set, nothing else" if put else "nothing"
            tail = f"; {done} was changed, DLI reports the job {status}; {_RETRY}"
            remove = functools.partial(self.api.delete_tags, op.job_id, gone.items())
            self._call(op.name, f"{step}remove tags {_pairs(gone)}", tail, remove)
        if put or gone:
            op.progress("tags set through DLI's tag API, the job untouched")

    def _mark(self, options: Options) -> str:
        """The owner mark a job of this resource carries: the resource's (project:stack:resource,
        inputs.MARK_KEY), else this provider's legacy mark."""
        return options.owner or self.owner

    def _put(self, spec: JobSpec, job_id: int, body: dict[str, Any]) -> None:
        update = self.api.update_sql_job if spec.is_sql else self.api.update_jar_job
        update(job_id, body)

    def _call(self, name: str, step: str, tail: str, call: Callable[..., Any], *args: Any) -> Any:
        """A DLI call whose failure needs no rollback: nothing changed yet, or nothing to undo;
        `tail` ends its error line (where that leaves the job, and what to do)."""
        try:
            return call(*args)
        except DliError as error:
            raise LifecycleError(
                f"job {name}: {step} failed: {describe_error(error)}{tail}"
            ) from None

    def _stop_with_savepoint(
        self, op: Operation, keep: bool, step: str | None = None
    ) -> tuple[dict[str, Any], str | None]:
        """Stop the job (with a savepoint when `keep`), wait until DLI reports it stopped, and
        return DLI's view of it and the savepoint's path (None without `keep`).

        StartFailed (the savepoint failed, the job runs on) and WaitTimeout mean something else to
        each caller, so each words them itself. An update names its `step`: then an error answer to
        the stop is checked against the job, because a lost or failed answer to a stop DLI carried
        out must not stop the cycle halfway. A delete names none and reports the error itself.
        """
        try:
            self.api.stop_jobs([op.job_id], keep)
        except DliError as error:
            if step is None:
                raise
            self._stop_answer_lost(op, keep, step, error)
        job = self._watch(op.job_id).stopped(op.remaining(), keep)
        return job, job.get("savepoint_path") if keep else None

    def _stop_answer_lost(self, op: Operation, keep: bool, step: str, error: DliError) -> None:
        """The stop was answered with an error: return once DLI is stopping the job, or raise
        saying what state DLI has it in.

        A refusal (4xx) did nothing, but a lost answer may hide a stop DLI carries out now or a
        moment later: the job is watched for LATE_GRACE, and a stop still not seen is sent once
        more (if the first arrives after all, DLI refuses one of them and the job stops once)."""
        job = self._settled_after(op, error)
        if job.get("status") in STOPPING:
            op.progress(f"the stop call failed ({describe_error(error)}) but DLI is stopping it")
            return
        if is_ambiguous(error) and job.get("status") in STOPPABLE:
            op.progress(f"the stop call got no answer ({describe_error(error)}): sending it again")
            try:
                self.api.stop_jobs([op.job_id], keep)
                return
            except DliError as again:
                job, error = self.show(op.job_id) or {}, again
                if job.get("status") in STOPPING:
                    return
        raise LifecycleError(
            f"job {op.name}: {op.progress.operation}: {step} failed: {describe_error(error)}; "
            f"nothing was changed, DLI reports the job {job.get('status', 'gone')}"
        ) from None

    def _settled_after(
        self, op: Operation, error: BaseException, effect: frozenset[str] = STOPPING
    ) -> dict[str, Any]:
        """The job after a call answered with `error`: read at once after a refusal or once DLI
        shows the call's `effect` (a stop's by default), else watched for LATE_GRACE after a lost
        answer until it leaves the state it was in."""
        job = self.show(op.job_id) or {}
        if not is_ambiguous(error) or job.get("status") in effect:
            return job
        first = job.get("status")
        try:
            return self._watch(op.job_id).until(
                lambda j: j["status"] != first,
                min(LATE_GRACE, op.remaining()),
                "a call whose answer was lost to show its effect",
            )
        except WaitTimeout as timeout:
            return timeout.last if isinstance(timeout.last, dict) else job

    def _settled(self, op: Operation, job: dict[str, Any]) -> dict[str, Any]:
        """The job once it left its transitional status, or as last seen when that takes longer
        than what is left of the operation (at least LATE_GRACE): what to tell the user."""
        try:
            return self._watch(op.job_id).until(
                lambda j: j["status"] not in TRANSITIONAL,
                max(op.remaining(), LATE_GRACE),
                "the job to settle",
            )
        except WaitTimeout as timeout:
            return timeout.last if isinstance(timeout.last, dict) else job

    def _run(self, op: Operation, resume: bool, before: str) -> dict[str, Any]:
        """Run the job (from its savepoint when `resume`) and wait until it runs. A lost answer is
        not taken as "not run": the job is watched as after an answered call, and only a status
        that stays `before` past the stale grace counts as a start that did not happen."""
        try:
            self.api.run_jobs([op.job_id], resume)
        except DliError as error:
            if not is_ambiguous(error):
                raise
            op.progress(f"the run call got no answer ({describe_error(error)}): watching the job")
            if self._settled_after(op, error, STARTING).get("status") == before:
                raise  # DLI did not act on it within LATE_GRACE: the call's own error says why
        return self._watch(op.job_id).running(before, op.remaining())
