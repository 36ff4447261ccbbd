"""Waits: a transition is noticed soon after it happens, and long waits do not poll in a storm.

What is faked, and why: the clock. How soon a wait notices a transition is a property of its poll
schedule, and a real sleep on a busy shared machine can overrun by any amount, so a wall-clock bound
would test the machine. `clock` replaces the `time` the waits read and sleep with: time passes only
when the wait sleeps, by exactly what it asked for.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dli_flink.deploy import waits
from dli_flink.deploy.waits import Backoff, Heartbeat, WaitTimeout, poll_until


class Clock:
    """`time.monotonic` and `time.sleep` for dli_flink.deploy.waits: sleeping moves it on."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setattr(waits, "time", fake)
    yield fake


def test_a_one_second_transition_is_noticed_within_a_fifth_of_a_second(clock: Clock) -> None:
    reads = 0

    def read() -> bool:
        nonlocal reads
        reads += 1
        return clock.now >= 1.0

    poll_until(read, bool, 10, "the flip")
    assert clock.now < 1.2
    assert reads < 40, "polling every few milliseconds is a storm"


def test_long_waits_back_off_to_a_poll_every_few_seconds() -> None:
    backoff = Backoff()
    assert backoff.interval(0) == pytest.approx(0.02)
    assert backoff.interval(1.0) <= 0.2
    assert backoff.interval(600) == 5.0
    # A ten-minute restore costs about this many DLI calls:
    waited, calls = 0.0, 0
    while waited < 600:
        waited += backoff.interval(waited)
        calls += 1
    assert calls < 200


def test_the_wait_is_bounded_and_says_what_it_waited_for(clock: Clock) -> None:
    with pytest.raises(WaitTimeout, match=r"timed out after 0\.1 s waiting for job_running"):
        poll_until(lambda: "job_submitting", lambda s: s == "job_running", 0.1, "job_running")
    assert clock.now == pytest.approx(0.1), "the last sleep ends at the deadline, not after it"


def test_a_long_wait_says_it_is_still_waiting(clock: Clock) -> None:
    beats: list[tuple[str, float]] = []
    poll_until(
        lambda: "job_submitting" if clock.now < 0.35 else "job_running",
        lambda status: status == "job_running",
        5,
        "job_running",
        heartbeat=Heartbeat(lambda status, waited: beats.append((status, waited)), every=0.1),
    )
    assert [status for status, _ in beats] == ["job_submitting"] * 3
    assert [int(waited * 10) for _, waited in beats] == [1, 2, 3], "once every 0.1 s of waiting"
