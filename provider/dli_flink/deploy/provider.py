"""The dynamic provider: what the Pulumi engine calls for every FlinkSqlJob and FlinkJarJob.

`pulumi.dynamic.Resource` pickles the provider object (dill, by reference: this module and the class
name, plus the instance's `__dict__`) into the `__provider` input, and the provider host
(`python -m pulumi.dynamic`) unpickles it once per blob and uses that one instance from four threads.
So the instance holds nothing but plain data when pickled (no settings, no secrets, no client), reads
its settings in `configure()`, and builds its DliApi on first use, under a lock.

check() and diff() never call DLI (preview must work without credentials or network); create,
update, read and delete go through the lifecycle module.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from dli_flink.deploy import ownership
from dli_flink.deploy.calls import describe_error
from dli_flink.deploy.dliapi import DliApi, DliConfig, DliConfigError, DliError
from dli_flink.deploy.inputs import (
    MARK_KEY,
    OPTION_KEYS,
    STATUS_DRIFT,
    Options,
    document,
    job_document,
    normalise,
    touches_unknown,
)
from dli_flink.deploy.lifecycle import Lifecycle, LifecycleError, Outcome
from dli_flink.deploy.observed import observed_document, status_drift
from dli_flink.deploy.progress import say
from dli_flink.deploy.status import NOT_RUNNING
from dli_flink.model import fields, starts
from dli_flink.model.findings import Severity
from dli_flink.model.planner import ChangeClass, plan, show, unclearable_removals
from dli_flink.model.spec import JobSpec
from dli_flink.model.starts import PREVIOUS_JOB
from dli_flink.model.values import whole
from dli_flink.rules import config as rules_config
from dli_flink.rules import engine as rules_engine
from dli_flink.rules.config import Config

CONFIG_KEYS = {
    "endpoint": "dli-flink:endpoint",
    "region": "dli-flink:region",
    "project_id": "dli-flink:projectId",
    "access_key": "dli-flink:accessKey",
    "secret_key": "dli-flink:secretKey",
    "obs_endpoint": "dli-flink:obsEndpoint",
}
"""DliConfig argument -> stack config key; unset ones fall back to the environment."""
SECRET_SETTINGS = frozenset({"access_key", "secret_key"})
"""Set with --secret: the engine stores the stack config in the state, in plain text otherwise."""


class JobProvider(ResourceProvider):
    """One provider for both kinds: the kind travels in the inputs, as in the YAML."""

    serialize_as_secret_always = False
    """The pickled provider holds no secret (see the module docstring): no need to hide it."""

    def __init__(self) -> None:
        super().__init__()
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._settings: dict[str, str] = {}
        self._owner = ""
        self._api: DliApi | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle nothing: settings and the client belong to the provider process."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._init_runtime()

    # -- settings ---------------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        values = {name: req.config.get(key) for name, key in CONFIG_KEYS.items()}
        self._settings = {name: str(v) for name, v in values.items() if v not in (None, "")}
        # pulumi.dynamic's Config offers get() only; its whole config (a dict) is `_props`.
        raw = getattr(req.config, "_props", None)
        self._owner = ownership.stack_mark(raw if isinstance(raw, dict) else {}, os.getcwd())

    @property
    def lifecycle(self) -> Lifecycle:
        """The lifecycle over a DliApi built once per process, on first use, thread-safely."""
        with self._lock:
            if self._api is None:
                try:
                    self._api = DliApi(DliConfig.resolve(**self._settings))
                except DliConfigError as error:
                    key = str(error).split()[1]
                    stack_key = next(
                        (v for k, v in CONFIG_KEYS.items() if k == key), "dli-flink:<setting>"
                    )
                    raise LifecycleError(
                        f"{error}, or set the stack config {stack_key} (pulumi config set "
                        f"{'--secret ' if key in SECRET_SETTINGS else ''}{stack_key} ...)"
                    ) from None
            return Lifecycle(self._api, owner=self._owner)

    # -- check and diff: no network ---------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        doc = document(news)
        config = project_config()
        spec, problems = rules_engine.parse(doc)
        if spec is not None:
            problems += rules_engine.check(spec, config)
        failures = _refused_removals(olds, spec)
        name = doc.get("name") if isinstance(doc.get("name"), str) else "(unnamed job)"
        for problem in problems:
            if problem.path and touches_unknown(doc, problem.path):
                continue
            severity = config.severity_of(problem)
            if severity is None:
                continue
            where = ".".join(str(k) for k in problem.path) or "document"
            reason = f"[{problem.rule}] {where}: {problem.message}"
            if severity == Severity.ERROR:
                prop = str(problem.path[0]) if problem.path else "kind"
                failures.append(CheckFailure(prop, reason))
            else:
                say(f"dli-flink: {name}: warning {reason}")
        if olds and spec is not None:
            warning = starts.may_not_restore(*_started(olds, news, olds.get("desiredState")))
            if warning:
                say(f"dli-flink: {name}: warning [restore] {warning}")
        inputs = {key: _whole_numbers(value) for key, value in news.items()}
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old_doc, new_doc = job_document(olds), job_document(news)
        change = plan(JobSpec.from_document(old_doc), JobSpec.from_document(new_doc))
        replaces = sorted({f.field.split(".")[0] for f in change.of_class(ChangeClass.REPLACE)})
        old_options = {k: normalise(olds.get(k)) for k in OPTION_KEYS}
        new_options = {k: normalise(news.get(k)) for k in OPTION_KEYS if k != "adopt"}
        options_changed = any(old_options[k] != v for k, v in new_options.items())
        stopped = Options.of(news).running and olds.get("status") in NOT_RUNNING
        drifted = stopped or olds.get(STATUS_DRIFT) is not None
        changes = bool(change.fields) or old_doc != new_doc or options_changed or drifted
        before = "stopped" if olds.get("status") in NOT_RUNNING else "running"
        found = before == "stopped" and olds.get("desiredState") != "stopped"
        never_ran = olds.get("status") == "job_init"
        planned, started = _started(olds, news, before, found_stopped=found, never_ran=never_ran)
        if changes and started:
            what = (
                "start"
                if before == "stopped" and planned.change.change_class < ChangeClass.REPLACE
                else planned.change.change_class.label
            )
            say(f"dli-flink: {new_doc.get('name')}: {what}: starts from {started}")
        return DiffResult(
            changes=changes,
            replaces=replaces,
            delete_before_replace=bool(replaces),
        )

    # -- the lifecycle ----------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        doc = job_document(props)
        name = str(doc.get("name"))
        replaced = ownership.replacing(name)
        previous = {"restore": replaced.restore} if replaced is not None else None
        options = _from_previous_job(name, Options.of(props, previous), replaced)
        try:
            outcome = self.lifecycle.create(_validated(doc, "create"), options)
        except LifecycleError as error:
            if replaced is None:
                raise
            raise LifecycleError(f"{error}; {_replaced_job(replaced, options)}") from None
        outputs = _outputs(props, outcome, None)
        if replaced is not None:
            say(f"dli-flink: {name}: create: {_replaced_job(replaced, options)}")
            outputs["lastChange"] = {
                "class": "replace",
                "replacedJobId": replaced.job_id,
                "replacedJobSavepoint": replaced.savepoint,
                "startedFrom": _replaced_start(options, replaced),
            }
        return CreateResult(str(outcome.job_id), outputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        new_doc = job_document(news)
        new = _validated(new_doc, "update")
        old = JobSpec.from_document(job_document(olds))
        outcome = self.lifecycle.update(int(id_), old, new, Options.of(news, olds))
        outputs = _outputs(news, outcome, olds.get("savepointPath"))
        if outputs["lastChange"] is None:
            outputs["lastChange"] = olds.get("lastChange")
        return UpdateResult(outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        name = job_document(props).get("name", id_)
        try:
            job = self.lifecycle.show_tagged(int(id_))
        except DliError as error:
            raise LifecycleError(
                f"job {name}: refresh: reading DLI job {id_} and its tags failed: "
                f"{describe_error(error)}; nothing was changed: run pulumi refresh again"
            ) from None
        if job is None:
            return ReadResult(None, {})
        declared = job_document(props)
        inputs = {
            **{k: v for k, v in props.items() if k in (*OPTION_KEYS, MARK_KEY)},
            **observed_document(declared, job),
        }
        drift = status_drift(job, Options.of(props).running)
        if drift is not None:
            inputs[STATUS_DRIFT] = drift
        outcome = Outcome(int(id_), job)
        outputs = _outputs(inputs, outcome, props.get("savepointPath"))
        if props.get("lastChange") is not None:
            outputs["lastChange"] = props["lastChange"]
        return ReadResult(id_, outputs, inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        doc = job_document(props)
        spec = JobSpec.from_document(doc)
        final = bool(spec.obs_bucket) and spec.checkpoint.enabled is True
        name = str(doc.get("name"))
        savepoint = self.lifecycle.delete(int(id_), name, Options.of(props), final)
        ownership.deleted(name, ownership.Replaced(int(id_), savepoint, props.get("restore")))


@functools.cache
def project_config() -> Config:
    """The `.dli-flink.yaml` found from the project directory (the host's cwd), resolved as the
    commands resolve it, so `pulumi preview` and `dli-flink validate` judge a job alike."""
    return rules_config.resolve(None)


def _validated(doc: dict[str, Any], operation: str) -> JobSpec:
    """The spec of `doc`, or a LifecycleError listing its errors (check() stops these earlier)."""
    config = project_config()
    spec, problems = rules_engine.parse(doc)
    if spec is not None:
        problems += rules_engine.check(spec, config)
    errors = [
        f"[{p.rule}] {'.'.join(map(str, p.path))}: {p.message}"
        for p in problems
        if config.severity_of(p) == Severity.ERROR
    ]
    if spec is None or errors:
        raise LifecycleError(
            f"job {doc.get('name')}: {operation}: the spec is not valid, DLI was not called: "
            + "; ".join(errors)
        )
    return spec


def _refused_removals(olds: dict[str, Any], new: JobSpec | None) -> list[CheckFailure]:
    """A removal DLI cannot carry out, refused: the engine's olds are the inputs the job was last
    deployed with (none for a new resource or a replacement)."""
    if not olds or new is None:
        return []
    old = JobSpec.from_document(job_document(olds))
    return [
        CheckFailure(
            removed.field.split(".")[0],
            f"{removed.field}: cannot be removed from a deployed job: DLI's API has no value "
            f"that clears {fields.TABLE.by_path[removed.field].wire}, so DLI would go on running "
            f"with {show(removed.old)}; keep {removed.field}: {show(removed.old)}, or set "
            "another value",
        )
        for removed in unclearable_removals(old, new)
    ]


def _replaced_job(replaced: ownership.Replaced, options: Options) -> str:
    """What a delete-before-replace did to the old job, for the create's lines."""
    kept = replaced.savepoint or "none was written"
    return (
        f"this job replaces DLI job {replaced.job_id}, deleted before it, whose final savepoint "
        f"is {kept} (the new job starts from "
        f"{_replaced_start(options, replaced)})"
    )


def _replaced_start(options: Options, replaced: ownership.Replaced) -> str:
    """What a replacement's create starts from, in lastChange.startedFrom's words."""
    used = options.restore_from is not None
    return starts.replaced_start(options.restore, replaced.savepoint, used=used)


def _from_previous_job(name: str, options: Options, replaced: ownership.Replaced | None) -> Options:
    """The options of a create, with `restore: previous-job` turned into the directory it starts
    from: the final savepoint the delete of this replace just took (ownership.replacing). Only
    this provider process knows it (the engine hands a create nothing of the resource it replaces,
    pulumi-engine.md): without it nothing is created, and the error says what to write instead."""
    if options.restore != PREVIOUS_JOB or options.restore_from:
        return options
    if replaced is not None and replaced.savepoint:
        return dataclasses.replace(options, restore_from=replaced.savepoint)
    why = (
        f"DLI job {replaced.job_id}, deleted before it, has no final savepoint (it had no "
        "obsBucket or no checkpointing)"
        if replaced is not None
        else f"this pulumi up deleted no job named {name} before it (an earlier pulumi up "
        "deleted the job it replaces, and its error named that job's final savepoint; or it "
        "replaces nothing)"
    )
    raise LifecycleError(
        f"job {name}: create: restore: {PREVIOUS_JOB} starts this job from the final savepoint "
        f"of the job it replaces, but {why}; nothing was created: set restore to that "
        "savepoint's directory (obs://<obsBucket>/jobs/savepoint/<old job id>/<newest folder>/, "
        "the one holding _metadata) or a checkpoint's for the next pulumi up, or restore: none "
        "to start it empty"
    )


def _started(
    olds: dict[str, Any],
    news: dict[str, Any],
    before: Any,
    *,
    found_stopped: bool = False,
    never_ran: bool = False,
) -> tuple[starts.Planned, str | None]:
    """The plan from `olds` to `news` with desiredState `before` on the old side (diff: what DLI
    reported the job in; `found_stopped`: stopped while desiredState was running; `never_ran`:
    DLI reports it in job_init), and the state
    it starts the job from, in lastChange.startedFrom's words (model/starts.py, as `dli-flink
    review` says it)."""
    old, new = JobSpec.from_document(document(olds)), JobSpec.from_document(document(news))
    desired = (
        "stopped" if before == "stopped" else "running",
        "stopped" if Options.of(news).desired_state == "stopped" else "running",
    )
    planned = starts.Planned.of(
        "changed",
        plan(old, new),
        old,
        new,
        desired,
        found_stopped=found_stopped,
        never_ran=never_ran,
    )
    return planned, starts.starts_from(planned)


def _whole_numbers(value: Any) -> Any:
    """Inputs as check returns them: whole floats as ints, Unknowns left for the engine."""
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return whole(value)


def _outputs(inputs: dict[str, Any], outcome: Outcome, previous_savepoint: Any) -> dict[str, Any]:
    """Every input plus what DLI reports; the last savepoint path is kept after DLI deletes it."""
    job = outcome.job
    config = job.get("job_config") or {}
    declared_cu = config.get("cu_number")
    real_cu = config.get("real_cu_number") or declared_cu
    outputs = {k: normalise(v) for k, v in inputs.items() if k != "__provider"}
    outputs.update(
        jobId=outcome.job_id,
        status=job.get("status"),
        currentCu=real_cu,
        restartTimes=job.get("restart_times") or 0,
        savepointPath=job.get("savepoint_path") or outcome.savepoint or previous_savepoint,
        lastChange=outcome.record.as_output() if outcome.record else None,
    )
    return outputs
