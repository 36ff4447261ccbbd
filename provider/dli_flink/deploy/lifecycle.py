"""The lifecycle: carrying out a planned change against DLI without losing state or leaving a job stopped.

The state machine of docs/architecture.md, after the Flink Kubernetes Operator's savepoint upgrade:

    restart class:  stop with savepoint -> wait stopped -> record the savepoint -> PUT the new
                    configuration -> run resuming from the savepoint -> wait running
                    on a failed PUT or restore: PUT the old configuration, resume from the SAME
                    savepoint, and fail saying so (or, if that fails too, name the savepoint and the
                    command that resumes it)
    in place:       PUT the hot fields while the job runs
    found stopped:  an interrupted cycle (or a killed provider) left the job stopped with a savepoint:
                    resume from it with the new configuration instead of starting empty

Create cleans up after itself (no leaked job), delete stops first and waits until the job is gone.
Every wait is bounded by the spec's `timeouts`; every error's text is one line naming the job, the
step, DLI's error code and request id, and the savepoint, because that line is what the user reads.

In layers, each on the one before: JobCalls (calls.py: DLI's calls, each with its error line),
UpdateSteps (the cycle above) and DeleteSteps (deletion.py), Lifecycle (create, update, resume,
delete). Each step takes the operation's context
(operation.py) and at most three things of its own; status.py watches DLI apart from acting on it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, NoReturn

from dli_flink.deploy import ownership
from dli_flink.deploy.calls import (
    BUCKET_FIX,
    LATE_GRACE,
    NOT_AUTHORIZED,
    JobCalls,
    LifecycleError,
    Outcome,
    describe_error,
    is_ambiguous,
)
from dli_flink.deploy.deletion import DeleteSteps
from dli_flink.deploy.dliapi import DliApi, DliError
from dli_flink.deploy.inputs import Options
from dli_flink.deploy.observed import applied, observed
from dli_flink.deploy.operation import Operation, Record, UpdateOperation
from dli_flink.deploy.progress import Progress
from dli_flink.deploy.restore import FAILED, FROM_DIRECTORY, NEWEST_SAVEPOINT, found, start_from
from dli_flink.deploy.status import (
    RUNNING,
    STOPPABLE,
    TRANSITIONAL,
    StartFailed,
)
from dli_flink.deploy.waits import WaitTimeout
from dli_flink.model import fields
from dli_flink.model.planner import ChangeClass, plan
from dli_flink.model.spec import JobSpec
from dli_flink.model.starts import PREVIOUS_JOB

RESUME_COMMAND = "dli-flink resume {job_id} {savepoint}"


def _left_stopped(savepoint: str | None) -> str:
    """The end of an error line that leaves the job stopped."""
    kept = f", its savepoint is {savepoint}" if savepoint else ""
    return f"; the job is stopped{kept}: fix the cause and run pulumi up --refresh"


def _stop_step(keep: bool) -> str:
    """The stop's step name: without an OBS bucket DLI can write no savepoint, and the step says so."""
    return "stop with savepoint" if keep else "stop (no obsBucket: no savepoint possible)"


def _going_down(op: UpdateOperation, keep: bool, why: str) -> str:
    """Say and record that an update stops the job (from now on it is not running); its step name.

    A running job is never taken down once the update's time is spent (a DLI call that hung took
    it): the cycle could not finish, and the job would stand stopped until the next up."""
    step = _stop_step(keep)
    if op.remaining() <= 0:
        raise LifecycleError(
            f"job {op.name}: {op.progress.operation}: timeouts.update "
            f"({op.options.update_seconds / 60:g} minutes) ran out before '{step}' (DLI answered "
            f"slowly); nothing was changed, DLI reports the job {RUNNING}, no savepoint was "
            "taken; run pulumi up again"
        )
    op.progress(step + why)
    op.record.step(step)
    op.record.down()
    return step


class UpdateSteps(JobCalls):
    """An update's steps after the planner's class: edit in place, or stop with a savepoint, edit,
    resume from it and roll back on failure; a job found stopped is resumed, never started empty."""

    def _update(self, begun: Operation, old: JobSpec, new: JobSpec) -> Outcome:
        """Bring the job from `old` to `new` by the planner's class, starting from where DLI has it:
        settling, stopped (an interrupted cycle), running, or already running `new`."""
        change = plan(old, new)
        op = UpdateOperation.of(begun, Record(change.change_class.label))
        try:
            with self.api.bounded(op.deadline):
                return self._carry_out(op, old, new)
        except (DliError, StartFailed, WaitTimeout) as error:
            raise LifecycleError(self._ended(op, error)) from None

    def _ended(self, op: UpdateOperation, error: BaseException) -> str:
        """The line of an update ended by an error no step words itself (a status read refused,
        a wait that ran out): the job, the step, what DLI reports now and the savepoint."""
        steps = op.record.steps
        step = steps[-1]["step"] if steps else "read the job"
        try:
            job = self.show(op.job_id) or {}
            if job.get("status") in TRANSITIONAL:
                job = self._settled(op, job)
            status = job.get("status", "no such job")
        except DliError as unread:
            job, status = {}, f"unknown (reading it failed too: {describe_error(unread)})"
        savepoint = op.record.savepoint or (job.get("savepoint_path") if job else None)
        state = (
            f"its state is in savepoint {savepoint}"
            if savepoint
            else "DLI reports no savepoint for it"
        )
        advice = (
            "run pulumi up again"
            if status == RUNNING
            else "run pulumi up --refresh: it resumes the job from its savepoint"
        )
        return (
            f"job {op.name}: {op.progress.operation} failed at '{step}': {describe_error(error)}; "
            f"DLI reports the job {status}, {state}; {advice}"
        )

    def _carry_out(self, op: UpdateOperation, old: JobSpec, new: JobSpec) -> Outcome:
        """The update's steps, from the state DLI reports the job in."""
        change = plan(old, new)
        job = self.show(op.job_id)
        if job is None:
            raise LifecycleError(
                f"job {op.name}: {op.progress.operation}: DLI job {op.job_id} no longer exists; "
                "run pulumi up --refresh to create it again"
            )
        if job["status"] in TRANSITIONAL:
            op.progress(f"job is {job['status']}: waiting for it to settle")
            op.record.step(f"found {job['status']}")
            job = self._watch(op.job_id).until(
                lambda j: j["status"] not in TRANSITIONAL, op.remaining(), "the job to settle"
            )
        self._retag(op, new, job["status"])
        if job["status"] != RUNNING:
            return self._start_stopped(op, job, old, new)
        if op.options.restore_from:
            op.progress(
                f"restore names {op.options.restore_from}: not used, DLI runs the job (its own "
                "state is newer)"
            )
        if not op.options.running:
            return self._stop_running(op, job, new)
        if change.change_class == ChangeClass.NONE:
            return Outcome(op.job_id, job, record=None)
        if applied(new, job, change):
            op.progress("DLI already runs this configuration (an interrupted update applied it)")
            op.record.step("found running with the new configuration")
            return Outcome(op.job_id, job, record=op.record)
        if change.change_class == ChangeClass.IN_PLACE:
            op.record.step("edit in place")
            # Only the hot fields that change: a running Jar job refuses an unchanged obs_bucket
            # (Terraform's flinkjar resource sends it "only when changed, otherwise the interface
            # will return an error"); where unsure, send less.
            before = old.to_dli_body(for_update=True)
            hot = {
                k: v
                for k, v in new.to_dli_body(for_update=True).items()
                if k in fields.TABLE.hot_wire_fields and before.get(k) != v
            }
            if hot:  # else only tags changed, and _retag set them
                self._authorize(op.name, new, old)
                self._put(new, op.job_id, hot)  # a failure ends in _ended: the step and DLI's state
            op.progress("edited in place, the job kept running")
            op.record.step("done")
            return Outcome(op.job_id, self.show(op.job_id) or job, record=op.record)
        return self._restart(op, old, new)

    def _restart(self, op: UpdateOperation, old: JobSpec, new: JobSpec) -> Outcome:
        """The restart class: stop with a savepoint (nothing is edited without one), then edit and
        resume from it."""
        self._authorize(op.name, new, old)
        body = new.to_dli_body(for_update=True)
        keep = bool(old.obs_bucket)
        step = _going_down(op, keep, "")
        try:
            stopped, savepoint = self._stop_with_savepoint(op, keep, step)
        except (StartFailed, WaitTimeout) as failure:
            raise LifecycleError(
                f"job {op.name}: update: {step} failed: {describe_error(failure)}; "
                "nothing was changed and the previous configuration is still running"
                if isinstance(failure, StartFailed)
                else f"job {op.name}: update: {step}: {failure}; the job may still be "
                "stopping: run pulumi up --refresh, it resumes the job from its savepoint"
            ) from None
        op.record.savepoint = savepoint
        op.record.step("stopped")
        if keep and not savepoint:
            # DLI writes a job's savepoints under obs://<bucket>/jobs/savepoint/<job_id>/<time>/
            # (dli-api.md, "Documented behaviour"): the folder is all there is to name.
            raise LifecycleError(
                f"job {op.name}: update: {step} failed: DLI stopped job {op.job_id} but reports no "
                f"savepoint; nothing was edited, DLI reports the job {stopped['status']}, its state "
                f"is in the newest folder in obs://{old.obs_bucket}/jobs/savepoint/{op.job_id}/ if "
                "DLI wrote it: run pulumi up --refresh, it resumes the job from the newest "
                f"savepoint DLI holds for it (restore: {op.options.restore})"
            )
        op.progress(f"stopped, savepoint {savepoint}" if savepoint else "stopped")
        return self._edit_and_resume(op, old, new, body)

    def _edit_and_resume(
        self, op: UpdateOperation, old: JobSpec | None, new: JobSpec, body: dict[str, Any]
    ) -> Outcome:
        """PUT `body` into the stopped job and resume it from the savepoint the record names (the
        one lastChange reports as used); roll back to `old` on failure."""
        savepoint = op.record.savepoint
        resume = bool(savepoint) or (op.record.started_from or "").startswith(NEWEST_SAVEPOINT)
        step = "edit"
        try:
            op.record.step("edit")
            self._put(new, op.job_id, body)
            step = "resume from the savepoint" if resume else "start"
            op.record.step(step)
            op.progress(f"edited, {step}")
            before = (self.show(op.job_id) or {}).get("status", "")
            job = self._run(op, resume, before)
        except (DliError, StartFailed, WaitTimeout) as failure:
            job = self._after_failed_start(op, step, failure)
            if job is not None:
                return self._resumed(op, job)
            if old is None:
                state = f"; its state is in savepoint {savepoint}" if savepoint else ""
                raise LifecycleError(
                    f"job {op.name}: {step} of DLI job {op.job_id} failed: "
                    f"{describe_error(failure)}. The job is not running{state}; fix the cause "
                    "and run pulumi up --refresh"
                ) from None
            self._rollback(op, old, step, failure)
        return self._resumed(op, job)

    def _resumed(self, op: UpdateOperation, job: dict[str, Any]) -> Outcome:
        op.record.up()
        op.record.step("running")
        op.progress(f"running again after {op.record.not_running:.2f}s not running")
        return Outcome(op.job_id, job, op.record.savepoint, op.record)

    def _after_failed_start(
        self, op: UpdateOperation, step: str, failure: BaseException
    ) -> dict[str, Any] | None:
        """The job, if it runs the new configuration after all, once a failed resume settled: a
        lost answer or a wait that ran out may hide a start DLI carried out, and only the job can
        tell (never assume an unanswered call did nothing). None when it does not run. After the
        update's time ran out the job is read once, not waited for: the rollback stops a start
        still under way (with a savepoint, should it be running by then)."""
        if step == "edit":
            return None  # the new configuration never got its run call
        job = self.show(op.job_id) or {}
        if job.get("status") in TRANSITIONAL and not isinstance(failure, WaitTimeout):
            try:
                job = self._watch(op.job_id).until(
                    lambda j: j["status"] not in TRANSITIONAL,
                    op.options.create_seconds,
                    "the start to settle",
                )
            except WaitTimeout:
                return None
        if job.get("status") != RUNNING:
            return None
        op.progress(f"{step}: {describe_error(failure)}, but DLI runs the job: the update holds")
        return job

    def _rollback(
        self, op: UpdateOperation, old: JobSpec, step: str, failure: BaseException
    ) -> NoReturn:
        """Put the old configuration back and resume it from the same savepoint, then raise."""
        savepoint = op.record.savepoint
        # A job found stopped whose savepoint DLI does not report resumes from it all the same:
        # so does the rollback, or it would start the previous configuration empty.
        hidden = not savepoint and (op.record.started_from or "").startswith(NEWEST_SAVEPOINT)
        what = f"job {op.name}: update failed at '{step}': {describe_error(failure)}"
        state = (
            f"its state is in savepoint {savepoint}"
            if savepoint
            else f"its state is in {NEWEST_SAVEPOINT}"
            if hidden
            else "it has no savepoint (no obsBucket)"
        )
        op.progress(f"{step} failed, rolling back to the previous configuration")
        op.record.step("roll back")
        rollback_step = "stop the failed start"
        # The rollback has its own bound: the update's may be spent (a restore that timed out).
        rollback = Operation(
            op.job_id,
            op.name,
            op.options,
            op.progress,
            time.monotonic() + op.options.create_seconds,
        )
        try:
            job = self.show(op.job_id) or {}
            if job.get("status") in STOPPABLE:
                # A start under way may be running by the time the stop arrives, and a running
                # job's state is newer than any savepoint: it stops only with one when it can.
                _, taken = self._stop_with_savepoint(rollback, bool(savepoint))
                savepoint = op.record.savepoint = taken or savepoint
                state = f"its state is in savepoint {savepoint}" if savepoint else state
            elif job.get("status") in TRANSITIONAL:
                self._watch(op.job_id).until(
                    lambda j: j["status"] not in TRANSITIONAL and j["status"] not in STOPPABLE,
                    op.options.create_seconds,
                    "the failed start to stop",
                )
            if savepoint and not (self.show(op.job_id) or {}).get("has_savepoint"):
                rollback_step = "import the savepoint"
                self.api.import_savepoint(op.job_id, savepoint)
            rollback_step = "restore the previous configuration"
            self._put(old, op.job_id, old.to_dli_body(for_update=True))
            rollback_step = "resume the previous configuration"
            before = (self.show(op.job_id) or {}).get("status", "")
            self._run(rollback, bool(savepoint) or hidden, before)
        except (DliError, StartFailed, WaitTimeout, LifecycleError) as second:
            resume = (
                f"Resume it with: {RESUME_COMMAND.format(job_id=op.job_id, savepoint=savepoint)}"
                if savepoint
                else "Start it again in the DLI console"
            )
            raise LifecycleError(
                f"{what}. The rollback failed too at '{rollback_step}': "
                f"{describe_error(second)}. Job {op.job_id} is STOPPED; {state}. "
                f"{resume} (or run pulumi up --refresh: an update resumes a stopped job from its "
                "savepoint)"
            ) from None
        op.record.up()
        restored = (
            f"restored from savepoint {savepoint}"
            if savepoint
            else f"resumed from {NEWEST_SAVEPOINT}"
            if hidden
            else "started without state"
        )
        op.progress("rolled back: the previous configuration is running again")
        raise LifecycleError(
            f"{what}. Rolled back: the previous configuration is running again, {restored}; "
            "fix the spec and run pulumi up again"
        )

    def _start_stopped(
        self, op: UpdateOperation, job: dict[str, Any], old: JobSpec, new: JobSpec
    ) -> Outcome:
        """The job is not running when the update starts: edit it and, if wanted, resume it.

        A savepoint left by an interrupted cycle is what it resumes from: never an empty start
        when state exists.
        """
        savepoint = job.get("savepoint_path") if job.get("has_savepoint") else None
        op.record.savepoint = savepoint
        op.record.step(f"found {job['status']}")
        if job["status"] != "job_init":
            op.record.down()
        body = new.to_dli_body(for_update=True)
        if not op.options.running:
            if op.options.restore_from:
                op.progress(f"restore names {op.options.restore_from}: not used, nothing starts")
            self._call(op.name, "edit", _left_stopped(savepoint), self._put, new, op.job_id, body)
            op.record.step("edited, left stopped")
            op.progress("edited, left stopped as desiredState says")
            return Outcome(op.job_id, self.show(op.job_id) or job, savepoint, op.record)
        started_from = start_from(op, job, savepoint)
        if op.options.restore_from:
            passed = f", in place of savepoint {savepoint}" if savepoint else ""
            op.progress(f"job is {found(job)}: importing {op.options.restore_from}{passed}")
            op.record.step("import the directory restore names")
            tail = f"; nothing was started, DLI reports the job {job['status']}"
            self._import(op.name, op.job_id, op.options.restore_from, new, tail)
            op.record.savepoint = op.options.restore_from
        if job["status"] == FAILED:
            started_from += f", after DLI reported the job {found(job)}"
        op.record.started_from = started_from
        resuming = started_from.startswith(("savepoint", NEWEST_SAVEPOINT, FROM_DIRECTORY))
        op.progress(
            f"job is {found(job)}: {'resuming' if resuming else 'starting'} from {started_from}"
        )
        return self._edit_and_resume(op, None if job["status"] == "job_init" else old, new, body)

    def _import(self, name: str, job_id: int, directory: str, spec: JobSpec, tail: str) -> None:
        """Import `directory` as the job's savepoint, after letting DLI read its bucket: "DLI can
        access files in the checkpoint path only after DLI is authorized to access the OBS
        bucket" (FAQ dli_03_0038)."""
        bucket = directory.removeprefix("obs://").split("/", 1)[0]
        if bucket != spec.obs_bucket:
            self._call(
                name,
                f"authorise the OBS bucket {bucket}",
                tail,
                self.api.authorize_buckets,
                [bucket],
            )
        self._call(
            name,
            f"import {directory} (restore)",
            tail,
            self.api.import_savepoint,
            job_id,
            directory,
        )

    def _stop_running(self, op: UpdateOperation, job: dict[str, Any], new: JobSpec) -> Outcome:
        """desiredState: stopped: stop with a savepoint (kept for the next start), then edit.

        Without an OBS bucket DLI can write no savepoint: the job is stopped without one.
        """
        keep = bool((job.get("job_config") or {}).get("obs_bucket"))
        step = _going_down(op, keep, " (desiredState: stopped)")
        try:
            job, savepoint = self._stop_with_savepoint(op, keep, step)
        except (StartFailed, WaitTimeout) as failure:
            raise LifecycleError(
                f"job {op.name}: {step} failed: {describe_error(failure)}; the job is still running"
            ) from None
        op.record.savepoint = savepoint
        body = new.to_dli_body(for_update=True)
        self._call(op.name, "edit", _left_stopped(savepoint), self._put, new, op.job_id, body)
        op.record.step("stopped")
        op.progress(f"stopped, savepoint {savepoint}" if savepoint else "stopped")
        return Outcome(op.job_id, self.show(op.job_id) or job, savepoint, op.record)


class Lifecycle(UpdateSteps, DeleteSteps):
    """The operations of one job on one DliApi. Stateless between calls: safe from many threads.

    An update or delete makes one Operation and hands it to its steps, as the Flink Kubernetes
    Operator hands its reconcile steps a FlinkResourceContext.
    """

    def __init__(
        self, api: DliApi, say: Callable[[str], None] | None = None, owner: str = ""
    ) -> None:
        super().__init__(api)
        self.say = say
        self.owner = owner
        """This provider's legacy mark (ownership.stack_mark), for resources registered without
        their own (inputs.MARK_KEY) and to recognise jobs created before those; "" marks nothing."""

    def _progress(self, name: str, operation: str) -> Progress:
        return Progress(str(name), operation, **({"print_line": self.say} if self.say else {}))

    # -- create -----------------------------------------------------------------------------------

    def create(self, spec: JobSpec, options: Options) -> Outcome:
        """Create and start the job of `spec` (validated by the caller), or adopt its namesake;
        no call waits past timeouts.create."""
        with self.api.bounded(time.monotonic() + options.create_seconds):
            return self._create_and_start(spec, options)

    def _create_and_start(self, spec: JobSpec, options: Options) -> Outcome:
        name = str(spec.name)
        progress = self._progress(name, "create")
        existing = self._call(name, "look the name up", "; nothing was created", self.find, name)
        if existing is not None:
            job_id = int(existing["job_id"])
            held = self._own(name, job_id, options)
            if held is None:
                return self._adopt(spec, job_id, options)
            by = ownership.resource_of(held)
            progress(
                f"DLI job {job_id} of this name was created by this stack"
                + (f" (resource {by})" if by else "")
                + " and never recorded (an interrupted create, or a resource renamed without "
                "aliases): taking it over"
            )
            return self._take_over(spec, job_id, options, "take over")
        job_id = self._create(spec, progress, options)
        if not options.running:
            return Outcome(job_id, self.show(job_id) or {"status": "job_init"})
        start = Operation(
            job_id, name, options, progress, time.monotonic() + options.create_seconds
        )
        try:
            if options.restore_from:
                # A new job starts from a savepoint or checkpoint of another (a replaced job's
                # final savepoint, a job moved) only when the document names it: imported as a
                # savepoint, as DLI's FAQ dli_03_0180 restores a checkpoint.
                progress(
                    f"importing the replaced job's final savepoint {options.restore_from} "
                    f"(restore: {PREVIOUS_JOB})"
                    if options.restore == PREVIOUS_JOB
                    else f"importing {options.restore_from} (restore)"
                )
                self._import(name, job_id, options.restore_from, spec, "")
            progress("submitting, waiting for job_running")
            # a lost answer: DLI may have started it
            job = self._run(start, bool(options.restore_from), "job_init")
        except (DliError, StartFailed, WaitTimeout, LifecycleError) as failure:
            cleanup = self._remove_after_failed_create(job_id, name, options)
            raise LifecycleError(
                f"job {name}: create: starting job {job_id} failed: {describe_error(failure)}; "
                f"{cleanup}"
            ) from None
        progress("running")
        return Outcome(job_id, job)

    def _own(self, name: str, job_id: int, options: Options) -> str | None:
        """Job `job_id`'s owner mark if it is this stack's (ownership.same_stack: this project and
        stack, any resource of it, or the legacy mark of this config), else None. DLI's job answer
        does not report tags (the SDK's FlinkJob has no such field): the tag API reads them."""
        read = functools.partial(self.api.job_tags, job_id)
        held = self._call(name, "read the owner tag", "; nothing was created", read)
        mark = held.get(ownership.OWNER_TAG)
        return mark if ownership.same_stack(mark, self._mark(options), self.owner) else None

    def _create(self, spec: JobSpec, progress: Progress, options: Options) -> int:
        """Create the job with this resource's owner mark; its id. A lost answer is not taken as
        "not created": the name is looked up (for LATE_GRACE, a late request may still arrive) and
        a job found there with this stack's mark is the one this call made."""
        name = str(spec.name)
        body = spec.to_dli_body()
        if self._mark(options):
            mark = {"key": ownership.OWNER_TAG, "value": self._mark(options)}
            body["tags"] = [*(body.get("tags") or []), mark]
        self._authorize(name, spec)
        create = self.api.create_sql_job if spec.is_sql else self.api.create_jar_job
        try:
            job_id = int(create(body))
        except DliError as error:
            if error.code == NOT_AUTHORIZED:
                raise LifecycleError(
                    f"job {name}: create the job failed: {describe_error(error)}; DLI does not "
                    f"take obsBucket {spec.obs_bucket} although it was authorised just before: "
                    f"{BUCKET_FIX}; nothing was created"
                ) from None
            if not is_ambiguous(error):
                raise LifecycleError(
                    f"job {name}: create the job failed: {describe_error(error)}; nothing was "
                    "created"
                ) from None
            found = self._find_late(name)
            if found is None or self._own(name, int(found["job_id"]), options) is None:
                raise LifecycleError(
                    f"job {name}: create the job failed: {describe_error(error)}; DLI has no job "
                    f"named {name} {LATE_GRACE:.0f} s later, so nothing was created: run pulumi "
                    "up again"
                ) from None
            job_id = int(found["job_id"])
            progress(
                f"the create call got no answer ({describe_error(error)}), DLI made job {job_id}"
            )
        progress(f"created job {job_id}")
        return job_id

    def _find_late(self, name: str) -> dict[str, Any] | None:
        """The job of this name, looked for until LATE_GRACE has passed."""
        deadline = time.monotonic() + LATE_GRACE
        while True:
            job = self._call(name, "look the name up", "", self.find, name)
            if job is not None or time.monotonic() >= deadline:
                return job
            time.sleep(0.1)

    def _adopt(self, spec: JobSpec, job_id: int, options: Options) -> Outcome:
        """Take over the existing job of the spec's name, if `adopt` says so and it is of the
        spec's type (DLI cannot change a job's type: a Jar body PUT into a SQL job is refused
        after the job was stopped)."""
        name = str(spec.name)
        if not options.adopt:
            raise LifecycleError(
                f"job {name}: create: DLI already has a job named {name} (job id {job_id}). If "
                "this stack deployed it under another resource name, kind or parent, declare "
                "the old one in the resource's aliases (or run pulumi state rename) so Pulumi "
                "keeps managing it; set adopt: true only to take over a job made outside this "
                "stack; or give this job another name"
            )
        return self._take_over(spec, job_id, options, "adopt")

    def _take_over(self, spec: JobSpec, job_id: int, options: Options, how: str) -> Outcome:
        """Make the existing job `job_id` this resource's (`how`: adopt, take over) and bring it to
        `spec`, if it is of the spec's type."""
        name = str(spec.name)
        job = self._call(name, how, "", self.show, job_id)
        if job is None:
            raise LifecycleError(
                f"job {name}: {how}: DLI job {job_id} disappeared; run pulumi up again"
            )
        if job.get("job_type") != spec.job_type:
            raise LifecycleError(
                f"job {name}: {how}: DLI job {job_id} is a {job.get('job_type')} job and this "
                f"{spec.kind} is a {spec.job_type}: DLI cannot change a job's type, so it was "
                "not taken over and nothing was changed; give this job another name, or delete "
                f"job {job_id} first"
            )
        ownership.adopt(job_id)
        begun = self._begin(job_id, name, options, how)
        begun.progress(f"{how}: existing job {job_id} ({job.get('status')})")
        return self._update(begun, observed(spec, job), spec)

    def _remove_after_failed_create(self, job_id: int, name: str, options: Options) -> str:
        """Delete the job a create could not start; the create's error says how that went, so
        this delete prints no progress of its own."""
        silent = Progress(name, "delete", print_line=lambda _: None)
        cleanup = Operation(
            job_id, name, options, silent, time.monotonic() + options.delete_seconds
        )
        try:
            self._delete(cleanup, savepoint=False)
        except (DliError, WaitTimeout, LifecycleError) as error:
            return (
                f"deleting the new job failed too ({describe_error(error)}): delete DLI job "
                f"{job_id} by hand before the next pulumi up"
            )
        return "the new job was deleted again, nothing is left behind"

    # -- update -----------------------------------------------------------------------------------

    def update(
        self,
        job_id: int,
        old: JobSpec,
        new: JobSpec,
        options: Options,
    ) -> Outcome:
        """Bring job `job_id` from `old` to `new` (both validated by the caller)."""
        return self._update(self._begin(job_id, str(new.name), options, "update"), old, new)

    def _begin(self, job_id: int, name: str, options: Options, operation: str) -> Operation:
        """An update of the job (named `operation`: update or adopt), bounded by timeouts.update."""
        progress = self._progress(name, operation)
        return Operation(job_id, name, options, progress, time.monotonic() + options.update_seconds)

    # -- resume by hand ---------------------------------------------------------------------------

    def resume(self, job_id: int, savepoint: str, seconds: float) -> dict[str, Any]:
        """Start a stopped job from `savepoint` (imported first if DLI no longer points at it)."""
        job = self.show(job_id)
        if job is None:
            raise LifecycleError(f"DLI job {job_id} does not exist")
        if job.get("savepoint_path") != savepoint:
            self.api.import_savepoint(job_id, savepoint)
        self.api.run_jobs([job_id], True)
        return self._watch(job_id).running(job["status"], seconds)

    # -- delete -----------------------------------------------------------------------------------

    def delete(self, job_id: int, name: str, options: Options, savepoint: bool) -> str | None:
        """Stop (with a final savepoint when asked and possible), delete, wait until gone.

        The final savepoint stays in OBS after the job is deleted; its path is returned.
        """
        progress = self._progress(name, "delete")
        op = Operation(job_id, name, options, progress, time.monotonic() + options.delete_seconds)
        return self._delete_owned(op, savepoint)
