"""DLI's checkpoints, job_running_exception and its automatic restarts (emulator/checkpoints.py),
through the official SDK and the emulator's OBS folder; which state a start restored is in the
admin timeline, since no DLI field reports it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AdminClient, HeldClock, RunningEmulator, api_for
from tests.emulator.test_dli_constraints import V2_CONFIG


def running_job(api: Any, wait_status: Callable[..., Any], body: dict[str, Any]) -> int:
    job_id = api.create_sql_job(body)
    api.run_jobs([job_id])
    wait_status(api, job_id, "job_running")
    return job_id


def latest_checkpoint(admin: AdminClient, job_id: int, after: int = 0) -> str:
    """The job's newest checkpoint once it is numbered above `after`."""
    deadline = time.monotonic() + 30  # a hang guard, not a speed bound
    while True:
        latest = admin.checkpoints(job_id)["latest"]
        if latest and number(latest) > after:
            return latest
        assert time.monotonic() < deadline, f"job {job_id} wrote no checkpoint after {after}"
        time.sleep(0.005)


def number(checkpoint: str) -> int:
    return int(checkpoint.rstrip("/").rsplit("chk-", 1)[1])


def wait_desc(api: Any, job_id: int, words: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30  # a hang guard, not a speed bound
    while words not in (job := api.show_job(job_id))["status_desc"]:
        assert time.monotonic() < deadline, f"job {job_id}: {job['status_desc']!r}"
        time.sleep(0.005)
    return job


def test_a_running_job_writes_checkpoints_to_its_folder_keeping_the_newest(
    emulator: RunningEmulator, dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    job_id = running_job(dli_api, wait_status, job_body())
    first = latest_checkpoint(admin, job_id)
    newer = latest_checkpoint(admin, job_id, after=number(first))
    assert newer.startswith(f"obs://bucket/jobs/checkpoint/{job_id}/chk-")
    folder = Path(emulator.data_dir, "obs", "bucket", "jobs", "checkpoint", str(job_id))
    assert [p.name for p in folder.iterdir()] == [f"chk-{number(newer)}"], "only the newest kept"
    assert (folder / f"chk-{number(newer)}" / "_metadata").is_file()


def test_a_job_without_checkpointing_writes_none(
    dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    job_id = running_job(
        dli_api, wait_status, job_body(checkpoint_enabled=False, flink_version="1.12")
    )
    dli_api.stop_jobs([job_id])
    wait_status(dli_api, job_id, "job_cancel_success")
    assert admin.checkpoints(job_id)["directories"] == []


def test_a_failed_task_without_restart_leaves_the_job_in_job_running_exception(
    dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    job_id = running_job(dli_api, wait_status, job_body())
    admin.fail_task(job_id)
    job = dli_api.show_job(job_id)
    assert job["status"] == "job_running_exception"
    assert "not restarted: restart_when_exception is off" in job["status_desc"]
    assert admin.statuses(job_id)[-1] == "job_running_exception", "nothing scheduled"


@pytest.mark.parametrize("from_checkpoint", [True, False])
def test_dli_restarts_a_failed_job_from_its_latest_checkpoint_only_when_told(
    from_checkpoint: bool, dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    body = job_body(restart_when_exception=True, resume_checkpoint=from_checkpoint)
    job_id = running_job(dli_api, wait_status, body)
    before = latest_checkpoint(admin, job_id)
    admin.fail_task(job_id)
    assert "job_running_exception" in admin.statuses(job_id)
    job = wait_status(dli_api, job_id, "job_running")
    assert job["restart_times"] == 1
    start = admin.restored_from(job_id)[-1]
    if from_checkpoint:
        assert start.startswith(f"obs://bucket/jobs/checkpoint/{job_id}/chk-")
        assert number(start) >= number(before), "the latest checkpoint at the failure"
    else:
        assert start is None, "restarted from no state"


def test_restarts_end_at_resume_max_num_in_job_running_exception(
    dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    body = job_body(restart_when_exception=True, resume_checkpoint=True, resume_max_num=2)
    job_id = running_job(dli_api, wait_status, body)
    admin.fail_task(job_id, again=5)
    job = wait_desc(dli_api, job_id, "not restarted")
    assert job["status"] == "job_running_exception"
    assert "2 restarts in the last hour reached resume_max_num 2" in job["status_desc"]
    assert job["restart_times"] == 2


def test_a_stopped_job_restores_a_checkpoint_only_once_imported_as_a_savepoint(
    dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    job_id = running_job(dli_api, wait_status, job_body())
    latest_checkpoint(admin, job_id)
    dli_api.stop_jobs([job_id])
    wait_status(dli_api, job_id, "job_cancel_success")
    dli_api.run_jobs([job_id], True)
    wait_status(dli_api, job_id, "job_running")
    assert admin.restored_from(job_id)[-1] is None, "a run restores savepoints, not checkpoints"
    dli_api.stop_jobs([job_id])
    wait_status(dli_api, job_id, "job_cancel_success")
    checkpoint = admin.checkpoints(job_id)["latest"]
    dli_api.import_savepoint(job_id, checkpoint)
    dli_api.run_jobs([job_id], True)
    wait_status(dli_api, job_id, "job_running")
    assert admin.restored_from(job_id)[-1] == checkpoint


def test_an_imported_directory_of_another_job_is_left_in_obs_after_the_restore(
    emulator: RunningEmulator, dli_api: Any, admin: AdminClient, job_body: Any, wait_status: Any
) -> None:
    """DLI deletes "the savepoint" after a restart from it: its own, in the job's savepoint folder.
    For a directory imported from elsewhere (a job moved to a new one) the docs are silent, so the
    emulator does not delete the user's files."""
    old = running_job(dli_api, wait_status, job_body(name="moved-from"))
    dli_api.stop_jobs([old], trigger_savepoint=True)
    wait_status(dli_api, old, "job_cancel_success")
    directory = dli_api.show_job(old)["savepoint_path"]
    new = dli_api.create_sql_job(job_body(name="moved-to"))
    dli_api.import_savepoint(new, directory)
    dli_api.run_jobs([new], True)
    wait_status(dli_api, new, "job_running")
    assert admin.restored_from(new)[-1] == directory
    kept = Path(emulator.data_dir, "obs", *directory.removeprefix("obs://").split("/"))
    assert (kept / "_metadata").is_file(), "the other job's savepoint is still there"
    dli_api.run_jobs([old], True)  # and the job that wrote it can still resume from it
    wait_status(dli_api, old, "job_running")
    assert admin.restored_from(old)[-1] == directory
    assert not (kept / "_metadata").exists(), "DLI deletes its own savepoint once restored"


def test_a_restart_without_free_cus_is_one_more_failed_attempt(
    make_emulator: Any, job_body: Any, wait_status: Any
) -> None:
    emulator = make_emulator(speed=10, queues={"default": 4})
    clock = HeldClock(emulator)
    api = api_for(emulator)
    body = job_body(restart_when_exception=True, resume_max_num=1)
    job_id = running_job(api, lambda *a: wait_status(*a, timeout=30), body)
    # DLI restarts the job RESTART_DELAY after the failure, 0.1 s at speed 10: held, the restart
    # comes after the neighbour took the CUs however long the test stalls (a stall of 0.2 s, forced,
    # let the restart take them first).
    clock.hold()
    emulator.admin.fail_task(job_id)
    neighbour = api.create_sql_job(job_body(cu_number=4))
    api.run_jobs([neighbour])  # takes the 4 CUs the failed job freed, before DLI restarts it
    clock.release()
    job = wait_desc(api, job_id, "not restarted")
    assert job["status"] == "job_running_exception"
    assert "restart failed: insufficient queue resources" in job["status_desc"]
    assert "1 restarts in the last hour reached resume_max_num 1" in job["status_desc"]
    assert job["restart_times"] == 0


def test_a_v2_job_restarted_after_an_exception_holds_what_it_occupies(
    make_emulator: Any, job_body: Any, wait_status: Any
) -> None:
    """DLI's restart is a new submit of the same job: a v2 job holds the 5 CUs its resource_config
    occupies again (checks.job_cus, as at its first run), not the cu_number it does not set, so a
    restart on a queue with fewer free CUs fails for want of them."""
    emulator = make_emulator(speed=10, queues={"default": 5})
    clock = HeldClock(emulator)
    api = api_for(emulator)
    v2 = {"resource_config_version": "v2", "resource_config": V2_CONFIG, "flink_version": "1.17"}
    body = job_body(restart_when_exception=True, resume_max_num=1, **v2)
    job_id = running_job(api, lambda *a: wait_status(*a, timeout=30), body)
    assert api.show_job(job_id)["job_config"]["real_cu_number"] == 5
    clock.hold()  # the neighbour comes before DLI's restart (as above)
    emulator.admin.fail_task(job_id)
    neighbour = api.create_sql_job(job_body(cu_number=2))
    api.run_jobs([neighbour])  # takes 2 of the 5 CUs the failed job freed: 3 are left for it
    clock.release()
    job = wait_desc(api, job_id, "not restarted")
    assert "restart failed: insufficient queue resources" in job["status_desc"]
    assert "the job needs 5" in job["status_desc"]
