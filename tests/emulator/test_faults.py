"""Faults injected through the admin API reach the official SDK as DLI would send them."""

from __future__ import annotations

import time

import pytest
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ServerResponseException,
)
from huaweicloudsdkdli.v1 import model as m


def show(client, job_id):
    return client.show_flink_job(m.ShowFlinkJobRequest(job_id=job_id))


def test_fail_next_n_calls_then_recover(dli_client, dli_api, admin, job_body):
    job_id = dli_api.create_sql_job(job_body())
    admin.fail("show_flink_job", status=503, count=2, error_code="DLI.0012", error_msg="busy")
    for _ in range(2):
        with pytest.raises(ServerResponseException) as caught:
            show(dli_client, job_id)
        assert (caught.value.status_code, caught.value.error_code) == (503, "DLI.0012")
        assert caught.value.error_msg == "busy"
    assert show(dli_client, job_id).job_detail.job_id == job_id


def test_throttling_answers_429(dli_client, admin):
    # The SDK's urllib3 layer turns a 429 into its own error before reading the body.
    admin.fail("list_flink_jobs", status=429)
    with pytest.raises(ClientRequestException) as caught:
        dli_client.list_flink_jobs(m.ListFlinkJobsRequest())
    assert caught.value.status_code == 429
    assert dli_client.list_flink_jobs(m.ListFlinkJobsRequest()).job_list.total_count == 0


def test_unsuccessful_200_answer(dli_client, dli_api, admin, job_body):
    job_id = dli_api.create_sql_job(job_body())
    admin.fail("batch_run_flink_jobs", status=200, error_code="DLI.0999", error_msg="no")
    answer = dli_client.batch_run_flink_jobs(
        m.BatchRunFlinkJobsRequest(body=m.BatchRunFlinkJobsRequestBody(job_ids=[job_id]))
    )
    assert answer.body[0].is_success == "false"
    assert dli_api.show_job(job_id)["status"] == "job_init", "the failed call did nothing"


def test_delay_slows_only_that_operation(dli_client, dli_api, admin, job_body):
    job_id = dli_api.create_sql_job(job_body())
    admin.delay("show_flink_job", 0.6)
    started = time.monotonic()
    show(dli_client, job_id)
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    dli_client.list_flink_jobs(m.ListFlinkJobsRequest())
    assert time.monotonic() - started < 0.5
    admin.clear_faults()
    started = time.monotonic()
    show(dli_client, job_id)
    assert time.monotonic() - started < 0.5


def test_failed_savepoint_leaves_the_job_running(dli_api, admin, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    admin.fail_next_savepoint()
    dli_api.stop_jobs([job_id], trigger_savepoint=True)
    time.sleep(0.05)  # savepointing takes 2 ms at this speed
    job = wait_status(dli_api, job_id, "job_running", "job_cancel_success")
    assert job["status"] == "job_running"
    assert "savepoint failed" in job["status_desc"]
    assert job["has_savepoint"] is False
    # The next one works.
    dli_api.stop_jobs([job_id], trigger_savepoint=True)
    assert wait_status(dli_api, job_id, "job_cancel_success")["has_savepoint"] is True


def test_failed_restore_fails_the_submit_and_keeps_the_savepoint(
    dli_api, admin, job_body, wait_status
):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    dli_api.stop_jobs([job_id], trigger_savepoint=True)
    wait_status(dli_api, job_id, "job_cancel_success")
    admin.fail_next_restore()
    dli_api.run_jobs([job_id], resume_savepoint=True)
    job = wait_status(dli_api, job_id, "job_running", "job_submit_fail")
    assert job["status"] == "job_submit_fail"
    assert "restore" in job["status_desc"]
    assert job["has_savepoint"] is True
    dli_api.run_jobs([job_id], resume_savepoint=True)
    assert wait_status(dli_api, job_id, "job_running")["has_savepoint"] is False


def test_admin_rejects_unknown_operations(admin):
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as caught:
        admin.fail("no_such_operation")
    assert caught.value.code == 400
