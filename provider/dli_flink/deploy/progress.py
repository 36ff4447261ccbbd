"""Progress lines for the Pulumi user, apart from the waits: what is printed is not how long it waits.

The provider host forwards its stdout to the engine, which shows it under the resource.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_OUT = threading.Lock()


def say(line: str) -> None:
    """One whole line to stdout: four update threads print at once, and lines must not interleave."""
    with _OUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


@dataclass
class Progress:
    """Lines the Pulumi user reads while an operation runs: job, step, seconds since it began."""

    job: str
    operation: str
    started: float = field(default_factory=time.monotonic)
    print_line: Callable[[str], None] = field(default=lambda line: say(line))

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, step: str) -> None:
        self.print_line(f"dli-flink: {self.job}: {self.operation}: {step} [{self.elapsed:.1f}s]")
