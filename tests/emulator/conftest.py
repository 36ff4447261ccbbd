"""Fixtures of the emulator's own tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator.wire import Process


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Append each `Process` started: whatever still runs at the end is killed."""
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()
