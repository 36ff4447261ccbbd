"""One operation on one job as its steps see it, after the Flink Kubernetes Operator's context.

The operator hands each reconcile step one FlinkResourceContext instead of the resource, its config
and its status one by one. Here an update or a delete makes one Operation (the job, its options, the
progress lines, the deadline; an update also its Record) and hands it to its steps, so a step takes
the operation and at most three things of its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dli_flink.deploy.inputs import Options
from dli_flink.deploy.progress import Progress


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Record:
    """What an update did, for the `lastChange` output: a reviewer reads it after the fact."""

    change_class: str
    started: float = field(default_factory=time.monotonic)
    steps: list[dict[str, Any]] = field(default_factory=list)
    savepoint: str | None = None
    started_from: str | None = None
    """What a job found stopped started from (restore.start_from), None for any other update."""
    stopped_at: float | None = None
    not_running: float = 0.0

    def step(self, name: str) -> None:
        self.steps.append(
            {"step": name, "at": _now(), "seconds": round(time.monotonic() - self.started, 3)}
        )

    def down(self) -> None:
        self.stopped_at = time.monotonic()

    def up(self) -> None:
        if self.stopped_at is not None:
            self.not_running += time.monotonic() - self.stopped_at
            self.stopped_at = None

    def as_output(self) -> dict[str, Any]:
        return {
            "class": self.change_class,
            "steps": self.steps,
            "savepointUsed": self.savepoint,
            "startedFrom": self.started_from,
            "secondsNotRunning": round(self.not_running, 3),
        }


@dataclass(frozen=True)
class Operation:
    """An update or delete of one job, made once and handed to each of its steps.

    A create has no job until DLI makes one and is a single step, so only its cleanup (a delete)
    is an Operation.
    """

    job_id: int
    name: str
    options: Options
    progress: Progress
    """Names the operation (update, adopt, delete) and prints the lines the user reads."""
    deadline: float
    """The time.monotonic() by which the operation must be done: the spec's timeouts are its bound."""

    def remaining(self) -> float:
        """What the next wait may take: the seconds left until the deadline, never negative."""
        return max(self.deadline - time.monotonic(), 0.0)


@dataclass(frozen=True)
class UpdateOperation(Operation):
    """An update: it also records what it does, and it knows its change class only once planned."""

    record: Record

    @classmethod
    def of(cls, operation: Operation, record: Record) -> UpdateOperation:
        """`operation` as an update, once the planner has classed its change for the Record."""
        return cls(**vars(operation), record=record)
