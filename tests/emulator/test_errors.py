"""DLI's error answers: one class per error code, and the exact status, code and message on the wire."""

from __future__ import annotations

import pytest
from dli_flink.emulator import errors
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkdli.v1 import model as m


def test_each_class_is_one_dli_code_with_its_status_and_a_reason():
    table = {cls: (cls.status, cls.code) for cls in errors.ApiError.__subclasses__()}
    assert table == {
        errors.ParameterError: (400, "DLI.0001"),
        errors.OperationNotSupported: (400, "DLI.0007"),
        errors.FlinkJobNotFound: (400, "DLI.16001"),
        errors.QueueUnavailable: (400, "DLI.13024"),
        errors.BucketNotAuthorized: (400, "DLI.11016"),
        errors.InternalError: (500, "DLI.0999"),
    }
    for cls in table:
        assert cls.code in (cls.__doc__ or ""), cls


def _refusal(call, *args):
    with pytest.raises((ClientRequestException, ServerResponseException)) as caught:
        call(*args)
    error = caught.value
    return error.status_code, error.error_code, error.error_msg


def test_the_sdk_sees_each_code_with_its_status_and_message(
    emulator, dli_client, dli_api, job_body
):
    job_id = dli_api.create_sql_job(job_body())
    stop = m.BatchStopFlinkJobsRequest(body=m.StopFlinkJobsRequestBody(job_ids=[job_id]))
    assert _refusal(dli_client.batch_stop_flink_jobs, stop) == (
        400,
        "DLI.0007",
        f"Job {job_id} is job_init: only a running or submitting job can be stopped",
    )
    assert _refusal(dli_client.list_flink_jobs, m.ListFlinkJobsRequest(limit=0)) == (
        400,
        "DLI.0001",
        "offset must be >= 0 and limit between 1 and 100",
    )
    show = m.ShowFlinkJobRequest(job_id=99999)
    assert _refusal(dli_client.show_flink_job, show) == (
        400,
        "DLI.16001",
        "The Flink job 99999 does not exist",
    )
    no_queue = dli_api.create_sql_job(job_body(queue_name="nope"))
    run = m.BatchRunFlinkJobsRequest(body=m.BatchRunFlinkJobsRequestBody(job_ids=[no_queue]))
    assert _refusal(dli_client.batch_run_flink_jobs, run) == (
        400,
        "DLI.13024",
        f"Job {no_queue}: queue nope is not available",
    )


def test_a_bug_in_the_emulator_answers_500_dli_0999(emulator, dli_client, monkeypatch):
    def broken(job_id: int) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(emulator.server.backend, "get_job", broken)
    show = m.ShowFlinkJobRequest(job_id=10001)
    assert _refusal(dli_client.show_flink_job, show) == (500, "DLI.0999", "Internal error: boom")
