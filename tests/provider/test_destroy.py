"""Destroy: the job goes, with its final savepoint when DLI can write one, and says what it did."""

from __future__ import annotations

from tests.engine import Engine
from tests.provider.conftest import Shared, sql_job


def test_destroy_stops_without_a_savepoint_when_dli_refuses_the_final_one(
    stack: Engine, shared: Shared
) -> None:
    """DLI answers the stop-with-savepoint call with an error (not a failed savepoint): the
    README promises the job is stopped without one, and deleted."""
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
    assert (
        "DLI refused the stop with a final savepoint (batch_stop_flink_jobs DLI.0001: savepoint "
        "refused" in log
    )
    assert "stopping without one" in log
    assert job_id not in [j["job_id"] for j in shared.api.list_jobs()]
