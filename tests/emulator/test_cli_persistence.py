"""`dli-flink emulator` as a process: its ready line, clean stops, errors, and surviving kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import api_for
from tests.emulator.wire import Process


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_and_clean_stop(tmp_path, processes, signum):
    process = Process(tmp_path)
    processes.append(process)
    assert process.emulator.admin.health()["status"] == "ok"
    assert process.stop(signum) == 0
    assert process.proc.stderr.read() == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--queue", "q=lots"], "--queue wants NAME=CU"),
        (["--speed", "0"], "--speed must be a positive number"),
        (["--port", "70000"], "--port must be a port number"),
    ],
)
def test_bad_arguments_are_one_line_errors(tmp_path, args, message):
    command = [sys.executable, "-m", "dli_flink", "emulator", "--data-dir", str(tmp_path), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_busy_port_is_a_one_line_error(tmp_path, emulator):
    port = emulator.endpoint.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "dli_flink", "emulator", "--port", port]
    done = subprocess.run(
        [*command, "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert done.stderr.startswith("dli-flink emulator: error: cannot serve on 127.0.0.1:")
    assert done.stderr.count("\n") == 1


def _damage(data: Path, how: str) -> None:
    """Leave `data` (the --data-dir) unusable in the way `how` names."""
    if how == "data-dir-is-a-file":
        data.write_text("not a directory")
    elif how == "database-is-a-directory":
        (data / "emulator.sqlite3").mkdir(parents=True)
    elif how == "corrupt-database":
        data.mkdir()
        (data / "emulator.sqlite3").write_bytes(b"this is not an SQLite database\n" * 200)
    elif how == "unreadable-job-row":
        data.mkdir()
        with sqlite3.connect(data / "emulator.sqlite3") as db:
            db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
            db.execute('INSERT INTO jobs VALUES (10001, \'{"job_id": 10001, "status"\')')


@pytest.mark.parametrize(
    "how",
    ["data-dir-is-a-file", "database-is-a-directory", "corrupt-database", "unreadable-job-row"],
)
def test_an_unusable_data_dir_is_a_one_line_error_that_names_it(tmp_path, how):
    data = tmp_path / "data"
    _damage(data, how)
    assert "cannot serve" not in _refused(data)


def _refused(data: Path) -> str:
    """The one line an emulator started on `data` exits with, having refused it."""
    command = [sys.executable, "-m", "dli_flink", "emulator", "--port", "0"]
    done = subprocess.run(
        [*command, "--data-dir", str(data)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"dli-flink emulator: error: cannot use the data dir {data}: ")
    return done.stderr


def test_a_second_emulator_on_a_data_dir_in_use_is_a_one_line_error(tmp_path, processes):
    """Two emulators on one data dir (a second one started on another port, both on the default
    --data-dir) each kept its own copy of the jobs and wrote it over the other's rows and OBS
    files. The second is refused while the first runs; once the first is gone, even killed, the
    data dir is free again."""
    data = tmp_path / "data"
    first = Process(data)
    processes.append(first)
    assert f"another emulator (pid {first.proc.pid}) is using it" in _refused(data)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    again = Process(data)
    processes.append(again)
    assert again.emulator.admin.health()["status"] == "ok"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("durations:\n  submit: soon\n", "durations must map"),
        ("durations:\n  lunch: 1\n", "unknown durations lunch"),
        ("speedy: 2\n", "unknown settings speedy"),
        ("[1, 2]\n", "must hold a mapping"),
        ("port: eighty\n", "--port must be"),
    ],
)
def test_bad_config_files_are_one_line_errors(tmp_path, text, message):
    config = tmp_path / "emulator.yaml"
    config.write_text(text)
    command = [sys.executable, "-m", "dli_flink", "emulator", "--config", str(config)]
    done = subprocess.run(
        [*command, "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_config_file_sets_queues(tmp_path, processes, job_body, wait_status):
    config = tmp_path / "emulator.yaml"
    config.write_text("queues:\n  tiny: 2\ndurations:\n  submit: 1\n")
    process = Process(tmp_path / "data", "--config", str(config), speed=100)
    processes.append(process)
    api = api_for(process.emulator)
    job_id = api.create_sql_job(job_body(queue_name="tiny", cu_number=4, parallel_number=1))
    api.run_jobs([job_id])
    job = wait_status(api, job_id, "job_running", "job_submit_fail")
    assert "insufficient queue resources" in job["status_desc"]


def test_kill_9_at_any_moment_loses_nothing(tmp_path, processes, job_body, wait_status):
    data = tmp_path / "data"
    # Speed 10: submit 1 s, cancel 0.3 s, savepoint and restore 0.2 s + 2 ms per MB of state.
    process = Process(data, speed=10)
    processes.append(process)
    api, admin = api_for(process.emulator), process.emulator.admin
    new = api.create_sql_job(job_body())
    stopped, restoring, savepointing = (api.create_sql_job(job_body()) for _ in range(3))
    api.run_jobs([stopped, restoring, savepointing])
    for job_id in (stopped, restoring, savepointing):
        wait_status(api, job_id, "job_running")
    api.stop_jobs([stopped, restoring], trigger_savepoint=True)
    saved = wait_status(api, stopped, "job_cancel_success")["savepoint_path"]
    restore_from = wait_status(api, restoring, "job_cancel_success")["savepoint_path"]
    # Big state keeps these two in flight for seconds: long enough to be caught by the kill.
    admin.set_load(savepointing, state_mb=1500)
    admin.set_load(restoring, state_mb=1500)
    api.stop_jobs([savepointing], trigger_savepoint=True)
    api.run_jobs([restoring], resume_savepoint=True)
    timeline_before = admin.timeline(stopped)

    process.proc.send_signal(signal.SIGKILL)
    process.proc.wait()
    killed = time.time() * 1000  # the timeline's clock: what it records before this, the killed
    restarted = Process(data, speed=10)  # process did; after it, the restarted one
    processes.append(restarted)
    api = api_for(restarted.emulator)

    assert api.show_job(new)["status"] == "job_init"
    job = api.show_job(stopped)
    assert (job["status"], job["savepoint_path"]) == ("job_cancel_success", saved)
    assert (data / "obs" / saved.removeprefix("obs://") / "_metadata").is_file()
    assert restarted.emulator.admin.timeline(stopped) == timeline_before
    # The in-flight transitions carry on where they were: the kill caught each job in its
    # transition, and the restarted process took it on from there. Read from the timeline, not
    # from the status right after the restart: a restart slower than the transitions' seconds
    # (a busy machine; forced: 4 s) finds them due at once.
    assert not wait_status(api, restoring, "job_running", timeout=30)["has_savepoint"]
    assert wait_status(api, savepointing, "job_cancel_success", timeout=30)["has_savepoint"]
    for job_id, caught in ((restoring, "job_submitting"), (savepointing, "job_savepointing")):
        timeline = restarted.emulator.admin.timeline(job_id)
        before = [entry for entry in timeline if entry["at"] < killed]
        assert before[-1]["status"] == caught, (job_id, timeline)
        assert timeline[len(before)]["status"] != caught, "and went on after the restart"
    assert restarted.emulator.admin.restored_from(restoring)[-1] == restore_from
    assert api.create_sql_job(job_body()) > max(new, stopped, restoring, savepointing)
    assert restarted.stop(signal.SIGTERM) == 0


def test_env_credentials(tmp_path, processes):
    env = {**os.environ, "HUAWEICLOUD_SDK_PROJECT_ID": "env-project"}
    command = [sys.executable, "-m", "dli_flink", "emulator", "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout.readline().rstrip().endswith("(env-project)")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_kill_9_under_load_keeps_every_acknowledged_job_consistent(
    tmp_path, processes, job_body, wait_status
):
    import threading

    from dli_flink.deploy.dliapi import DliError

    data = tmp_path / "data"
    process = Process(data, speed=200)
    processes.append(process)
    api = api_for(process.emulator, attempts=1)
    acknowledged: list[int] = []
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            try:
                job_id = api.create_sql_job(job_body())
                acknowledged.append(job_id)
                api.run_jobs([job_id])
                wait_status(api, job_id, "job_running")
                api.stop_jobs([job_id], trigger_savepoint=True)
            except (DliError, AssertionError):
                return  # the emulator died under us: that is the point

    workers = [threading.Thread(target=churn) for _ in range(8)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)
    # A second of churn, and more jobs than clients (some client had its first job through a
    # cycle): a busy machine may need longer for that (forced: clients slowed to one job in 0.6 s
    # had 8 after the second), and the kill must come under load.
    deadline = time.monotonic() + 30  # a hang guard, not a speed bound
    while len(acknowledged) <= len(workers):
        assert time.monotonic() < deadline, f"{len(acknowledged)} jobs acknowledged"
        time.sleep(0.01)
    process.proc.send_signal(signal.SIGKILL)
    process.proc.wait()
    stop.set()
    for worker in workers:
        worker.join()

    restarted = Process(data, speed=200)
    processes.append(restarted)
    api = api_for(restarted.emulator)
    stable = ("job_init", "job_running", "job_cancel_success")
    for job_id in acknowledged:
        job = wait_status(api, job_id, *stable)
        timeline = restarted.emulator.admin.timeline(job_id)
        assert timeline[-1]["status"] == job["status"]
        assert job["has_savepoint"] == (job["status"] == "job_cancel_success")


def test_a_data_dir_that_cannot_be_locked_is_not_blamed_on_another_emulator(
    tmp_path, monkeypatch
) -> None:
    """A file system without locks (flock fails with ENOLCK, as on some network mounts) is not
    another emulator holding the data dir. Simulated, since this machine's file systems lock: the
    flock call is made to fail as such a mount makes it."""
    import errno
    import fcntl

    from dli_flink.emulator.store import Store, StoreError

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(StoreError) as refused:
        Store(tmp_path / "data")
    assert "another emulator" not in str(refused.value)
    assert "emulator.lock cannot be locked (No locks available)" in str(refused.value)
