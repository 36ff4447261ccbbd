"""The emulator refuses what DLI refuses: wrong-state operations, cold edits, bad bodies, bad scaling."""

from __future__ import annotations

import json

import pytest
from dli_flink.deploy.dliapi import DliError
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdli.v1 import model as m

SCALING = {"flink.dli.job.scale.enable": "true", "flink.dli.job.cu.max": "8"}


def runtime_config(**keys: str) -> str:
    merged = {**SCALING, **keys}
    return json.dumps([{"key": k, "value": v} for k, v in merged.items()])


def test_stop_needs_a_running_or_submitting_job(dli_api, job_body):
    job_id = dli_api.create_sql_job(job_body())
    with pytest.raises(DliError) as caught:
        dli_api.stop_jobs([job_id], trigger_savepoint=True)
    assert (caught.value.status, caught.value.code) == (400, "DLI.0007")
    assert dli_api.show_job(job_id)["status"] == "job_init"


def test_run_needs_a_new_stopped_or_failed_job(dli_api, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    with pytest.raises(DliError) as caught:
        dli_api.run_jobs([job_id])
    assert caught.value.code == "DLI.0007"


def test_a_batch_with_one_wrong_job_changes_nothing(dli_api, job_body, wait_status):
    running = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([running])
    wait_status(dli_api, running, "job_running")
    fresh = dli_api.create_sql_job(job_body())
    with pytest.raises(DliError):
        dli_api.run_jobs([fresh, running])
    assert dli_api.show_job(fresh)["status"] == "job_init"


def test_cold_edit_while_running_is_refused_hot_edit_is_not(dli_api, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    with pytest.raises(DliError) as caught:
        dli_api.update_sql_job(job_id, {"cu_number": 4, "smn_topic": "t"})
    assert caught.value.code == "DLI.0007"
    assert "stop the job before editing" in caught.value.message
    assert "cu_number" in caught.value.message
    dli_api.update_sql_job(job_id, {"smn_topic": "alerts", "restart_when_exception": True})
    config = dli_api.show_job(job_id)["job_config"]
    assert (config["smn_topic"], config["cu_number"]) == ("alerts", 2)


def test_edit_of_a_stopped_job_is_partial(dli_api, job_body):
    job_id = dli_api.create_sql_job(job_body(parallel_number=2))
    before = dli_api.show_job(job_id)["update_time"]
    update_time = dli_api.update_sql_job(job_id, {"cu_number": 6})
    job = dli_api.show_job(job_id)
    assert (job["job_config"]["cu_number"], job["job_config"]["parallel_number"]) == (6, 2)
    assert job["update_time"] == update_time >= before


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"cu_number": "four"}, "cu_number"),
        ({"cu_number": 401}, "cu_number"),
        ({"cu_number": 2, "parallel_number": 5}, "parallel_number"),
        ({"checkpoint_mode": 3}, "checkpoint_mode"),
        ({"name": "bad name!"}, "name"),
        ({"runtime_config": "flink.dli.job.scale.enable=true"}, "runtime_config"),
        ({"job_type": "flink_jar_job"}, "job_type"),
    ],
)
def test_bad_bodies_are_dli_0001(dli_api, job_body, body, needle):
    with pytest.raises(DliError) as caught:
        dli_api.create_sql_job(job_body(**body))
    assert (caught.value.status, caught.value.code) == (400, "DLI.0001")
    assert needle in caught.value.message


def test_names_are_unique(dli_api, job_body):
    dli_api.create_sql_job(job_body(name="same"))
    with pytest.raises(DliError) as caught:
        dli_api.create_sql_job(job_body(name="same"))
    assert caught.value.code == "DLI.0001"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"flink_version": "1.10"}, "Flink 1.12 or later"),
        ({"checkpoint_enabled": False}, "checkpointing"),
        ({"log_enabled": False}, "log_enabled"),
        ({"obs_bucket": None}, "OBS bucket"),
        ({"cu_number": 10, "parallel_number": 1}, "cu.max (8) cannot be smaller"),
        ({"runtime_config": runtime_config(**{"flink.dli.job.cu.min": "4"})}, "cu.min (4)"),
        # DLI reads these with Java's Integer.parseInt, which refuses what Python's int() takes.
        ({"runtime_config": runtime_config(**{"flink.dli.job.cu.max": " 16"})}, "integers"),
        ({"runtime_config": runtime_config(**{"flink.dli.job.cu.max": "1_6"})}, "integers"),
        ({"runtime_config": runtime_config(**{"flink.dli.job.cu.max": "2147483648"})}, "integers"),
        ({"job_type": "flink_sql_job"}, "OpenSource SQL and Flink Jar"),
    ],
)
def test_scaling_rules_fail_the_submit_with_a_reason(
    dli_api, job_body, wait_status, overrides, reason
):
    body = job_body(**{"runtime_config": runtime_config(), **overrides})
    job_id = dli_api.create_sql_job({k: v for k, v in body.items() if v is not None})
    dli_api.run_jobs([job_id])
    job = wait_status(dli_api, job_id, "job_running", "job_submit_fail")
    assert job["status"] == "job_submit_fail"
    assert reason in job["status_desc"]


def test_valid_scaling_job_runs(dli_api, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body(runtime_config=runtime_config()))
    dli_api.run_jobs([job_id])
    assert wait_status(dli_api, job_id, "job_running", "job_submit_fail")["status"] == "job_running"


def test_jar_jobs_have_their_own_endpoints(dli_api, job_body, wait_status):
    body = {
        "name": "jar-job",
        "queue_name": "default",
        "entrypoint": "obs://bucket/app.jar",
        "main_class": "com.example.Main",
        "cu_number": 4,
        "checkpoint_path": "obs://bucket/ckpt",
    }
    job_id = dli_api.create_jar_job(body)
    job = dli_api.show_job(job_id)
    assert job["job_type"] == "flink_jar_job"
    assert job["job_config"]["entrypoint"] == "obs://bucket/app.jar"
    with pytest.raises(DliError) as caught:
        dli_api.update_sql_job(job_id, {"sql_body": "SELECT 1"})
    assert caught.value.code == "DLI.0001"
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    dli_api.update_jar_job(job_id, {"checkpoint_path": "obs://bucket/ckpt2"})
    with pytest.raises(DliError):
        dli_api.update_jar_job(job_id, {"main_class": "com.example.Other"})
    dli_api.stop_jobs([job_id])
    wait_status(dli_api, job_id, "job_cancel_success")
    with pytest.raises(DliError) as caught:
        dli_api.update_jar_job(job_id, {"job_type": "flink_sql_job"})
    assert caught.value.code == "DLI.0001"


def test_savepoints_need_an_obs_bucket(dli_api, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body(obs_bucket=None, checkpoint_enabled=False))
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    with pytest.raises(DliError) as caught:
        dli_api.stop_jobs([job_id], trigger_savepoint=True)
    assert caught.value.code == "DLI.0001"


def test_import_needs_an_existing_savepoint(dli_api, job_body):
    job_id = dli_api.create_sql_job(job_body())
    with pytest.raises(DliError) as caught:
        dli_api.import_savepoint(job_id, "obs://bucket/nothing/here")
    assert caught.value.code == "DLI.0001"


@pytest.mark.parametrize("call", ["run", "stop", "delete"])
def test_a_batch_naming_a_job_twice_is_refused_and_changes_nothing(
    dli_client, dli_api, job_body, wait_status, call
):
    """DLI's docs do not say what a batch naming a job twice does; its answer holds one result per
    id, so it would report one job's outcome twice. The emulator refuses it."""
    running, fresh = dli_api.create_sql_job(job_body()), dli_api.create_sql_job(job_body())
    dli_api.run_jobs([running])
    wait_status(dli_api, running, "job_running")
    request = {
        "run": lambda: m.BatchRunFlinkJobsRequest(
            body=m.BatchRunFlinkJobsRequestBody(job_ids=[fresh, fresh])
        ),
        "stop": lambda: m.BatchStopFlinkJobsRequest(
            body=m.StopFlinkJobsRequestBody(job_ids=[running, running], trigger_savepoint=True)
        ),
        "delete": lambda: m.BatchDeleteFlinkJobsRequest(
            body=m.BatchDeleteFlinkJobsRequestBody(job_ids=[fresh, running, fresh])
        ),
    }[call]()
    with pytest.raises(ClientRequestException) as caught:
        getattr(dli_client, f"batch_{call}_flink_jobs")(request)
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLI.0001")
    assert "more than once" in caught.value.error_msg
    assert dli_api.show_job(fresh)["status"] == "job_init"
    assert dli_api.show_job(running)["status"] == "job_running"
    dli_api.stop_jobs([running], trigger_savepoint=True)
    assert wait_status(dli_api, running, "job_cancel_success")["has_savepoint"] is True
