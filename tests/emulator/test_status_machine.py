"""The job status machine, its timing and savepoint semantics, through the official SDK."""

from __future__ import annotations

import re

import pytest
from dli_flink.emulator.models import Durations
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdli.v1 import model as m


def _run(api, wait_status, job_id, resume=False):
    api.run_jobs([job_id], resume_savepoint=resume)
    return wait_status(api, job_id, "job_running", "job_submit_fail")


def test_create_answers_job_init_with_string_is_success(dli_client, job_body):
    answer = dli_client.create_flink_sql_job(
        m.CreateFlinkSqlJobRequest(body=m.CreateFlinkSqlJobRequestBody(**job_body()))
    )
    assert answer.is_success == "true"
    assert answer.job.status_name == "job_init"
    assert isinstance(answer.job.job_id, int)


def test_full_cycle_with_savepoint_and_resume(emulator, dli_api, admin, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body(obs_bucket="my-bucket"))
    assert dli_api.show_job(job_id)["status"] == "job_init"

    job = _run(dli_api, wait_status, job_id)
    assert job["status"] == "job_running" and job["start_time"]

    dli_api.stop_jobs([job_id], trigger_savepoint=True)
    job = wait_status(dli_api, job_id, "job_cancel_success")
    assert job["has_savepoint"] is True
    path = job["savepoint_path"]
    assert re.fullmatch(
        rf"obs://my-bucket/jobs/savepoint/{job_id}/\d{{4}}-\d\d-\d\d_\d\d-\d\d-\d\d/", path
    )
    local = emulator.data_dir / "obs" / path[len("obs://") :]
    assert (local / "_metadata").is_file()

    job = _run(dli_api, wait_status, job_id, resume=True)
    assert job["status"] == "job_running"
    assert job["has_savepoint"] is False and job["savepoint_path"] is None
    assert not local.exists(), "DLI deletes the savepoint once the job restored from it"

    assert admin.statuses(job_id) == [
        "job_init",
        "job_submitting",
        "job_running",
        "job_savepointing",
        "job_canceling",
        "job_cancel_success",
        "job_submitting",
        "job_running",
    ]


def test_stop_without_savepoint_skips_savepointing(dli_api, admin, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    _run(dli_api, wait_status, job_id)
    dli_api.stop_jobs([job_id], trigger_savepoint=False)
    job = wait_status(dli_api, job_id, "job_cancel_success")
    assert job["has_savepoint"] is False
    assert admin.statuses(job_id)[-2:] == ["job_canceling", "job_cancel_success"]


def test_stop_while_submitting_cancels(make_emulator, job_body, wait_status):
    from tests.conftest import api_for

    # A submit no test outlives (cancel 0.6 s): the stop comes while submitting however long a busy
    # machine stalls this test between the run and the stop (at 2 s, a stall of 2 s failed it).
    emulator = make_emulator(speed=5, durations=Durations(submit=86_400.0))
    api = api_for(emulator)
    job_id = api.create_sql_job(job_body())
    api.run_jobs([job_id])
    assert api.show_job(job_id)["status"] == "job_submitting"
    api.stop_jobs([job_id], trigger_savepoint=True)
    job = wait_status(api, job_id, "job_cancel_success")
    assert job["has_savepoint"] is False
    assert "job_running" not in emulator.admin.statuses(job_id)


def test_transitions_take_their_duration_and_state_size_slows_savepoints(
    make_emulator, job_body, wait_status
):
    from tests.conftest import api_for

    durations = Durations(submit=20, cancel=10, savepoint=10, restore=10, per_state_mb=0.1)
    emulator = make_emulator(speed=200, durations=durations)
    api = api_for(emulator)
    small, big = api.create_sql_job(job_body()), api.create_sql_job(job_body())
    emulator.admin.set_load(big, state_mb=200)  # +20 s of savepoint and restore at speed 1
    for job_id in (small, big):
        _run(api, wait_status, job_id)
        api.stop_jobs([job_id], trigger_savepoint=True)
    for job_id in (small, big):
        wait_status(api, job_id, "job_cancel_success")

    def spent(job_id, status, index=0):
        """Seconds the job was given in `status` (its index-th visit), checking it got no less."""
        timeline = emulator.admin.timeline(job_id)
        visits = [i for i, entry in enumerate(timeline) if entry["status"] == status]
        entry, after = timeline[visits[index]], timeline[visits[index] + 1]
        assert after["at"] >= after["scheduled_at"], "a transition never comes early"
        return (after["scheduled_at"] - entry["at"]) / 1000

    assert spent(small, "job_submitting") == pytest.approx(0.1, abs=0.001)
    assert spent(small, "job_savepointing") == pytest.approx(0.05, abs=0.001)
    assert spent(big, "job_savepointing") == pytest.approx(0.15, abs=0.001)
    assert spent(big, "job_canceling") == pytest.approx(0.05, abs=0.001)

    api.run_jobs([big], resume_savepoint=True)
    wait_status(api, big, "job_running")
    assert spent(big, "job_submitting", 1) == pytest.approx(0.25, abs=0.001)


def test_delete_works_in_any_state_and_frees_the_id(dli_api, dli_client, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    _run(dli_api, wait_status, job_id)
    dli_api.delete_job(job_id)
    with pytest.raises(ClientRequestException) as caught:
        dli_client.show_flink_job(m.ShowFlinkJobRequest(job_id=job_id))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLI.16001")
    assert caught.value.request_id


def test_batch_answers_are_top_level_arrays(dli_client, dli_api, job_body, wait_status):
    ids = [dli_api.create_sql_job(job_body()) for _ in range(3)]
    answer = dli_client.batch_run_flink_jobs(
        m.BatchRunFlinkJobsRequest(body=m.BatchRunFlinkJobsRequestBody(job_ids=ids))
    )
    assert [a.is_success for a in answer.body] == ["true"] * 3
    for job_id in ids:
        wait_status(dli_api, job_id, "job_running")
    answer = dli_client.batch_delete_flink_jobs(
        m.BatchDeleteFlinkJobsRequest(body=m.BatchDeleteFlinkJobsRequestBody(job_ids=ids))
    )
    assert len(answer.body) == 3
    assert dli_api.list_jobs() == []


def test_show_renders_dli_shapes(dli_api, job_body):
    body = job_body(
        checkpoint_mode=2,
        runtime_config='[{"key":"flink.dli.job.scale.enable","value":"false"}]',
        tags=[{"key": "team", "value": "data"}],
    )
    job = dli_api.show_job(dli_api.create_sql_job(body))
    config = job["job_config"]
    assert config["checkpoint_mode"] == "at_least_once"
    assert config["runtime_config"] == body["runtime_config"]
    assert config["real_cu_number"] == 0
    assert job["job_type"] == "flink_opensource_sql_job"
    assert job["has_savepoint"] is False and job["savepoint_path"] is None


def test_trigger_and_import_savepoint(emulator, dli_api, admin, job_body, wait_status):
    job_id = dli_api.create_sql_job(job_body())
    _run(dli_api, wait_status, job_id)
    dli_api.trigger_savepoint(job_id, "obs://bucket/manual/sp-1")
    job = wait_status(dli_api, job_id, "job_running")
    assert job["savepoint_path"] == "obs://bucket/manual/sp-1"
    assert "job_savepointing" in admin.statuses(job_id)

    other = dli_api.create_sql_job(job_body())
    dli_api.import_savepoint(other, "obs://bucket/manual/sp-1")
    assert dli_api.show_job(other)["has_savepoint"] is True
    job = _run(dli_api, wait_status, other, resume=True)
    assert job["status"] == "job_running" and job["has_savepoint"] is False


def test_list_filters_and_pages(dli_api, dli_client, job_body):
    ids = [dli_api.create_sql_job(job_body(name=f"pager-{i}")) for i in range(7)]
    dli_api.create_sql_job(job_body(name="other", tags=[{"key": "team", "value": "x"}]))
    page = dli_client.list_flink_jobs(
        m.ListFlinkJobsRequest(name="pager", limit=3, offset=3, order="asc_by_job_id")
    ).job_list
    assert page.total_count == 7
    assert [j.job_id for j in page.jobs] == ids[3:6]
    assert [j["job_id"] for j in dli_api.iter_jobs(page_size=2, name="pager")] == ids[::-1]
    assert [j["name"] for j in dli_api.list_jobs(tags="team=x")] == ["other"]
    assert dli_api.list_jobs(status="job_running") == []
    with pytest.raises(ClientRequestException) as caught:
        dli_client.list_flink_jobs(m.ListFlinkJobsRequest(limit=101))
    assert caught.value.error_code == "DLI.0001"
