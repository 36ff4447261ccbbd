"""`dli-flink rehearse` and `review --rehearse` in a git repository holding the example jobs.

orders-enrich is a Flink 1.15 job reading Kafka and JDBC and writing DWS, with its SQL in a sqlFile:
the command finds its change in either file, rehearses it on Flink 1.15 and says what DLI would do.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path
from types import ModuleType

from tests.rehearse.conftest import edit


def _demo() -> ModuleType:
    """examples/rehearse_demo.py, whose two changes these tests rehearse as the demo does."""
    path = Path(__file__).resolve().parents[2] / "examples" / "rehearse_demo.py"
    spec = importlib.util.spec_from_file_location("rehearse_demo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEMO = _demo()


def test_a_parallelism_change_of_the_example_job_restores_on_flink_1_15(
    cli, repo, shared, tmp_path
) -> None:
    DEMO.more_parallelism(tmp_path)
    run = cli("rehearse", "jobs")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert (
        lines[0]
        == "orders-enrich (jobs/orders-enrich.yaml, Flink 1.15, parallelism 8 -> 12): restores"
    )
    assert "stand-ins: orders (kafka -> datagen (sequence on order_id))" in run.out
    assert lines[-1].endswith(": 1 restores.")
    assert "rehearsing orders-enrich on Flink 1.15" in run.err


def test_a_column_added_to_the_sql_file_fails_after_restore_exit_1(
    cli, repo, shared, tmp_path
) -> None:
    DEMO.add_currency(tmp_path)
    run = cli("rehearse", "--format", "json", "jobs")
    assert run.code == 1
    [job] = json.loads(run.out)["jobs"]
    assert (job["name"], job["verdict"]) == ("orders-enrich", "fails after restore")
    assert job["reason"].startswith("StateMigrationException:")
    assert job["flinkVersion"] == {"old": "1.15", "new": "1.15"}
    assert {s["table"]: s["standIn"] for s in job["standIns"]}["enriched_orders"] == "blackhole"


def test_review_rehearse_shows_the_verdict_in_the_report(cli, repo, shared, tmp_path) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "parallelism: 8", "parallelism: 4")
    run = cli("review", "--rehearse", "jobs")
    assert run.code == 0, run.err
    assert "Rehearsal (Flink 1.15, parallelism 8 -> 4): **restores**" in run.out
    report = json.loads(cli("review", "--rehearse", "--format", "json", "jobs").out)
    assert report["jobs"][0]["rehearsal"]["verdict"] == "restores"


def test_a_jar_job_is_not_rehearsed_and_says_why(cli, repo, tmp_path) -> None:
    edit(tmp_path / "jobs/clickstream-sessions.yaml", "parallelism: 8", "parallelism: 4")
    run = cli("rehearse", "jobs")
    assert run.code == 0
    assert "clickstream-sessions" in run.out and ": not rehearsed" in run.out
    assert "a Jar job (obs://data-team-flink/jars/sessionizer-2.3.jar): only SQL jobs" in run.out


def test_nothing_to_rehearse_without_a_restart(cli, repo, tmp_path) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "smnTopic: data-team-alerts", "smnTopic: pager")
    run = cli("rehearse", "jobs")
    assert run.code == 0
    assert run.out.startswith("no restart-class change against ")


def test_without_a_jdk_one_line_says_how_to_get_one(cli, repo, tmp_path, monkeypatch) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "parallelism: 8", "parallelism: 12")
    only_git = tmp_path / "bin"
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git"))  # type: ignore[arg-type]
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(only_git))
    run = cli("rehearse", "jobs")
    assert run.code == 2
    assert run.err.count("\n") == 1
    assert "rehearse needs a JDK 17" in run.err and "JAVA_HOME" in run.err


def test_without_network_the_first_download_says_so(cli, repo, tmp_path, monkeypatch) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "parallelism: 8", "parallelism: 12")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    for key, value in {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_NO_CACHE_DIR": "1",
        "PIP_RETRIES": "0",
    }.items():
        monkeypatch.setenv(key, value)
    run = cli("rehearse", "jobs")
    assert run.code == 2
    last = run.err.strip().splitlines()[-1]
    assert last.startswith("dli-flink: could not download Flink 1.15.4")
    assert "needs network access to PyPI" in last
    assert not (tmp_path / "empty-cache/dli-flink/flink/1.15.4/lib").exists()
