"""A large run's files checked in forked workers (cli/workers.py): the same output as one process,
whatever happens to a worker.

Every validate test of the `cli` fixture already compares a run split among workers with the others,
but in-process: where another thread runs in the test process (the full suite's shared hosts),
validate rightly does not fork. These tests run the command in a fresh process, as a user does,
with the threshold lowered to two files and the forks counted, so a split run is sure to happen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dli_flink.cli import workers

from tests.validate.jobs import VALID_SQL_JOB

_DRIVER = """
import os, signal, sys
from dli_flink.cli import main, workers
from dli_flink.cli import validate as validate_module

workers.PARALLEL_FILES = int(os.environ["SPLIT_FROM"])
workers.parent_takes_chunks = not os.environ.get("WORKERS_ONLY")
parent, forks, real_fork = os.getpid(), [], os.fork

def fork():
    pid = real_fork()
    if pid:
        forks.append(pid)
    return pid

os.fork = fork
if os.environ.get("KILL_WORKERS"):
    check_apart, checks = validate_module._check_apart, []

    def dying(*args):
        checks.append(args)
        if os.getpid() != parent and len(checks) > int(os.environ["KILL_WORKERS"]):
            os.kill(os.getpid(), signal.SIGKILL)  # in a worker: killed, as the OOM killer would
        return check_apart(*args)

    validate_module._check_apart = dying
code = main(sys.argv[1:])
sys.stdout.flush()
print(f"forks: {len(forks)}", file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture
def corpus(write) -> list[str]:
    """Twelve job files: clean ones, a schema error, a rule error, two jobs with one name."""
    if workers.cores() < 2:
        pytest.skip("one core: validate splits nothing")
    names = []
    for index in range(12):
        text = VALID_SQL_JOB.replace("orders-enrich", f"job-{index}")
        if index == 3:
            text = text.replace("cu: 8}", "cu: 0}")  # a rule error
        if index == 7:
            text = text.replace("flink_q", "[flink_q]")  # a schema error
        if index == 10:
            text = text.replace("job-10", "job-2")  # a cross-job problem with job-2
        write(f"jobs/job-{index:02d}.yaml", text)
        names.append(f"jobs/job-{index:02d}.yaml")
    return names


def _run(tmp_path: Path, args: list[str], split: bool, **env: str) -> tuple[int, str, int]:
    """The command in a fresh process: exit code, output, workers forked."""
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ | {"SPLIT_FROM": "2" if split else str(10**9)} | env,
    )
    assert "Traceback" not in done.stderr, done.stderr
    forks = int(done.stderr.rpartition("forks: ")[2])
    return done.returncode, done.stdout, forks


def test_a_split_run_says_what_one_process_says(tmp_path: Path, corpus: list[str]) -> None:
    code, out, forks = _run(tmp_path, ["validate", "--no-cache", *corpus], split=True)
    assert forks == workers.cores() - 1  # one a core, the parent's aside
    assert (code, out, 0) == _run(tmp_path, ["validate", "--no-cache", *corpus], split=False)
    assert code == 1
    assert "jobs/job-03.yaml" in out and "jobs/job-07.yaml" in out
    assert "job-2" in out.split("jobs/job-10.yaml", 1)[1]


def test_a_worker_that_dies_costs_only_time(tmp_path: Path, corpus: list[str]) -> None:
    args = ["validate", "--no-cache", *corpus]
    died = _run(tmp_path, args, split=True, KILL_WORKERS="0", WORKERS_ONLY="1")
    assert died[2] >= 1
    assert died[:2] == _run(tmp_path, args, split=False)[:2]


def test_a_worker_that_dies_midway_keeps_the_chunks_it_sent(
    tmp_path: Path, corpus: list[str]
) -> None:
    """Twelve files in chunks of three: the worker sends its first chunk and dies in the second;
    the parent checks that and the rest, and says what one process says."""
    args = ["validate", "--no-cache", *corpus]
    died = _run(tmp_path, args, split=True, KILL_WORKERS="4", WORKERS_ONLY="1")
    assert died[2] >= 1
    assert died[:2] == _run(tmp_path, args, split=False)[:2]


def test_a_cache_filled_by_workers_serves_the_next_run(
    tmp_path: Path, corpus: list[str], user_cache: Path
) -> None:
    filled = _run(tmp_path, ["validate", *corpus], split=True)
    assert filled[2] >= 1
    assert len(list((user_cache / "dli-flink").glob("validate-*/*.pickle"))) >= len(corpus)
    for kept in ("validate-runs/*.marshal", "validate-*/run-*.pickle"):  # entries alone serve it
        for written in (user_cache / "dli-flink").glob(kept):
            written.unlink()
    assert _run(tmp_path, ["validate", *corpus], split=False) == (*filled[:2], 0)
    assert _run(tmp_path, ["validate", "--no-cache", *corpus], split=False) == (*filled[:2], 0)
