"""desiredState: `pulumi up` stops a job set to stopped and starts it again when set back to running.

Stopping takes a savepoint when the job has an OBS bucket to write it to, and the start resumes from
it; without one the stop loses the state. A job kept stopped is edited without a restart.
"""

from __future__ import annotations

import json

from tests.review.conftest import edit

ORDERS = "jobs/orders-enrich.yaml"  # has an obsBucket
BEATS = "jobs/clickstream-sessions.yaml"  # its second document, heartbeat-monitor, has none


def _stop(path) -> None:
    edit(path, "queue: flink_q", "queue: flink_q\ndesiredState: stopped")


def _json(cli, *args: str) -> dict:
    [job] = json.loads(cli("review", "--format", "json", *args).out)["jobs"]
    return job


def test_stopping_a_job_shows_the_stop_and_its_savepoint(cli, repo, tmp_path) -> None:
    _stop(tmp_path / ORDERS)
    run = cli("review", "jobs")
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines()[0].endswith(": 1 job changed, 1 stop.")
    assert (
        "### `orders-enrich`: stopped: `pulumi up` stops it with a savepoint "
        "(desiredState: stopped)" in run.out
    )
    job = _json(cli, "jobs")
    assert (job["stateChange"], job["desiredState"]) == (
        "stop",
        {"before": "running", "after": "stopped"},
    )
    assert job["restartSeconds"] is None


def test_stopping_a_job_without_an_obs_bucket_says_its_state_is_lost(cli, repo, tmp_path) -> None:
    edit(
        tmp_path / BEATS,
        "name: heartbeat-monitor",
        "name: heartbeat-monitor\ndesiredState: stopped",
    )
    out = cli("review", "jobs").out
    assert (
        "### `heartbeat-monitor`: stopped: `pulumi up` stops it without a savepoint "
        "(no obsBucket): its state is lost" in out
    )


def test_setting_a_stopped_job_running_shows_the_start(cli, repo, tmp_path) -> None:
    _stop(tmp_path / ORDERS)
    repo("commit", "-qam", "stopped for maintenance")
    edit(tmp_path / ORDERS, "desiredState: stopped", "desiredState: running")
    run = cli("review", "--base", "HEAD", "jobs")
    assert run.code == 0
    assert run.out.splitlines()[0].endswith(": 1 job changed, 1 start.")
    assert (
        "### `orders-enrich`: started: `pulumi up` starts it again from the savepoint it was "
        "stopped with (desiredState: running)" in run.out
    )
    assert _json(cli, "--base", "HEAD", "jobs")["stateChange"] == "start"


def test_editing_a_job_kept_stopped_restarts_nothing(cli, repo, tmp_path) -> None:
    _stop(tmp_path / ORDERS)
    repo("commit", "-qam", "stopped for maintenance")
    edit(tmp_path / ORDERS, "cuMax: 16", "cuMax: 32")
    run = cli("review", "--base", "HEAD", "jobs")
    assert run.out.splitlines()[0].endswith(": 1 job changed.")
    assert (
        "### `orders-enrich`: edited while stopped (desiredState: stopped): no restart" in run.out
    )


def test_a_new_job_left_stopped_does_not_start(cli, repo, tmp_path) -> None:
    (tmp_path / "jobs/new-job.yaml").write_text(
        "kind: FlinkSqlJob\nname: new-job\nqueue: flink_q\nflinkVersion: '1.15'\n"
        "desiredState: stopped\nsql: SELECT 1\n"
    )
    out = cli("review", "jobs").out
    assert "### `new-job`: created: a new job, left stopped (desiredState: stopped)" in out
