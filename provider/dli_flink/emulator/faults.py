"""Faults a test injects through the admin API: failed calls, slow answers, failed savepoints/restores,
and the ambiguous ones, where DLI acts but the client cannot tell.

Kept in memory on purpose: a fault is part of one test's setup, not of the emulated cloud's state.

The ambiguous faults (`Lost`, hidden savepoints, a neighbour taking the queue's CUs) model what a
client of a cloud API behind a gateway must expect; DLI's own docs say nothing about any of them, so
each cites what it follows:
- "error": the call is carried out and the gateway answers an error anyway. APIG answers 504 when the
  backend does not answer within the API's backend timeout (APIG User Guide, Error Codes,
  https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig_03_0048.html, "Backend timeout");
  the backend is not told to stop, so what it was doing goes on.
- "reset": the call is carried out and the connection breaks before the answer arrives (a load
  balancer or the client's network dropping it); the SDK raises a ConnectionException.
- "hold": the call is carried out and the answer is held past the client's read timeout (the SDK's
  default is 120 s, dli-api.md): the client gives up on a call DLI completed.
- "late": the gateway answers the error at once (as "error") and the backend carries the call out
  `seconds` later: a request delivered after the client gave up.
- a hidden savepoint: DLI writes the savepoint (its files are in OBS, a run with resume_savepoint
  restores from it) but the job's status does not report it (has_savepoint false). Observed by the
  fault-injection run of issue 11; DLI's docs are silent on when has_savepoint is set.
- a neighbour: another job of the project takes CUs of the queue just before a restore (DLI: "A
  restore can fail when the queue lacks free resources", dli-api.md); its CUs stay taken until the
  faults are cleared.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# The operations of the Flink API, named as the official SDK's DliClient methods are.
OPERATIONS = (
    "create_flink_sql_job",
    "update_flink_sql_job",
    "create_flink_jar_job",
    "update_flink_jar_job",
    "batch_run_flink_jobs",
    "batch_stop_flink_jobs",
    "show_flink_job",
    "list_flink_jobs",
    "delete_flink_job",
    "batch_delete_flink_jobs",
    "execute_flink_job_savepoint",
    "import_flink_job_savepoint",
    "register_bucket",
    "batch_create_resource_tags",
    "batch_delete_resource_tags",
    "show_resource_tags",
    "list_resources_by_tags",
    "count_resources_by_tags",
)


@dataclass
class Failure:
    """Answer the next `remaining` calls with this status and error code (200 = is_success "false"),
    once `skip` calls have passed (a failure in the middle of a wait)."""

    remaining: int
    status: int
    error_code: str
    error_msg: str
    skip: int = 0


LOST_ANSWERS = ("error", "reset", "hold", "late")


@dataclass
class Lost:
    """The next `remaining` calls are carried out and their answer lost, as `answer` says (see the
    module docstring): an error `status`, a reset, or held or delivered `seconds` late."""

    remaining: int
    answer: str
    status: int = 504
    seconds: float = 0.0


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, list[Failure]] = {}
        self._lost: dict[str, list[Lost]] = {}
        self._hidden_savepoints = 0
        self._neighbour_pending = 0
        self._neighbour_held: dict[str, int] = {}
        self._delays: dict[str, float] = {}
        self._savepoint_failures = 0
        self._restore_failures = 0

    def fail(self, operation: str, failure: Failure) -> None:
        with self._lock:
            self._failures.setdefault(operation, []).append(failure)

    def delay(self, operation: str, seconds: float) -> None:
        """Delay every answer to `operation` ("*" for all); 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._delays[operation] = seconds
            else:
                self._delays.pop(operation, None)

    def fail_next_savepoints(self, count: int) -> None:
        with self._lock:
            self._savepoint_failures += count

    def fail_next_restores(self, count: int) -> None:
        with self._lock:
            self._restore_failures += count

    def lose(self, operation: str, lost: Lost) -> None:
        with self._lock:
            self._lost.setdefault(operation, []).append(lost)

    def hide_next_savepoints(self, count: int) -> None:
        with self._lock:
            self._hidden_savepoints += count

    def neighbour_before_next_restore(self, cu: int) -> None:
        with self._lock:
            self._neighbour_pending = cu

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._lost.clear()
            self._neighbour_held.clear()
            self._savepoint_failures = self._restore_failures = 0
            self._hidden_savepoints = self._neighbour_pending = 0

    def take_lost(self, operation: str) -> Lost | None:
        with self._lock:
            queue = self._lost.get(operation)
            if not queue:
                return None
            lost = queue[0]
            lost.remaining -= 1
            if lost.remaining <= 0:
                queue.pop(0)
            return lost

    def take_hidden_savepoint(self) -> bool:
        with self._lock:
            if self._hidden_savepoints > 0:
                self._hidden_savepoints -= 1
                return True
            return False

    def restore_begins(self, queue: str) -> None:
        """A restore is submitted on `queue`: a neighbour waiting for one takes its CUs now."""
        with self._lock:
            if self._neighbour_pending:
                held = self._neighbour_held.get(queue, 0) + self._neighbour_pending
                self._neighbour_held[queue] = held
                self._neighbour_pending = 0

    def neighbour_cu(self, queue: str) -> int:
        """The CUs of `queue` a neighbour job holds."""
        with self._lock:
            return self._neighbour_held.get(queue, 0)

    def take_failure(self, operation: str) -> Failure | None:
        with self._lock:
            queue = self._failures.get(operation)
            if not queue:
                return None
            failure = queue[0]
            if failure.skip > 0:
                failure.skip -= 1
                return None
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
            return failure

    def delay_for(self, operation: str) -> float:
        with self._lock:
            return self._delays.get(operation, self._delays.get("*", 0.0))

    def take_savepoint_failure(self) -> bool:
        with self._lock:
            if self._savepoint_failures > 0:
                self._savepoint_failures -= 1
                return True
            return False

    def take_restore_failure(self) -> bool:
        with self._lock:
            if self._restore_failures > 0:
                self._restore_failures -= 1
                return True
            return False
