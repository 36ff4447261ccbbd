"""Faults injected through the admin API reach the official SDK as DLI would send them."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from dli_flink.emulator import responses
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


def test_delay_slows_only_that_operation(dli_client, dli_api, admin, job_body, monkeypatch):
    """The delayed answer comes no sooner than the delay (a lower bound no busy machine breaks);
    that the other answers were not delayed is read from the waits the emulator made, not from the
    clock, which a busy machine can slow down by any amount: its `time` is wrapped to note them."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(responses, "time", SimpleNamespace(sleep=sleep))
    job_id = dli_api.create_sql_job(job_body())
    admin.delay("show_flink_job", 0.6)
    started = time.monotonic()
    show(dli_client, job_id)
    assert time.monotonic() - started >= 0.6
    assert waits == [0.6]
    dli_client.list_flink_jobs(m.ListFlinkJobsRequest())
    admin.clear_faults()
    show(dli_client, job_id)
    assert waits == [0.6], "only the delayed operation waited, and only while delayed"


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


# -- ambiguous faults: DLI acts, the client cannot tell ------------------------------------------


def run(client, job_id, resume=False):
    body = m.BatchRunFlinkJobsRequestBody(job_ids=[job_id], resume_savepoint=resume)
    return client.batch_run_flink_jobs(m.BatchRunFlinkJobsRequest(body=body))


def test_an_error_answer_after_acting(dli_client, dli_api, admin, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    admin.lose("batch_run_flink_jobs", "error")
    with pytest.raises(ServerResponseException) as caught:
        run(dli_client, job_id)
    assert caught.value.status_code == 504
    wait_status(dli_api, job_id, "job_running")


def test_a_reset_after_acting(dli_client, dli_api, admin, job_body, wait_status):
    from huaweicloudsdkcore.exceptions.exceptions import ConnectionException

    job_id = dli_api.create_sql_job(job_body())
    admin.lose("batch_run_flink_jobs", "reset")
    with pytest.raises((ConnectionException, OSError)):
        run(dli_client, job_id)
    wait_status(dli_api, job_id, "job_running")


def test_an_answer_held_past_the_client_s_timeout(emulator, dli_api, admin, job_body, wait_status):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ConnectionException, SdkException
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkdli.v1 import DliClient
    from requests import RequestException

    http = HttpConfig.get_default_config()
    http.timeout = (1, 0.2)
    credentials = BasicCredentials(emulator.access_key, emulator.secret_key, emulator.project_id)
    client = (
        DliClient.new_builder()
        .with_http_config(http)
        .with_credentials(credentials)
        .with_endpoint(emulator.endpoint)
        .build()
    )
    job_id = dli_api.create_sql_job(job_body())
    admin.lose("batch_run_flink_jobs", "hold", seconds=1.0)
    with pytest.raises((ConnectionException, SdkException, RequestException)):
        run(client, job_id)
    wait_status(dli_api, job_id, "job_running")


def test_a_request_delivered_late(dli_client, dli_api, admin, job_body, wait_status, monkeypatch):
    """What is faked, and why: the timer that delivers the request late is started by the test
    once it has read the job, not as the answer is sent. Its 0.3 s would otherwise run while the
    test reads the job, and a busy machine can stall the test longer than that (forced: a stall of
    0.4 s found the job already submitting)."""
    held: list[threading.Timer] = []

    class Held(threading.Timer):
        def start(self) -> None:
            held.append(self)

    monkeypatch.setattr(responses, "threading", SimpleNamespace(Timer=Held))
    job_id = dli_api.create_sql_job(job_body())
    admin.lose("batch_run_flink_jobs", "late", seconds=0.3)
    with pytest.raises(ServerResponseException):
        run(dli_client, job_id)
    assert dli_api.show_job(job_id)["status"] == "job_init", "not carried out yet"
    (late,) = held
    assert late.interval == 0.3
    threading.Timer.start(late)
    wait_status(dli_api, job_id, "job_running")


def test_a_hidden_savepoint_is_restored_from(emulator, dli_api, admin, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    admin.hide_next_savepoint()
    dli_api.stop_jobs([job_id], True)
    job = wait_status(dli_api, job_id, "job_cancel_success")
    assert (job["has_savepoint"], job["savepoint_path"]) == (False, None)
    folder = emulator.data_dir / "obs" / "bucket" / "jobs" / "savepoint" / str(job_id)
    assert [p.name for p in folder.iterdir()], "DLI holds the savepoint"
    dli_api.run_jobs([job_id], True)
    wait_status(dli_api, job_id, "job_running")
    time.sleep(0.05)
    assert not list(folder.iterdir()), "restored from it: DLI deletes a savepoint restored from"


def test_a_neighbour_takes_the_queue_before_a_restore(make_emulator, wait_status, job_body):
    from tests.conftest import api_for

    emulator = make_emulator(queues={"default": 6})
    api = api_for(emulator)
    job_id = api.create_sql_job(job_body(cu_number=4))
    api.run_jobs([job_id])
    wait_status(api, job_id, "job_running")
    api.stop_jobs([job_id], True)
    wait_status(api, job_id, "job_cancel_success")
    emulator.admin.neighbour_before_restore(4)
    api.run_jobs([job_id], True)
    job = wait_status(api, job_id, "job_submit_fail")
    assert "insufficient queue resources" in job["status_desc"]
    emulator.admin.clear_faults()
    api.run_jobs([job_id], True)
    wait_status(api, job_id, "job_running")
