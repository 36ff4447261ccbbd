"""The fault matrix of issue 11: each operation's DLI calls under each fault, checked through the SDK.

One emulator and one provider host serve the whole module (`shared`), each cell on a job of its own.
A cell passes when, after at most one retry of the operation (the user's next pulumi up or destroy),
DLI has the job exactly once, running the desired configuration, never stopped without a savepoint
(a delete: the job is gone). The matrix is printed at the end of the session (conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.engine import Engine
from tests.provider.conftest import MATRIX, Shared, sql_job
from tests.provider.test_ambiguous import jobs_named, stops
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
]


def attempt(stack: Engine, operation: str, job: Any) -> Any:
    """The operation once, as pulumi up or destroy carries it out: the step's error or None."""
    if operation == "delete":
        return stack.destroy()[job.urn].error
    if operation == "restart update":
        job.inputs["scaling"] = {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": 12}
    if operation == "in-place update":
        job.inputs["resumeMaxTimes"] = 5
    return stack.up([job])[job.urn].error


def broken(shared: Shared, operation: str, job: Any) -> str | None:
    """What DLI shows against the operation's promise, or None when it holds."""
    found = jobs_named(shared, job.name)
    if operation == "delete":
        return f"{len(found)} jobs left" if found else None
    if len(found) != 1:
        return f"{len(found)} jobs named {job.name}"
    job_id = found[0]["job_id"]
    status = shared.api.show_job(job_id)
    if status["status"] != "job_running":
        return f"DLI reports {status['status']}"
    if operation == "restart update" and cu_max(shared.api, job_id) != "12":
        return "runs the previous configuration"
    if operation == "in-place update" and status["job_config"].get("resume_max_num") != 5:
        return "runs the previous configuration"
    if "SILENT" in stops(shared, job_id):
        return "stopped without a savepoint"
    return None


@pytest.mark.parametrize(("operation", "call", "fault"), CELLS)
def test_cell(stack: Engine, shared: Shared, operation: str, call: str, fault: str) -> None:
    job = sql_job(restartOnException=True, resumeMaxTimes=3)
    if fault == "hold":
        job.inputs["timeouts"] = dict.fromkeys(("create", "update", "delete"), HOLD_TIMEOUT_MINUTES)
    if operation != "create":
        step = stack.up([job])[job.urn]
        assert step.error is None, step.error
    FAULTS[fault](shared.emulator.admin, call)
    error = attempt(stack, operation, job)
    shared.emulator.admin.clear_faults()
    retried = error is not None and attempt(stack, operation, job) is None
    why = broken(shared, operation, job)
    verdict = why or ("ok after one retry" if retried else "ok" if error is None else "FAILS")
    MATRIX.setdefault(f"{operation}: {call}", {})[fault] = verdict
    assert why is None, f"{operation}, {call}, {fault}: {why}"
    assert error is None or retried, f"{operation}, {call}, {fault}: the retry failed too"
