"""Waits: a transition is noticed soon after it happens, and long waits do not poll in a storm."""

from __future__ import annotations

import pytest
from dli_flink.deploy import waits
from dli_flink.deploy.waits import Backoff, Heartbeat, WaitTimeout, poll_until


class VirtualClock:
    """time.monotonic and time.sleep on a clock only the wait moves: how soon a wait notices a
    transition is then a property of its pacing, not of how busy the machine is."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_one_second_transition_is_noticed_within_a_fifth_of_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = VirtualClock()
    monkeypatch.setattr(waits, "time", clock)
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


def test_the_wait_is_bounded_and_says_what_it_waited_for() -> None:
    with pytest.raises(WaitTimeout, match=r"timed out after 0\.1 s waiting for job_running"):
        poll_until(lambda: "job_submitting", lambda s: s == "job_running", 0.1, "job_running")


def test_a_long_wait_says_it_is_still_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    monkeypatch.setattr(waits, "time", clock)
    beats: list[tuple[str, float]] = []
    poll_until(
        lambda: "job_submitting" if clock.now < 95 else "job_running",
        lambda status: status == "job_running",
        600,
        "job_running",
        heartbeat=Heartbeat(lambda status, waited: beats.append((status, waited)), every=30),
    )
    assert [status for status, _ in beats] == ["job_submitting"] * 3, beats
    assert [int(waited // 30) for _, waited in beats] == [1, 2, 3], "one sign of life every 30 s"
