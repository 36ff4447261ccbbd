"""OBS bucket names and savepoint paths: refused when DLI would refuse them; a transition that fails
(a savepoint that cannot be written, say) fails the job's transition instead of wedging the job, and
no transition can stop the clock of the others."""

from __future__ import annotations

import json

import pytest
from dli_flink.deploy.dliapi import DliError

from tests.bucket_names import BAD_BUCKETS, GOOD_BUCKETS


@pytest.mark.parametrize("bucket", BAD_BUCKETS)
def test_invalid_bucket_names_are_refused_on_create(dli_api, job_body, bucket):
    with pytest.raises(DliError) as caught:
        dli_api.create_sql_job(job_body(obs_bucket=bucket))
    assert (caught.value.status, caught.value.code) == (400, "DLI.0001")
    assert "OBS bucket name" in caught.value.message
    assert dli_api.list_jobs() == []


@pytest.mark.parametrize("bucket", GOOD_BUCKETS)
def test_valid_bucket_names_are_accepted(dli_api, job_body, bucket):
    job_id = dli_api.create_sql_job(job_body(obs_bucket=bucket))
    assert dli_api.show_job(job_id)["job_config"]["obs_bucket"] == bucket


def test_invalid_bucket_is_refused_on_a_hot_update_and_on_authorisation(
    dli_api, job_body, wait_status
):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    with pytest.raises(DliError) as caught:
        dli_api.update_sql_job(job_id, {"obs_bucket": "x/../../y"})
    assert caught.value.code == "DLI.0001"
    with pytest.raises(DliError) as caught:
        dli_api.authorize_buckets(["good-bucket", "bad..bucket"])
    assert caught.value.code == "DLI.0001"
    dli_api.stop_jobs([job_id], trigger_savepoint=True)
    job = wait_status(dli_api, job_id, "job_cancel_success")
    assert job["savepoint_path"].startswith("obs://bucket/jobs/savepoint/")


@pytest.mark.parametrize(
    "path",
    [
        "obs://../etc/x",
        "obs://Bad_Bucket/sp",
        "obs://bucket/a\x00b",
        "obs://bucket/a/../../../x",
        "obs://bucket/\ud800",
        "obs://bucket/" + "k" * 1025,
        "s3://bucket/sp",
    ],
)
def test_savepoint_paths_that_cannot_be_written_are_refused_up_front(
    dli_api, job_body, wait_status, path
):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    with pytest.raises(DliError) as caught:
        dli_api.trigger_savepoint(job_id, path)
    assert caught.value.code == "DLI.0001"
    assert dli_api.show_job(job_id)["status"] == "job_running"
    with pytest.raises(DliError) as caught:
        dli_api.import_savepoint(dli_api.create_sql_job(job_body()), path)
    assert caught.value.code == "DLI.0001"


def test_a_savepoint_that_cannot_be_written_fails_the_stop_not_the_job(
    emulator, dli_api, admin, job_body, wait_status
):
    """The OBS directory is blocked by a file: the stop's savepoint fails, as an injected savepoint
    fault does, and the job keeps running with the reason in status_desc."""
    job_id = dli_api.create_sql_job(job_body(obs_bucket="blocked"))
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    (emulator.data_dir / "obs").mkdir(exist_ok=True)
    (emulator.data_dir / "obs" / "blocked").write_text("not a directory")
    dli_api.stop_jobs([job_id], trigger_savepoint=True)
    job = wait_status(dli_api, job_id, "job_running", "job_cancel_success", timeout=30)
    assert job["status"] == "job_running"
    assert job["status_desc"].startswith("savepoint failed: ")
    assert job["has_savepoint"] is False
    assert admin.statuses(job_id)[-2:] == ["job_savepointing", "job_running"]
    dli_api.stop_jobs([job_id])
    assert wait_status(dli_api, job_id, "job_cancel_success")["has_savepoint"] is False


@pytest.mark.parametrize(
    ("broken", "trigger", "failed"),
    [
        ("_submitted", "run", "job_submit_fail"),
        ("_savepointed", "stop_with_savepoint", "job_running"),
        ("_canceled", "stop", "job_cancel_fail"),
    ],
)
def test_any_failure_inside_a_transition_fails_that_transition(
    emulator, dli_api, job_body, wait_status, monkeypatch, broken, trigger, failed
):
    """Whatever goes wrong inside a timed transition (here: a bug, simulated), the job lands in the
    state that transition's failure means, with the reason, and its clock keeps running."""
    backend = emulator.server.backend
    job_id = dli_api.create_sql_job(job_body())
    if trigger != "run":
        dli_api.run_jobs([job_id])
        wait_status(dli_api, job_id, "job_running")

    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(backend, broken, boom)
    if trigger == "run":
        dli_api.run_jobs([job_id])
    else:
        dli_api.stop_jobs([job_id], trigger_savepoint=trigger == "stop_with_savepoint")
    job = wait_status(dli_api, job_id, failed, timeout=30)
    assert job["status_desc"].endswith("failed: boom")
    monkeypatch.undo()
    other = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([other])
    wait_status(dli_api, other, "job_running")


def test_a_transition_due_centuries_away_does_not_stop_the_clock(dli_api, job_body, wait_status):
    """The largest scaling interval DLI reads (Integer.MAX_VALUE minutes, some 4,000 years): the
    scheduler waits in bounded steps instead of dying with every other job's clock."""
    far = json.dumps(
        [
            {"key": "flink.dli.job.scale.enable", "value": "true"},
            {"key": "flink.dli.job.scale.interval", "value": str(2**31 - 1)},
        ]
    )
    scaling = dli_api.create_sql_job(job_body(runtime_config=far))
    dli_api.run_jobs([scaling])
    wait_status(dli_api, scaling, "job_running")
    other = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([other])
    wait_status(dli_api, other, "job_running")
