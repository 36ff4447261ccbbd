"""DliApi against the emulator: error mapping, is_success checks, retries, config, secrecy, threads."""

from __future__ import annotations

import logging
import pickle
import threading

import pytest
from dli_flink.deploy.dliapi import DliApi, DliConfig, DliConfigError, DliError, RetryPolicy

from tests.conftest import SECRET_KEY, api_for


def test_errors_carry_operation_status_code_message_and_request_id(dli_api):
    with pytest.raises(DliError) as caught:
        dli_api.show_job(424242)
    error = caught.value
    assert (error.operation, error.status, error.code) == ("show_flink_job", 400, "DLI.16001")
    assert "424242" in error.message
    assert len(error.request_id) == 32
    assert str(error).startswith("DLI show_flink_job failed (HTTP 400 DLI.16001): ")


def test_is_success_false_is_an_error(dli_api, admin, job_body):
    job_id = dli_api.create_sql_job(job_body())
    admin.fail("batch_run_flink_jobs", status=200, error_code="DLI.0999", error_msg="refused")
    with pytest.raises(DliError) as caught:
        dli_api.run_jobs([job_id])
    assert (caught.value.status, caught.value.code) == (200, "DLI.0999")
    admin.fail("show_flink_job", status=200, error_code="DLI.0012", error_msg="later")
    with pytest.raises(DliError) as caught:
        dli_api.show_job(job_id)
    assert caught.value.code == "DLI.0012"


def test_throttling_is_retried_even_for_calls_not_safe_to_repeat(
    dli_api, admin, job_body, wait_status
):
    job_id = dli_api.create_sql_job(job_body())
    admin.fail("batch_run_flink_jobs", status=429, count=2)
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")


def test_server_errors_are_retried_only_where_safe(dli_api, admin, job_body):
    job_id = dli_api.create_sql_job(job_body())
    admin.fail("show_flink_job", status=503, count=3, error_code="DLI.0012")
    assert dli_api.show_job(job_id)["job_id"] == job_id

    admin.fail("batch_run_flink_jobs", status=500, count=1)
    with pytest.raises(DliError) as caught:
        dli_api.run_jobs([job_id])
    assert caught.value.status == 500
    assert dli_api.show_job(job_id)["status"] == "job_init"
    admin.fail("create_flink_sql_job", status=502, count=1)
    with pytest.raises(DliError):
        dli_api.create_sql_job(job_body())


def test_retries_give_up_after_the_attempts(dli_api, admin, job_body):
    admin.fail("list_flink_jobs", status=503, count=10)
    with pytest.raises(DliError) as caught:
        dli_api.list_jobs()
    assert caught.value.status == 503
    admin.clear_faults()


def test_client_errors_are_not_retried(dli_api, admin, job_body):
    job_id = dli_api.create_sql_job(job_body())
    admin.fail("show_flink_job", status=400, count=1, error_code="DLI.0001")
    with pytest.raises(DliError) as caught:
        dli_api.show_job(job_id)
    assert caught.value.code == "DLI.0001"


def test_connection_refused_is_a_dli_error(emulator, dli_api):
    emulator.server.close()
    with pytest.raises(DliError) as caught:
        api_for(emulator, attempts=2).show_job(1)
    assert caught.value.status is None and caught.value.operation == "show_flink_job"


def test_unknown_body_keys_are_the_callers_bug(dli_api, job_body):
    with pytest.raises(ValueError, match="no field"):
        dli_api.create_sql_job(job_body(cuNumber=4))


def test_config_from_env(monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AK-ENV")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "SK-ENV")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "p-env")
    monkeypatch.setenv("DLI_FLINK_REGION", "ap-southeast-3")
    monkeypatch.delenv("DLI_FLINK_ENDPOINT", raising=False)
    config = DliConfig.resolve()
    assert config.endpoint == "https://dli.ap-southeast-3.myhuaweicloud.com"
    assert (config.access_key, config.project_id) == ("AK-ENV", "p-env")
    assert DliConfig.resolve(endpoint="http://127.0.0.1:1", project_id="arg").project_id == "arg"


def test_missing_config_names_the_variable(monkeypatch):
    for name in ("HUAWEICLOUD_SDK_AK", "DLI_FLINK_ENDPOINT", "DLI_FLINK_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "x")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "x")
    with pytest.raises(DliConfigError, match="DLI_FLINK_ENDPOINT"):
        DliConfig.resolve()
    with pytest.raises(DliConfigError, match="HUAWEICLOUD_SDK_AK"):
        DliConfig.resolve(endpoint="http://127.0.0.1:1")


def test_secret_key_never_shows(dli_api, caplog, admin):
    caplog.set_level(logging.DEBUG)
    admin.fail("list_flink_jobs", status=503, count=1)
    dli_api.list_jobs()
    with pytest.raises(DliError) as caught:
        dli_api.show_job(1)
    for text in (repr(dli_api), repr(dli_api.config), str(caught.value), caplog.text):
        assert SECRET_KEY not in text
    assert "retrying list_flink_jobs" in caplog.text


def test_wrong_secret_key_is_a_401_without_the_key(emulator):
    config = DliConfig(emulator.endpoint, emulator.project_id, emulator.access_key, "wrong-sk")
    with pytest.raises(DliError) as caught:
        DliApi(config, RetryPolicy(attempts=1)).list_jobs()
    assert (caught.value.status, caught.value.code) == (401, "APIGW.0301")
    assert "wrong-sk" not in str(caught.value)


def test_lazy_and_never_pickled(emulator):
    api = api_for(emulator)
    assert getattr(api._local, "client", None) is None
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(api)
    api.list_jobs()
    assert api._local.client is not None


def test_one_api_many_threads(dli_api, job_body):
    ids = [dli_api.create_sql_job(job_body()) for _ in range(5)]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for job_id in ids * 4:
                assert dli_api.show_job(job_id)["job_id"] == job_id
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_every_operation_round_trips(emulator, dli_api, job_body, wait_status):
    dli_api.authorize_buckets(["bucket"])
    assert emulator.admin.health()["authorized_buckets"] == ["bucket"]
    job_id = dli_api.create_sql_job(job_body())
    assert dli_api.update_sql_job(job_id, {"desc": "edited"}) > 0
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    dli_api.trigger_savepoint(job_id)
    path = wait_status(dli_api, job_id, "job_running")["savepoint_path"]
    dli_api.stop_jobs([job_id], trigger_savepoint=False)
    wait_status(dli_api, job_id, "job_cancel_success")
    dli_api.import_savepoint(job_id, path)
    assert [j["job_id"] for j in dli_api.list_jobs(status="job_cancel_success")] == [job_id]
    assert dli_api.show_job(job_id)["desc"] == "edited"
    dli_api.delete_job(job_id)
    assert dli_api.list_jobs() == []


def test_no_call_outlasts_an_operation_shorter_than_the_least_call_timeout(emulator, job_body):
    """An operation given 1 s in all (its `timeouts`) gives each call at most that, not the 5 s
    floor a call keeps once its operation's time is spent: an answer DLI holds for 3 s comes after
    the client gave up, as it would after a 60 s read timeout in a real run (issue 11, item 6)."""
    import time

    api = api_for(emulator, attempts=1)
    job_id = api.create_sql_job(job_body())
    emulator.admin.lose("show_flink_job", "hold", seconds=3)
    with api.bounded(time.monotonic() + 1.0), pytest.raises(DliError) as lost:
        api.show_job(job_id)
    assert lost.value.status is None, "no answer: the read timed out"
    assert "timed out" in lost.value.message
