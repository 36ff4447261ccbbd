"""Faults a test injects through the admin API: failed calls, slow answers, failed savepoints/restores.

Kept in memory on purpose: a fault is part of one test's setup, not of the emulated cloud's state.
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
)


@dataclass
class Failure:
    """Answer the next `remaining` calls with this status and error code (200 = is_success "false")."""

    remaining: int
    status: int
    error_code: str
    error_msg: str


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, list[Failure]] = {}
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

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._savepoint_failures = self._restore_failures = 0

    def take_failure(self, operation: str) -> Failure | None:
        with self._lock:
            queue = self._failures.get(operation)
            if not queue:
                return None
            failure = queue[0]
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
