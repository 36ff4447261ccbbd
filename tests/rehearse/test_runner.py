"""The runner JVM leaves nothing behind: loopback ports only, stopped on close or when Python dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from dli_flink.rehearse.runner import Runners


def _listening(pid: int) -> set[str]:
    """The local addresses of the TCP sockets `pid` listens on (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue  # closed since the listing: the JVM opens and closes files as it runs
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, size in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add(fields[1].split(":")[0][-size:])
    return found


def test_the_runner_listens_on_loopback_only(runners) -> None:
    runner = runners.get("1.17")
    assert runner.rest.startswith("http://127.0.0.1:")
    addresses = _listening(runner.pid)
    assert addresses, "REST and the blob server listen"
    loopback = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
    assert addresses <= loopback


def test_the_planner_unpacks_its_jar_into_the_run_folder(runners) -> None:
    runner = runners.get("1.17")
    compiled = runner.call(
        {
            "op": "submit",
            "dry": True,
            "statements": [
                {"sql": "CREATE TABLE a (x INT) WITH ('connector' = 'datagen')", "insert": False},
                {"sql": "CREATE TABLE b (x INT) WITH ('connector' = 'blackhole')", "insert": False},
                {"sql": "INSERT INTO b SELECT x FROM a", "insert": True},
            ],
            "conf": {},
            "parallelism": 1,
        }
    )
    assert compiled["ok"]
    assert list((runner.folder / "tmp").glob("flink-table-planner*.jar"))


def _gone(pid: int, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_closing_stops_the_jvm_and_removes_its_files() -> None:
    with Runners(progress=False) as pool:
        pid, folder = pool.get("1.17").pid, pool.folder
    assert _gone(pid)
    assert not folder.exists()


def test_a_killed_python_takes_the_jvm_along_and_the_next_run_tidies_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both runs keep their folders in this test's own temporary directory: any other run (another
    # xdist worker's) tidies up the shared one too, and once removed the killed run's folder
    # proves nothing about which run tidied it.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    script = (
        "import sys, time\n"
        "from dli_flink.rehearse.runner import Runners\n"
        "pool = Runners(progress=False)\n"
        "print(pool.get('1.17').pid, pool.folder, flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert child.stdout is not None
    pid, folder = child.stdout.readline().split()
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert _gone(int(pid)), "the JVM exits when its stdin closes"
    assert Path(folder).parent == tmp_path
    assert Path(folder).exists()
    Runners(progress=False).close()
    assert not Path(folder).exists()
