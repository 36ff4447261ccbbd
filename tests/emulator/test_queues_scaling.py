"""Queue CU capacity, and DLI's own dynamic scaling as the emulator simulates it."""

from __future__ import annotations

import json
import time

import pytest
from dli_flink.deploy.dliapi import DliError

from tests.conftest import api_for


def scaling(cu_min: int, cu_max: int, interval: int = 1) -> str:
    keys = {
        "flink.dli.job.scale.enable": "true",
        "flink.dli.job.cu.min": str(cu_min),
        "flink.dli.job.cu.max": str(cu_max),
        "flink.dli.job.scale.interval": str(interval),
    }
    return json.dumps([{"key": k, "value": v} for k, v in keys.items()])


def test_submit_beyond_free_cus_fails_until_cus_are_freed(make_emulator, job_body, wait_status):
    api = api_for(make_emulator(queues={"small": 6}))
    big = api.create_sql_job(job_body(queue_name="small", cu_number=4))
    other = api.create_sql_job(job_body(queue_name="small", cu_number=4))
    api.run_jobs([big])
    wait_status(api, big, "job_running")
    api.run_jobs([other])
    job = wait_status(api, other, "job_running", "job_submit_fail")
    assert job["status"] == "job_submit_fail"
    assert "insufficient queue resources" in job["status_desc"]

    api.stop_jobs([big], trigger_savepoint=True)
    wait_status(api, big, "job_cancel_success")
    api.run_jobs([other])
    assert wait_status(api, other, "job_running", "job_submit_fail")["status"] == "job_running"

    api.run_jobs([big], resume_savepoint=True)
    job = wait_status(api, big, "job_running", "job_submit_fail")
    assert job["status"] == "job_submit_fail", "a restore needs free CUs too"
    assert job["has_savepoint"] is True, "a failed restore keeps the savepoint"


def test_unknown_queue_cannot_run(dli_api, job_body):
    job_id = dli_api.create_sql_job(job_body(queue_name="nope"))
    with pytest.raises(DliError) as caught:
        dli_api.run_jobs([job_id])
    assert caught.value.code == "DLI.13024"


def wait_for(predicate, timeout: float = 30.0):
    """`predicate()` once it holds. `timeout` is a hang guard, not a speed bound."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)
    return value


def test_dynamic_scaling_moves_toward_demand_within_bounds(make_emulator, job_body, wait_status):
    emulator = make_emulator(queues={"default": 12})
    api = api_for(emulator)
    job_id = api.create_sql_job(job_body(cu_number=4, runtime_config=scaling(2, 8)))
    api.run_jobs([job_id])
    wait_status(api, job_id, "job_running")
    emulator.admin.set_load(job_id, demand_cu=20)

    def scaled():
        job = api.show_job(job_id)
        return job if job["job_config"]["real_cu_number"] == 8 else None

    job = scaled_job = wait_for(scaled)
    assert job["status"] == "job_running"
    assert job["restart_times"] == 1
    assert job["job_config"]["cu_number"] == 4, "the configured CUs are not drift"
    statuses = emulator.admin.statuses(job_id)
    assert statuses[-3:] == ["job_savepointing", "job_submitting", "job_running"]
    assert scaled_job["has_savepoint"] is False

    # Another job takes the rest of the queue: scaling down frees CUs, up is capped by free CUs.
    emulator.admin.set_load(job_id, demand_cu=3)
    wait_for(lambda: api.show_job(job_id)["job_config"]["real_cu_number"] == 3)
    filler = api.create_sql_job(job_body(cu_number=7))
    api.run_jobs([filler])
    wait_status(api, filler, "job_running")
    emulator.admin.set_load(job_id, demand_cu=8)
    wait_for(lambda: api.show_job(job_id)["job_config"]["real_cu_number"] == 5)
    time.sleep(0.2)  # several more scale intervals: it stays at what the queue allows
    job = api.show_job(job_id)
    assert job["job_config"]["real_cu_number"] == 5
    assert job["status"] == "job_running"


def test_scaling_respects_cu_min(make_emulator, job_body, wait_status):
    emulator = make_emulator()
    api = api_for(emulator)
    job_id = api.create_sql_job(job_body(cu_number=4, runtime_config=scaling(3, 4)))
    api.run_jobs([job_id])
    wait_status(api, job_id, "job_running")
    emulator.admin.set_load(job_id, demand_cu=1)
    wait_for(lambda: api.show_job(job_id)["job_config"]["real_cu_number"] == 3)


def test_no_scaling_without_scale_enable(make_emulator, job_body, wait_status):
    emulator = make_emulator()
    api = api_for(emulator)
    job_id = api.create_sql_job(job_body(cu_number=4))
    api.run_jobs([job_id])
    wait_status(api, job_id, "job_running")
    emulator.admin.set_load(job_id, demand_cu=8)
    time.sleep(0.3)
    job = api.show_job(job_id)
    assert (job["job_config"]["real_cu_number"], job["restart_times"]) == (0, 0)


def test_a_scaling_restore_can_fail(make_emulator, job_body, wait_status):
    emulator = make_emulator()
    api = api_for(emulator)
    job_id = api.create_sql_job(job_body(cu_number=4, runtime_config=scaling(2, 8)))
    api.run_jobs([job_id])
    wait_status(api, job_id, "job_running")
    emulator.admin.fail_next_restore()
    emulator.admin.set_load(job_id, demand_cu=6)
    job = wait_status(api, job_id, "job_submit_fail")
    assert job["has_savepoint"] is True, "the scaling savepoint is there to resume from"
    emulator.admin.set_load(job_id, demand_cu=4)
    api.run_jobs([job_id], resume_savepoint=True)
    job = wait_status(api, job_id, "job_running")
    assert job["job_config"]["real_cu_number"] == 0, "a resubmitted job starts at its cu_number"
