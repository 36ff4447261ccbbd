"""50 concurrent clients take 200 jobs through full cycles: zero errors, a consistent final state."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import api_for

CLIENTS = 50
JOBS = 200
CYCLE = [
    "job_init",
    "job_submitting",
    "job_running",
    "job_savepointing",
    "job_canceling",
    "job_cancel_success",
    "job_submitting",
    "job_running",
    "job_canceling",
    "job_cancel_success",
]


def wait(api, job_id, status):
    deadline = time.monotonic() + 30
    while (job := api.show_job(job_id))["status"] != status:
        assert time.monotonic() < deadline, f"job {job_id} stuck in {job['status']}"
        time.sleep(0.02)
    return job


def test_fifty_clients_two_hundred_full_cycles(make_emulator, job_body):
    emulator = make_emulator(queues={"default": 2 * JOBS})
    api = api_for(emulator, attempts=1)  # no retries: any error fails the test

    def cycle(index: int) -> list[str]:
        job_id = api.create_sql_job(job_body(name=f"load-{index}"))
        api.run_jobs([job_id])
        wait(api, job_id, "job_running")
        api.stop_jobs([job_id], trigger_savepoint=True)
        assert wait(api, job_id, "job_cancel_success")["has_savepoint"]
        api.run_jobs([job_id], resume_savepoint=True)
        assert not wait(api, job_id, "job_running")["has_savepoint"]
        api.stop_jobs([job_id])
        wait(api, job_id, "job_cancel_success")
        statuses = emulator.admin.statuses(job_id)
        api.delete_job(job_id)
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        timelines = list(pool.map(cycle, range(JOBS)))

    assert all(timeline == CYCLE for timeline in timelines)
    assert api.list_jobs() == []
    assert emulator.admin.health()["jobs"] == 0
    assert not any((emulator.data_dir / "obs").rglob("_metadata")), "resumes delete savepoints"
