"""Bounded waits with polling that starts fast and backs off.

Pulumi's customTimeouts never reach a dynamic provider, so every wait carries its own deadline. The
poll interval grows with the time already waited (about a tenth of it, between `first` and `longest`):
a transition that takes 1 s is noticed within about 0.2 s, and a restore that takes ten minutes costs
a poll every few seconds, not a storm of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class WaitTimeout(Exception):
    """The deadline passed before the condition held; `last` is the last value seen."""

    def __init__(self, what: str, seconds: float, last: object) -> None:
        shown = f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}"
        super().__init__(f"timed out after {shown} s waiting for {what}")
        self.what = what
        self.seconds = seconds
        self.last = last


@dataclass(frozen=True)
class Backoff:
    first: float = 0.02
    longest: float = 5.0
    share: float = 0.1
    """The interval as a share of the time waited so far."""

    def interval(self, waited: float) -> float:
        return min(self.longest, max(self.first, waited * self.share))


BACKOFF = Backoff()
"""The pacing of every wait: one suits every DLI transition, from a 1 s submit to a long restore."""


@dataclass(frozen=True)
class Heartbeat(Generic[T]):
    """A long wait's sign of life, so a user watching a ten-minute restore sees it is still going:
    `call(value, waited)` every `every` seconds of waiting."""

    call: Callable[[T, float], None]
    every: float = 30.0


def poll_until(
    read: Callable[[], T],
    done: Callable[[T], bool],
    seconds: float,
    what: str,
    heartbeat: Heartbeat[T] | None = None,
) -> T:
    """Call `read` until `done(value)`; WaitTimeout after `seconds`. The first read is immediate."""
    start = time.monotonic()
    beats = 0
    while True:
        value = read()
        if done(value):
            return value
        waited = time.monotonic() - start
        if waited >= seconds:
            raise WaitTimeout(what, seconds, value)
        if heartbeat is not None and waited >= heartbeat.every * (beats + 1):
            beats = int(waited // heartbeat.every)
            heartbeat.call(value, waited)
        time.sleep(min(BACKOFF.interval(waited), max(seconds - waited, 0.0)))
