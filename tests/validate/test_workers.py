"""A large run's files checked in forked workers (cli/workers.py): the same output as one process,
whatever happens to a worker.

Every validate test of the `cli` fixture already compares a run split among workers with the others;
these tests make sure workers really ran (forks counted), that a worker dying mid-run costs nothing
but time, and that a cache filled by workers serves the next run.
"""

from __future__ import annotations

import os
import signal

import pytest
from dli_flink.cli import validate as validate_module
from dli_flink.cli import workers

from tests.validate.jobs import VALID_SQL_JOB


@pytest.fixture
def corpus(write) -> list[str]:
    """Twelve job files: clean ones, a schema error, a rule error, two jobs with one name."""
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


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """The pids of the workers forked (the real os.fork, observed)."""
    started: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(workers, "PARALLEL_FILES", 2)
    return started


def test_a_split_run_says_what_one_process_says(cli, corpus, forks, monkeypatch) -> None:
    split = cli("validate", "--no-cache", *corpus)
    assert forks, "no worker was forked"
    monkeypatch.setattr(workers, "PARALLEL_FILES", 10**9)
    alone = cli("validate", "--no-cache", *corpus)
    assert split == alone
    assert split.code == 1
    assert "jobs/job-03.yaml" in split.out
    assert "jobs/job-07.yaml" in split.out
    assert "job-2" in split.out.split("jobs/job-10.yaml", 1)[1]


def test_a_worker_that_dies_costs_only_time(cli, corpus, forks, monkeypatch) -> None:
    parent = os.getpid()
    check_apart = validate_module._check_apart

    def dying(*args: object):
        if os.getpid() != parent:  # in a worker: killed as the OOM killer would
            os.kill(os.getpid(), signal.SIGKILL)
        return check_apart(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "_check_apart", dying)
    died = cli("validate", "--no-cache", *corpus)
    assert forks
    monkeypatch.setattr(workers, "PARALLEL_FILES", 10**9)
    assert died == cli("validate", "--no-cache", *corpus)


def test_a_cache_filled_by_workers_serves_the_next_run(cli, corpus, forks, user_cache) -> None:
    first = cli("validate", *corpus)  # the fixture runs it warm, from entries, and without cache
    assert forks
    assert list((user_cache / "dli-flink").glob("validate-*/*.pickle"))
    assert first.code == 1
