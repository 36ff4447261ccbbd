"""The fault matrix of issue 11: each operation's DLI calls under each fault, and the provider killed
at each of them, checked through the SDK and the emulator's savepoint folder, never through the
provider's outputs.

A cell passes when, after at most one retry of the operation (the user's next pulumi up or destroy):
- DLI has the job exactly once, running the desired configuration (a delete: the job is gone), and
  every error on the way said clearly why not: it names the job, the step that failed, the state DLI
  has the job in, and the savepoint that holds its state (one DLI holds), never one that is gone;
- every start after a savepoint was taken restored from the newest one (the emulator's timeline
  records what each run restored from; DLI reports it nowhere);
- the job was never stopped in silence: no running job stopped without a savepoint (a delete: its
  final savepoint is in the folder, or the user was told it was stopped without one);
- no credential the tests use appears in any error, output, progress or log line.

The fault cells share one emulator and one provider host (`shared`), each on a job of its own. The
kill cells start a host of their own, kill it (SIGKILL) while DLI holds the answer to the call it
carried out, and run the operation again on a fresh host over the state the engine kept: a killed
update or delete leaves the resource's old state (its pending operation is only warned about on the
next up), a killed create leaves none, so the next up creates again (pulumi/pulumi
pkg/engine/lifecycletest/pulumi_test.go `TestUpdateShowsWarningWithPendingOperations`, and
deployment_executor.go's "Attempting to deploy or update resources with N pending operations").
The matrix is printed at the end of the session (tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACCESS_KEY, FAULT_MATRIX, SECRET_KEY
from tests.engine import Engine, EngineError, ProviderHost, Resource, host_env
from tests.provider.conftest import Shared, sql_job, stack_config
from tests.provider.test_ambiguous import jobs_named, savepoints, stops
from tests.provider.test_rollback import cu_max


def lost(answer: str) -> Callable[[Any, str], None]:
    """DLI carries the call out and its answer is lost as `answer` says (faults.Lost)."""
    return lambda admin, call: admin.lose(call, answer, seconds=0.3)


HOLD_TIMEOUT_MINUTES = 0.03
"""The `timeouts` of a job in the `hold` column (1.8 s each): no call of the operation waits longer
(dliapi.DliApi.bounded), so an answer held HOLD_SECONDS comes after the client gave up, and the
column costs seconds, not the SDK's 60 s read timeout."""
HOLD_SECONDS = 3.0


def held(admin: Any, call: str) -> None:
    """DLI carries the call out and answers only after the client's read timeout."""
    admin.lose(call, "hold", seconds=HOLD_SECONDS)


def refused(status: int) -> Callable[[Any, str], None]:
    """DLI answers an error before acting: a refusal (4xx) or a server error (5xx)."""
    return lambda admin, call: admin.fail(call, status=status, error_code="DLI.0999")


FAULTS: dict[str, Callable[[Any, str], None]] = {
    "lost: 504": lost("error"),
    "lost: reset": lost("reset"),
    "late": lost("late"),
    "hold": held,
    "500 before acting": refused(500),
    "400 refused": refused(400),
}
UNREPORTED = "savepoint unreported"
NEIGHBOUR = "neighbour takes the CUs"
STATE_FAULTS: dict[str, Callable[[Any, str], None]] = {
    UNREPORTED: lambda admin, _: admin.hide_next_savepoint(),
    NEIGHBOUR: lambda admin, _: admin.neighbour_before_restore(QUEUE_CU),
}
"""Faults of DLI's state rather than of one answer (faults.py): the savepoint a stop writes goes
unreported, a neighbour job takes the whole queue just before a restore (until the faults are
cleared, before the retry). Each applies to the calls in STATE_CALLS only."""
QUEUE_CU = 100_000
"""The shared emulator's queue (conftest.py `shared`): a neighbour taking it all leaves none."""
STATE_CALLS = {
    UNREPORTED: (("restart update", "batch_stop_flink_jobs"), ("delete", "batch_stop_flink_jobs")),
    NEIGHBOUR: (("restart update", "batch_run_flink_jobs"),),
}
CARRIED_OUT = ("lost: 504", "lost: reset", "late")
"""Faults after which DLI has done what was asked, within the operation's time: the operation
completes without an error (never assume an unanswered call did nothing, issue 11). A held answer
spends the operation's whole time, so `hold` may end in an error that says why."""
KILLED = "provider killed"
"""The kill column: DLI carried the call out and the provider host is killed before the answer."""
CALLS = {
    "create": ("create_flink_sql_job", "batch_run_flink_jobs"),
    "restart update": ("batch_stop_flink_jobs", "update_flink_sql_job", "batch_run_flink_jobs"),
    "in-place update": ("update_flink_sql_job",),
    "delete": ("batch_stop_flink_jobs", "delete_flink_job"),
}
CELLS = [
    pytest.param(operation, call, fault, id=f"{operation}-{call}-{fault}")
    for operation, calls in CALLS.items()
    for call in calls
    for fault in FAULTS
] + [
    pytest.param(operation, call, fault, id=f"{operation}-{call}-{fault}")
    for fault, cells in STATE_CALLS.items()
    for operation, call in cells
]
KILLS = [
    pytest.param(operation, call, id=f"{operation}-{call}-killed")
    for operation, calls in CALLS.items()
    for call in calls
]
ROWS = [f"{operation}: {call}" for operation, calls in CALLS.items() for call in calls]
COLUMNS = [*FAULTS, KILLED, *STATE_FAULTS]
"""The matrix's order, whatever order its cells finish in."""
CREDENTIALS = (ACCESS_KEY, SECRET_KEY)
"""What the tests sign with (no security token is used): none may appear in anything a user sees."""


def attempt(stack: Engine, operation: str, job: Resource) -> EngineError | None:
    """The operation once, as pulumi up or destroy carries it out: the step's error or None."""
    if operation == "delete":
        return stack.destroy()[job.urn].error
    if operation == "restart update":
        job.inputs["scaling"] = {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": 12}
    if operation == "in-place update":
        job.inputs["resumeMaxTimes"] = 5
    return stack.up([job])[job.urn].error


# What an error that ends an operation must say besides the job (issue 11, item 4): the step that
# failed, and the state DLI has the job in (for a create that left nothing, that nothing is there).
STEP = re.compile(r"failed|ran out")
STATE = re.compile(
    r"DLI reports (?:the job )?job_\w+|running again|nothing was created|nothing is left"
)
# Where an error says the job's state is: each of these must name a savepoint DLI still holds.
HOLDS_STATE = re.compile(
    r"(?:state is in savepoint|savepoint is kept at|its savepoint is|dli-flink resume \d+) "
    r"(obs://[^\s;,]+/)"
)


@dataclass
class Cell:
    """One cell: the job, DLI's id for it (read through the SDK), and everything the user saw."""

    shared: Shared
    operation: str
    job: Resource
    problems: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    """Error texts (the whole traceback), progress and log lines, outputs: scanned for credentials."""
    job_id: int | None = None

    def find(self) -> None:
        found = jobs_named(self.shared, self.job.name)
        self.job_id = found[0]["job_id"] if found else self.job_id

    def folder(self) -> str:
        return f"obs://bucket/jobs/savepoint/{self.job_id}/"

    def names_newest(self, line: str, newest: str) -> bool:
        """Whether `line` names the newest savepoint, or the folder DLI writes them to (all there
        is to name when DLI does not report the savepoint), not an older one."""
        folder = re.escape(self.folder())
        return re.search(f"{folder}{re.escape(newest)}/|{folder}(?![\\w-])", line) is not None

    def failed(self, error: EngineError | None) -> bool:
        """Record an attempt's error and check, right after it, that it says clearly why."""
        if error is None:
            return False
        self.seen.append(error.details)
        self.find()
        line = error.message.splitlines()[-1]
        held = savepoints(self.shared, self.job_id) if self.job_id else []
        unclear = [
            what
            for what, ok in (
                ("the job", line.startswith(f"job {self.job.name}:")),
                ("the step", STEP.search(line)),
                ("DLI's state", STATE.search(line)),
                ("the savepoint DLI holds", not held or self.names_newest(line, held[-1])),
                ("no raw error", "Traceback" not in line and "dli_flink." not in line),
            )
            if not ok
        ]
        gone = [
            p for p in HOLDS_STATE.findall(line) if p.rstrip("/").rsplit("/", 1)[-1] not in held
        ]
        if unclear:
            self.problems.append(f"an error does not say {', '.join(unclear)}: {line}")
        if gone:
            self.problems.append(f"an error names a savepoint DLI no longer holds: {line}")
        return True

    def check(self, stack: Engine, log: str) -> None:
        """DLI against the operation's promise, and the credential scan."""
        self.seen += [log, json.dumps([s.outputs for s in stack.state.values()])]
        leaked = [c for c in CREDENTIALS if any(c in text for text in self.seen)]
        if leaked:
            self.problems.append("a credential appears in what the user sees")
        found = jobs_named(self.shared, self.job.name)
        if self.operation == "delete":
            if found:
                self.problems.append(f"{len(found)} jobs left")
            elif not savepoints(self.shared, self.job_id) and "without one" not in log:
                self.problems.append("stopped without a final savepoint, and not said so")
            return
        if len(found) != 1:
            self.problems.append(f"{len(found)} jobs named {self.job.name}")
            return
        self.job_id = found[0]["job_id"]
        self.problems += self._runs_desired() + self.restored_from_newest()
        if "SILENT" in stops(self.shared, self.job_id):
            self.problems.append("a running job was stopped without a savepoint")

    def _runs_desired(self) -> list[str]:
        job = self.shared.api.show_job(self.job_id)
        if job["status"] != "job_running":
            return [f"DLI reports {job['status']}"]
        if self.operation == "restart update" and cu_max(self.shared.api, self.job_id) != "12":
            return ["runs the previous configuration"]
        if self.operation == "in-place update" and job["job_config"].get("resume_max_num") != 5:
            return ["runs the previous configuration"]
        return []

    def restored_from_newest(self) -> list[str]:
        """Each start restored from the newest savepoint written since the last restore."""
        newest, wrong = None, []
        for entry in self.shared.emulator.admin.timeline(self.job_id):
            newest = entry.get("savepoint_written") or newest
            if entry["status"] != "job_running" or "restored_from" not in entry:
                continue
            if newest and entry["restored_from"] != newest:
                wrong.append(f"started from {entry['restored_from'] or 'nothing'}, not {newest}")
            newest = None if entry["restored_from"] else newest
        return wrong

    def verdict(self, errors: list[EngineError | None]) -> str:
        if self.problems:
            return "FAILS: " + self.problems[0].split(":")[0]
        if errors[0] is None:
            return "ok"
        return "ok after one retry" if len(errors) == 2 and errors[1] is None else "FAILS"


def deployed(stack: Engine, cell: Cell) -> None:
    """The job as it stands before an update or delete: created and running."""
    if cell.operation != "create":
        step = stack.up([cell.job])[cell.job.urn]
        assert step.error is None, step.error
        cell.find()


def report(
    record: Callable[[str, Any], None],
    cell: Cell,
    row: str,
    column: str,
    errors: list[EngineError | None],
) -> None:
    """The cell's verdict on its test report (`record`: pytest's record_property), whence the
    session's summary prints the matrix (tests/conftest.py), and the cell's assertions."""
    verdict = cell.verdict(errors)
    record(FAULT_MATRIX, (ROWS.index(row), row, COLUMNS.index(column), column, verdict))
    assert not cell.problems, f"{row}, {column}: {'; '.join(cell.problems)}"
    assert verdict != "FAILS", f"{row}, {column}: the retry failed too: {errors[-1]}"


@pytest.mark.parametrize(("operation", "call", "fault"), CELLS)
def test_cell(
    stack: Engine,
    shared: Shared,
    caplog: Any,
    record_property: Callable[[str, Any], None],
    operation: str,
    call: str,
    fault: str,
) -> None:
    cell = Cell(shared, operation, sql_job(restartOnException=True, resumeMaxTimes=3))
    if fault == "hold":
        cell.job.inputs["timeouts"] = dict.fromkeys(
            ("create", "update", "delete"), HOLD_TIMEOUT_MINUTES
        )
    start = len(shared.host.log)
    deployed(stack, cell)
    {**FAULTS, **STATE_FAULTS}[fault](shared.emulator.admin, call)
    errors = [attempt(stack, operation, cell.job)]
    shared.emulator.admin.clear_faults()
    if cell.failed(errors[0]):
        errors.append(attempt(stack, operation, cell.job))
        cell.failed(errors[1])
    cell.seen.append(caplog.text)
    cell.check(stack, shared.host.log[start:])
    if fault in CARRIED_OUT and errors[0] is not None:
        cell.problems.append(f"failed though DLI carried the call out: {errors[0]}")
    report(record_property, cell, f"{operation}: {call}", fault, errors)


# -- the provider killed at each call ---------------------------------------------------------------

KILL_HOLD_SECONDS = 60.0
"""How long DLI holds the answer the killed provider waits for: longer than any kill takes."""


def acted(cell: Cell, call: str, before: int) -> bool:
    """Whether DLI carried out `call` of the cell's operation, seen through the SDK; `before` is
    how often the job had been submitted or stopped before the operation began."""
    found = jobs_named(cell.shared, cell.job.name)
    if call == "delete_flink_job":
        return not found
    if not found:
        return False
    job_id = found[0]["job_id"]
    statuses = cell.shared.emulator.admin.statuses(job_id)
    if call == "batch_run_flink_jobs":
        return statuses.count("job_submitting") > before
    if call == "batch_stop_flink_jobs":
        return statuses.count("job_canceling") + statuses.count("job_savepointing") > before
    if call == "update_flink_sql_job" and cell.operation == "restart update":
        return cu_max(cell.shared.api, job_id) == "12"
    if call == "update_flink_sql_job":
        return cell.shared.api.show_job(job_id)["job_config"].get("resume_max_num") == 5
    return True  # create_flink_sql_job: the job exists


def counted(cell: Cell, call: str) -> int:
    if cell.job_id is None:
        return 0
    statuses = cell.shared.emulator.admin.statuses(cell.job_id)
    if call == "batch_run_flink_jobs":
        return statuses.count("job_submitting")
    return statuses.count("job_canceling") + statuses.count("job_savepointing")


@pytest.mark.parametrize(("operation", "call"), KILLS)
def test_killed(
    shared: Shared,
    blob: str,
    tmp_path: Path,
    caplog: Any,
    record_property: Callable[[str, Any], None],
    operation: str,
    call: str,
) -> None:
    """DLI carries the call out and holds its answer; the provider host is killed meanwhile; the
    next run starts a fresh host in the same project (the stack's mark is the same) over the state
    the engine kept, and runs the operation again."""
    config = stack_config(shared.emulator)
    first = Engine(ProviderHost(tmp_path, host_env(), config), blob)
    hosts = [first.host]
    try:
        cell = Cell(shared, operation, sql_job(restartOnException=True, resumeMaxTimes=3))
        deployed(first, cell)
        before = counted(cell, call)
        shared.emulator.admin.lose(call, "hold", seconds=KILL_HOLD_SECONDS)
        running = threading.Thread(target=attempt, args=(first, operation, cell.job))
        running.start()
        deadline = time.monotonic() + 30
        while not acted(cell, call, before) and time.monotonic() < deadline:
            time.sleep(0.01)
        first.host.kill()
        running.join(timeout=30)
        shared.emulator.admin.clear_faults()
        assert acted(cell, call, before), f"DLI never carried out {call}"
        again = Engine(ProviderHost(tmp_path, host_env(), config), blob)
        hosts.append(again.host)
        again.state = dict(first.state)
        errors = [attempt(again, operation, cell.job)]
        if cell.failed(errors[0]):
            errors.append(attempt(again, operation, cell.job))
            cell.failed(errors[1])
        cell.seen += [first.host.log, caplog.text]
        cell.check(again, first.host.log + again.host.log)
        report(record_property, cell, f"{operation}: {call}", KILLED, errors)
    finally:
        for host in hosts:
            host.close()


def test_the_matrix_sees_a_start_that_left_the_newest_savepoint_behind(
    stack: Engine, shared: Shared
) -> None:
    """The restore check can fail: `restore: none` starts the job empty while DLI holds the
    savepoint its last stop wrote (as the document asks), and the check names both."""
    from tests.provider.test_ambiguous import scale_up, stopped_without_a_reported_savepoint

    cell = Cell(shared, "restart update", sql_job(restore="none"))
    cell.job_id = stopped_without_a_reported_savepoint(stack, shared, cell.job)
    assert scale_up(stack, cell.job).error is None
    (held,) = savepoints(shared, cell.job_id)
    assert cell.restored_from_newest() == [f"started from nothing, not {cell.folder()}{held}/"]
