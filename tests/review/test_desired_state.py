"""desiredState: `pulumi up` stops a job set to stopped and starts it again when set back to running.

Stopping takes a savepoint when the job has an OBS bucket to write it to, and the start resumes from
it; without one the stop loses the state. A job kept stopped is edited without a restart.
"""

from __future__ import annotations

import json

import pytest

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


DIRECTORY = "obs://data-team-flink/jobs/checkpoint/10001/chk-42/"
_KEPT = "started: `pulumi up` starts it again from {} (desiredState: running)"
_EMPTY = "started: `pulumi up` starts it again with empty state (desiredState: running)"
_REPORTED = (
    "the savepoint it was stopped with, which DLI reports: restore: {} applies only to a job "
    "stopped without one"
)
_NOT_STARTED = "not started: `pulumi up` starts nothing (desiredState: running)"
_FROM = f"the OBS directory restore names, {DIRECTORY}"
_NO_CHECKPOINT = (
    "nothing: restore: latest-checkpoint, but the job has no obsBucket: DLI keeps no checkpoint "
    "for it, so `pulumi up` starts nothing"
)


@pytest.mark.parametrize(
    ("name", "restore", "starts_from", "heading"),
    [
        ("orders-enrich", None, "the savepoint it was stopped with", _KEPT),
        ("orders-enrich", "none", _REPORTED.format("none"), _KEPT),
        ("orders-enrich", "latest-checkpoint", _REPORTED.format("latest-checkpoint"), _KEPT),
        ("orders-enrich", DIRECTORY, _FROM, _KEPT),
        (
            "heartbeat-monitor",
            None,
            "no state (no obsBucket: DLI keeps no savepoint or checkpoint for it)",
            _EMPTY,
        ),
        ("heartbeat-monitor", "none", "no state (restore: none)", _EMPTY),
        ("heartbeat-monitor", "latest-checkpoint", _NO_CHECKPOINT, _NOT_STARTED),
        ("heartbeat-monitor", DIRECTORY, _FROM, _KEPT),
    ],
    ids=[
        "savepoint",
        "savepoint-none",
        "savepoint-latest-checkpoint",
        "savepoint-directory",
        "no-bucket",
        "no-bucket-none",
        "no-bucket-latest-checkpoint",
        "no-bucket-directory",
    ],
)
def test_a_start_says_what_restore_makes_it_start_from(
    cli, repo, tmp_path, name: str, restore: str | None, starts_from: str, heading: str
) -> None:
    """`pulumi up` starts a job stopped by desiredState from the savepoint DLI reports for it,
    unless restore names a directory for this run; without a savepoint (no obsBucket) by restore
    (deploy/restore.py: tests/provider/test_restore.py runs each on the emulator)."""
    path = tmp_path / (ORDERS if name == "orders-enrich" else BEATS)
    edit(path, f"name: {name}", f"name: {name}\ndesiredState: stopped")
    repo("commit", "-qam", "stopped for maintenance")
    written = f"\nrestore: {restore}" if restore else ""
    edit(path, "desiredState: stopped", f"desiredState: running{written}")
    out = cli("review", "--base", "HEAD", "jobs").out
    assert f"### `{name}`: {heading.format(starts_from)}\n" in out
    assert f"\nStarts from: {starts_from}.\n" in out
    assert _json(cli, "--base", "HEAD", "jobs")["startsFrom"] == starts_from


def test_a_start_refused_for_want_of_a_checkpoint_warns(cli, repo, tmp_path) -> None:
    edit(
        tmp_path / BEATS,
        "name: heartbeat-monitor",
        "name: heartbeat-monitor\ndesiredState: stopped",
    )
    repo("commit", "-qam", "stopped for maintenance")
    edit(
        tmp_path / BEATS,
        "desiredState: stopped",
        "desiredState: running\nrestore: latest-checkpoint",
    )
    assert _json(cli, "--base", "HEAD", "jobs")["restoreWarning"] == (
        "restore: latest-checkpoint, but the job has no obsBucket: DLI keeps no checkpoint for "
        "it, so `pulumi up` starts nothing; set restore: none to start it empty, or restore to a "
        "directory of its state"
    )


def test_a_jar_job_with_its_own_checkpoint_path_starts_from_its_newest_checkpoint(
    cli, repo, tmp_path
) -> None:
    """No obsBucket, so the stop took no savepoint; DLI's docs say a Jar job checkpoints to its own
    checkpoint.path (FAQ dli_03_0038), where the start looks (deploy/held.py)."""
    path = tmp_path / "jobs/own-path.yaml"
    path.write_text(
        "kind: FlinkJarJob\nname: own-path\nqueue: flink_q\nflinkVersion: '1.15'\n"
        "agency: dli_flink_agency\ndesiredState: stopped\n"
        "jar: {entrypoint: obs://jars/app.jar, mainClass: com.example.App}\n"
        "checkpoint: {enabled: false, path: obs://state/app/}\n"
    )
    repo("add", "-A")
    repo("commit", "-qm", "a stopped Jar job")
    edit(path, "desiredState: stopped", "desiredState: running")
    started = (
        "the newest complete checkpoint OBS holds in obs://state/app/ (none there: `pulumi up` "
        "starts nothing)"
    )
    assert _json(cli, "--base", "HEAD", "jobs")["startsFrom"] == started
