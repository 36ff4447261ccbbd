"""Destroy: the job goes, with its final savepoint when DLI can write one, and says what it did."""

from __future__ import annotations

from pathlib import Path

from tests.engine import Engine
from tests.provider.conftest import Shared, sql_job


def test_destroy_stops_without_a_savepoint_when_dli_refuses_the_final_one(
    stack: Engine, shared: Shared
) -> None:
    """DLI answers the stop-with-savepoint call with an error (not a failed savepoint): the
    README promises the job is stopped without one, and deleted, and the delete says so."""
    job = sql_job()
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    job_id = int(stack.outputs(job)["jobId"])
    shared.emulator.admin.fail(
        "batch_stop_flink_jobs", status=400, error_code="DLI.0001", error_msg="savepoint refused"
    )
    assert stack.destroy()[job.urn].error is None
    assert shared.api.list_jobs(name=job.name) == []
    log = shared.host.wait_for(f"{job.name}: delete: gone")
    assert "DLI refused the stop with a final savepoint" in log
    assert "batch_stop_flink_jobs DLI.0001: savepoint refused" in log
    assert "stopping without one" in log
    assert job_id not in [j["job_id"] for j in shared.api.list_jobs()]


def _savepoint_folders(shared: Shared, job_id: int) -> list[str]:
    folder = Path(shared.emulator.data_dir, "obs", "bucket", "jobs", "savepoint", str(job_id))
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_failed_delete_names_the_final_savepoint_it_kept(stack: Engine, shared: Shared) -> None:
    """The final savepoint is written, then DLI refuses the delete: the error is the only place the
    user learns where the job's state is, since the next destroy finds the job stopped."""
    job = sql_job()
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    job_id = int(stack.outputs(job)["jobId"])
    shared.emulator.admin.fail("delete_flink_job", status=400, error_code="DLI.0001")
    error = stack.destroy()[job.urn].error
    assert error is not None
    line = error.message.splitlines()[-1]
    assert line.startswith(f"job {job.name}: delete of DLI job {job_id} failed"), line
    assert "DLI.0001" in line
    (folder,) = _savepoint_folders(shared, job_id)
    path = f"obs://bucket/jobs/savepoint/{job_id}/{folder}/"
    assert f"DLI reports the job job_cancel_success, its final savepoint is kept at {path}" in line
    assert shared.api.show_job(job_id)["status"] == "job_cancel_success"
    assert stack.destroy()[job.urn].error is None
    assert job_id not in [j["job_id"] for j in shared.api.list_jobs()]


def test_a_failed_final_savepoint_fails_the_delete_and_keeps_the_job(
    stack: Engine, shared: Shared
) -> None:
    """The job's state would be gone with the job: the delete says so in its error and deletes
    nothing; the next destroy, with a savepoint DLI writes, goes through."""
    job = sql_job()
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    job_id = int(stack.outputs(job)["jobId"])
    shared.emulator.admin.fail_next_savepoint()
    error = stack.destroy()[job.urn].error
    assert error is not None
    line = error.message.splitlines()[-1]
    assert line.startswith(f"job {job.name}: delete: stop with a final savepoint failed"), line
    assert "nothing was deleted, DLI reports the job job_running" in line
    assert "stop the job in DLI first to delete it without one" in line
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert stack.destroy()[job.urn].error is None
    assert job_id not in [j["job_id"] for j in shared.api.list_jobs()]


def test_a_final_savepoint_dli_does_not_report_is_named_by_its_folder(
    stack: Engine, shared: Shared
) -> None:
    """DLI writes the final savepoint and does not report it: the delete stops before deleting and
    names the folder DLI writes a job's savepoints to; the next destroy deletes the stopped job."""
    job = sql_job()
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    job_id = int(stack.outputs(job)["jobId"])
    shared.emulator.admin.hide_next_savepoint()
    error = stack.destroy()[job.urn].error
    assert error is not None
    line = error.message.splitlines()[-1]
    assert "DLI stopped the job but reports no savepoint" in line, line
    assert "nothing was deleted, DLI reports the job job_cancel_success" in line
    (folder,) = _savepoint_folders(shared, job_id)
    assert f"the newest folder in obs://bucket/jobs/savepoint/{job_id}/" in line
    assert "the next pulumi destroy deletes the stopped job" in line
    assert stack.destroy()[job.urn].error is None
    assert job_id not in [j["job_id"] for j in shared.api.list_jobs()]
    assert _savepoint_folders(shared, job_id) == [folder], "its state stays in OBS"
