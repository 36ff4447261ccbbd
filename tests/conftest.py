"""Shared fixtures: a real DLI emulator on a loopback port, the official SDK and DliApi pointed at it.

    emulator        a RunningEmulator (fresh data dir, speed 1000): .endpoint .access_key .secret_key
                    .project_id .data_dir .admin .server (the in-process Emulator)
    make_emulator   factory: make_emulator(speed=..., queues={...}, durations=Durations(...))
    admin           emulator.admin, an AdminClient for /_emulator/ (timeline, load, faults)
    dli_client      the official huaweicloudsdkdli DliClient for the emulator
    dli_api         a DliApi for the emulator (fast retries)
    job_body        factory of wire-shaped SQL job bodies with unique names: job_body(cu_number=4)
    wait_status     wait_status(dli_api, job_id, "job_running", timeout=30) -> the job (dict)

`HeldClock(emulator)` stops an in-process emulator's clock while a test takes a step that must come
before a timed transition (clock.hold(), the step, clock.release()).

Plain helpers for tests that need another client: `sdk_client(emulator, project_id=None, sk=None)`
(an official DliClient, e.g. with a wrong SK) and `api_for(emulator, attempts=4)` (a DliApi).

Heavy imports stay inside fixtures so collecting other tests does not pay for the Huawei SDK.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "TEST-AK"
SECRET_KEY = "test-secret-key-do-not-log"
PROJECT_ID = "test-project"
SPEED = 1000.0
CLOSE_POLL = 0.005
"""How often an emulator's serving thread looks for close(): at the server's 0.1 s, closing the
emulators of the suite's tests took about 25 s."""


class AdminClient:
    """The emulator's unsigned admin API (see dli_flink.emulator.admin for the routes)."""

    def __init__(self, endpoint: str) -> None:
        self.base = f"{endpoint}/_emulator"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def timeline(self, job_id: int) -> list[dict[str, Any]]:
        return self._call("GET", f"/jobs/{job_id}/timeline")["timeline"]

    def statuses(self, job_id: int) -> list[str]:
        return [entry["status"] for entry in self.timeline(job_id)]

    def restored_from(self, job_id: int) -> list[Any]:
        """What each start of the job restored, in order (None: no state)."""
        return [e["restored_from"] for e in self.timeline(job_id) if e["status"] == "job_running"]

    def set_load(
        self, job_id: int, demand_cu: int | None = None, state_mb: int | None = None
    ) -> None:
        self._call("POST", f"/jobs/{job_id}/load", {"demand_cu": demand_cu, "state_mb": state_mb})

    def fail_task(self, job_id: int, again: int = 0) -> None:
        """A task of the running job fails now; the next `again` restarts of it fail too."""
        self._call("POST", f"/jobs/{job_id}/task-failure", {"again": again})

    def checkpoints(self, job_id: int) -> dict[str, Any]:
        """{"latest": the newest checkpoint's directory, "folder", "directories"}."""
        return self._call("GET", f"/jobs/{job_id}/checkpoints")

    def fail(self, operation: str, status: int = 500, count: int = 1, **extra: Any) -> None:
        """Answer the next `count` calls of `operation` with `status` (error_code/error_msg opt.)."""
        self._call(
            "POST", "/faults", {"operation": operation, "status": status, "count": count, **extra}
        )

    def delay(self, operation: str, seconds: float) -> None:
        self._call("POST", "/faults/delay", {"operation": operation, "seconds": seconds})

    def fail_next_savepoint(self, count: int = 1) -> None:
        self._call("POST", "/faults/savepoint", {"count": count})

    def fail_next_restore(self, count: int = 1) -> None:
        self._call("POST", "/faults/restore", {"count": count})

    def lose(
        self, operation: str, answer: str = "error", count: int = 1, seconds: float = 1.0
    ) -> None:
        """Carry out the next `count` calls of `operation` and lose the answer (faults.Lost)."""
        body = {"operation": operation, "answer": answer, "count": count, "seconds": seconds}
        self._call("POST", "/faults/lost", body)

    def hide_next_savepoint(self, count: int = 1) -> None:
        self._call("POST", "/faults/hide-savepoint", {"count": count})

    def neighbour_before_restore(self, cu: int) -> None:
        self._call("POST", "/faults/neighbour", {"cu": cu})

    def obs_bucket(self, bucket: str, state: str) -> None:
        """Make an OBS bucket "missing" or "denied" to ListObjects ("ok" undoes it)."""
        self._call("POST", "/faults/obs-bucket", {"bucket": bucket, "state": state})

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")


@dataclass
class RunningEmulator:
    server: Any  # dli_flink.emulator.server.Emulator
    endpoint: str
    access_key: str
    secret_key: str
    project_id: str
    data_dir: Path
    admin: AdminClient

    @classmethod
    def at(cls, endpoint: str, data_dir: Path, server: Any = None) -> RunningEmulator:
        """An emulator serving `endpoint` with the tests' credentials: in this process (`server`)
        or in its own (tests/emulator/wire.py's Process)."""
        return cls(
            server=server,
            endpoint=endpoint,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            project_id=PROJECT_ID,
            data_dir=data_dir,
            admin=AdminClient(endpoint),
        )


class HeldClock:
    """The in-process emulator's clock (models.Backend's `clock`), which a test can stop.

    What is faked, and why: time, while a test takes a step that must come before one of the
    emulator's timed transitions (at the suite's speeds they come in milliseconds), so that however
    long a busy machine stalls the test, the transition still comes after the step. While held, no
    time passes for the emulator; released, it goes on from where it stopped."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self._behind = 0.0
        self._held: float | None = None
        emulator.server.backend._clock = self

    def __call__(self) -> float:
        return self._held if self._held is not None else time.time() - self._behind

    def hold(self) -> None:
        self._held = self()

    def release(self) -> None:
        assert self._held is not None
        self._behind = time.time() - self._held
        self._held = None


def start_emulator(
    directory: Path,
    speed: float = SPEED,
    queues: dict[str, int] | None = None,
    durations: Any = None,
) -> RunningEmulator:
    """An emulator serving `directory` on a loopback port (close it with `.server.close()`)."""
    from dli_flink.emulator.models import Durations, Settings
    from dli_flink.emulator.server import Emulator

    settings = Settings(
        project_id=PROJECT_ID,
        queues=queues or {"default": 64},
        speed=speed,
        durations=durations or Durations(),
    )
    server = Emulator(settings, directory, {ACCESS_KEY: SECRET_KEY}, poll_interval=CLOSE_POLL)
    return RunningEmulator.at(server.endpoint, directory, server)


@pytest.fixture
def make_emulator(tmp_path: Path) -> Iterator[Callable[..., RunningEmulator]]:
    started: list[RunningEmulator] = []
    counter = itertools.count()

    def make(
        speed: float = SPEED,
        queues: dict[str, int] | None = None,
        durations: Any = None,
        data_dir: Path | None = None,
    ) -> RunningEmulator:
        directory = data_dir or tmp_path / f"emulator-{next(counter)}"
        started.append(start_emulator(directory, speed, queues, durations))
        return started[-1]

    yield make
    for emulator in started:
        emulator.server.close()


@pytest.fixture
def emulator(make_emulator: Callable[..., RunningEmulator]) -> RunningEmulator:
    return make_emulator()


@pytest.fixture
def admin(emulator: RunningEmulator) -> AdminClient:
    return emulator.admin


def sdk_client(
    emulator: RunningEmulator, project_id: str | None = None, sk: str | None = None
) -> Any:
    """An official DliClient for `emulator` (other project id or SK to provoke refusals)."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkdli.v1 import DliClient

    credentials = BasicCredentials(
        emulator.access_key, sk or emulator.secret_key, project_id or emulator.project_id
    )
    return (
        DliClient.new_builder()
        .with_http_config(HttpConfig.get_default_config())
        .with_credentials(credentials)
        .with_endpoint(emulator.endpoint)
        .build()
    )


@pytest.fixture
def dli_client(emulator: RunningEmulator) -> Any:
    return sdk_client(emulator)


def api_for(emulator: RunningEmulator, attempts: int = 4) -> Any:
    from dli_flink.deploy.dliapi import DliApi, DliConfig, RetryPolicy

    config = DliConfig(
        endpoint=emulator.endpoint,
        project_id=emulator.project_id,
        access_key=emulator.access_key,
        secret_key=emulator.secret_key,
    )
    return DliApi(config, RetryPolicy(attempts=attempts, initial_wait=0.01, max_wait=0.05))


@pytest.fixture
def dli_api(emulator: RunningEmulator) -> Any:
    return api_for(emulator)


_names = itertools.count()


@pytest.fixture
def job_body() -> Callable[..., dict[str, Any]]:
    """A minimal valid Flink OpenSource SQL body on queue "default"; keyword arguments override."""

    def body(**overrides: Any) -> dict[str, Any]:
        return {
            "name": f"job-{next(_names)}",
            "queue_name": "default",
            "sql_body": "INSERT INTO sink SELECT * FROM source",
            "cu_number": 2,
            "obs_bucket": "bucket",
            "checkpoint_enabled": True,
            "log_enabled": True,
            "flink_version": "1.15",
            "run_mode": "exclusive_cluster",
            "execution_agency_urn": "dli_flink_agency",
            **overrides,
        }

    return body


def _wait_status(api: Any, job_id: int, *statuses: str, timeout: float = 30.0) -> dict[str, Any]:
    """The job once DLI reports one of `statuses`. `timeout` is a hang guard, not a speed bound:
    the emulator's transitions take milliseconds, and a busy shared machine may stretch them."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.show_job(job_id)
        if job["status"] in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is {job['status']}, expected one of {statuses}")
        time.sleep(0.005)


@pytest.fixture
def wait_status() -> Callable[..., dict[str, Any]]:
    return _wait_status


FAULT_MATRIX = "fault matrix"
"""The property under which each cell of tests/provider/test_fault_matrix.py records (row's rank,
row, column's rank, column, verdict) on its report."""
_matrix: dict[tuple[int, str], dict[tuple[int, str], str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """The fault matrix's verdicts, read from the cells' reports: under pytest-xdist the cells run in
    the workers and only their reports reach the process that prints the summary. This hook lives
    here, not in tests/provider, because that process loads no other conftest."""
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == FAULT_MATRIX:
            row_rank, row, column_rank, column, verdict = value
            _matrix.setdefault((row_rank, row), {})[(column_rank, column)] = verdict


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the fault matrix when its cells ran: a reviewer reads what survives which fault."""
    if not _matrix:
        return
    rows = sorted(_matrix)
    faults = sorted({f for verdicts in _matrix.values() for f in verdicts})
    width = max(len(row) for _, row in rows)
    widths = [max(len(f), *(len(v.get((r, f), "-")) for v in _matrix.values())) for r, f in faults]
    terminalreporter.section("fault matrix (issue 11)")
    header = [f.ljust(w) for (_, f), w in zip(faults, widths, strict=True)]
    terminalreporter.write_line(" " * width + " | " + " | ".join(header))
    for key in rows:
        verdicts = _matrix[key]
        cells = [verdicts.get(f, "-").ljust(w) for f, w in zip(faults, widths, strict=True)]
        terminalreporter.write_line(key[1].ljust(width) + " | " + " | ".join(cells))
