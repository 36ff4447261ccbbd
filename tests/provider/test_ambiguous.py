"""Calls whose answer is lost: DLI acted (now or a moment later) and the provider cannot tell from
the answer. Each case is checked through the SDK (DLI's own view and the savepoint folder), never
through the provider's outputs: the job runs the desired configuration, restored from the savepoint
the update took, and an error that ends an operation names the job, the step, DLI's state and the
savepoint that holds the job's state (issue 11)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tests.engine import Engine
from tests.provider.conftest import Shared, sql_job
from tests.provider.test_rollback import cu_max


def deploy(stack: Engine) -> tuple[Any, int]:
    job = sql_job()
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    return job, int(stack.state[job.urn].outputs["jobId"])


def savepoints(shared: Shared, job_id: int) -> list[str]:
    folder = Path(shared.emulator.data_dir, "obs", "bucket", "jobs", "savepoint", str(job_id))
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


STOPS = {"job_savepointing": "with savepoint", "job_running": "SILENT"}


def stops(shared: Shared, job_id: int) -> list[str]:
    """The job's stops in DLI's timeline: 'with savepoint', 'SILENT' (a running job stopped without
    one: its state since the last savepoint is gone) or 'before it ran' (a start stopped while
    submitting: its state is still in the savepoint the start was restoring from)."""
    statuses = shared.emulator.admin.statuses(job_id)
    return [
        STOPS.get(before, "before it ran")
        for before, status in itertools.pairwise(statuses)
        if status == "job_canceling"
    ]


def scale_up(stack: Engine, job: Any) -> Any:
    job.inputs["scaling"] = {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": 12}
    return stack.up([job])[job.urn]


def test_a_lost_answer_to_the_resume_call_keeps_the_update(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.lose("batch_run_flink_jobs", "error")
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "12"
    assert stops(shared, job_id) == ["with savepoint"]
    assert savepoints(shared, job_id) == [], "restored from the savepoint it took"


def test_a_reset_after_the_resume_call_keeps_the_update(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.lose("batch_run_flink_jobs", "reset")
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert cu_max(shared.api, job_id) == "12"
    assert stops(shared, job_id) == ["with savepoint"]


def test_a_stop_delivered_late_completes_the_update(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.lose("batch_stop_flink_jobs", "late", seconds=0.5)
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "12"
    assert stops(shared, job_id) == ["with savepoint"]


def test_a_refused_status_read_names_job_step_state_and_savepoint(
    stack: Engine, shared: Shared
) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail(
        "show_flink_job", status=400, error_code="DLI.0001", error_msg="bad request", skip=1
    )
    step = scale_up(stack, job)
    assert step.error is not None
    line = step.error.message.splitlines()[-1]
    assert "DliError" not in line
    assert line.startswith(f"job {job.name}: update failed at 'stop with savepoint'")
    assert "DLI.0001" in line
    status = shared.api.show_job(job_id)
    assert f"DLI reports the job {status['status']}" in line
    (folder,) = savepoints(shared, job_id)
    assert f"its state is in savepoint obs://bucket/jobs/savepoint/{job_id}/{folder}/" in line
    assert "pulumi up --refresh" in line
    assert scale_up(stack, job).error is None, "the next up resumes it"
    assert cu_max(shared.api, job_id) == "12"
    assert savepoints(shared, job_id) == []


# -- create: a job DLI made is never leaked nor refused as someone else's --------------------------


def jobs_named(shared: Shared, name: str) -> list[dict[str, Any]]:
    return [j for j in shared.api.list_jobs(name=name) if j["name"] == name]


def test_a_lost_answer_to_the_create_call_finds_the_job(stack: Engine, shared: Shared) -> None:
    job = sql_job()
    shared.emulator.admin.lose("create_flink_sql_job", "error")
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error.message
    (found,) = jobs_named(shared, job.name)
    assert found["status"] == "job_running"
    assert int(stack.outputs(job)["jobId"]) == found["job_id"]


def test_a_create_delivered_late_finds_the_job(stack: Engine, shared: Shared) -> None:
    job = sql_job()
    shared.emulator.admin.lose("create_flink_sql_job", "late", seconds=0.5)
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error.message
    (found,) = jobs_named(shared, job.name)
    assert found["status"] == "job_running"


def test_a_provider_killed_after_dli_created_the_job_takes_it_over(
    engine: Engine, make_host: Any, blob: str, emulator: Any
) -> None:
    import threading

    from tests.provider.conftest import stack_config

    job = sql_job()
    emulator.admin.delay("batch_run_flink_jobs", 30)
    first = threading.Thread(target=engine.up, args=([job],), daemon=True)
    first.start()
    engine.host.wait_for("created job", timeout=20)
    engine.host.kill()
    first.join(timeout=20)
    emulator.admin.clear_faults()
    assert job.urn not in engine.state, "the engine never recorded the create"
    again = Engine(make_host(stack_config(emulator)), blob)
    step = again.up([job])[job.urn]
    assert step.error is None, step.error.message
    assert "created by this stack and never recorded" in again.host.log
    from tests.conftest import api_for

    api = api_for(emulator)
    (found,) = [j for j in api.list_jobs(name=job.name) if j["name"] == job.name]
    assert found["status"] == "job_running"
    assert int(again.outputs(job)["jobId"]) == found["job_id"]


def test_someone_else_s_job_of_the_name_still_needs_adopt(stack: Engine, shared: Shared) -> None:
    job = sql_job()
    theirs = shared.api.create_sql_job(
        {
            "name": job.name,
            "queue_name": "default",
            "sql_body": "INSERT INTO a SELECT 1",
            "run_mode": "exclusive_cluster",
        }
    )
    step = stack.up([job])[job.urn]
    assert step.error is not None
    assert f"already has a job named {job.name} (job id {theirs})" in step.error.message


def test_a_server_error_on_the_stop_is_sent_again_once(stack: Engine, shared: Shared) -> None:
    """A 5xx before DLI acted looks like one after: the job is watched, then the stop sent again."""
    job, job_id = deploy(stack)
    shared.emulator.admin.fail("batch_stop_flink_jobs", status=500, error_code="DLI.0999")
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert cu_max(shared.api, job_id) == "12"
    assert stops(shared, job_id) == ["with savepoint"]


# -- a hung call: the operation's time bounds it (item 6) ------------------------------------------


def test_a_hung_status_read_never_stops_the_job_without_time_to_finish(
    stack: Engine, shared: Shared
) -> None:
    """DLI answers the first status read only after 20 s; the update may take 3 s. The read gives up
    when the update's time is spent, and a job is never taken down without time to bring it back."""
    job = sql_job(timeouts={"update": 0.05})
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    job_id = int(stack.state[job.urn].outputs["jobId"])
    shared.emulator.admin.lose("show_flink_job", "hold", seconds=20)
    step = scale_up(stack, job)
    assert step.error is not None
    line = step.error.message.splitlines()[-1]
    assert line.startswith(f"job {job.name}: update: timeouts.update (0.05 minutes) ran out"), line
    assert "before 'stop with savepoint'" in line
    assert "nothing was changed, DLI reports the job job_running, no savepoint was taken" in line
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "8", "the previous configuration runs on"
    assert stops(shared, job_id) == [], "never stopped"
    job.inputs["timeouts"] = {"update": 1}
    assert scale_up(stack, job).error is None, "the next up applies it"
    assert cu_max(shared.api, job_id) == "12"


# -- a savepoint DLI never reports (item 5) --------------------------------------------------------


def stopped_without_a_reported_savepoint(stack: Engine, shared: Shared, job: Any) -> int:
    """Deploy `job`, then an update whose savepoint DLI writes but does not report; its id."""
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    job_id = int(stack.state[job.urn].outputs["jobId"])
    shared.emulator.admin.hide_next_savepoint()
    step = scale_up(stack, job)
    assert step.error is not None
    assert f"DLI stopped job {job_id} but reports no savepoint" in step.error.message
    assert shared.api.show_job(job_id)["has_savepoint"] is False
    assert len(savepoints(shared, job_id)) == 1, "DLI holds the savepoint"
    return job_id


def test_the_next_up_resumes_from_a_savepoint_dli_does_not_report(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    job_id = stopped_without_a_reported_savepoint(stack, shared, job)
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "12"
    assert savepoints(shared, job_id) == [], (
        "restored from it: DLI deletes a savepoint restored from"
    )
    started = "the newest savepoint DLI holds for the job (it reports none)"
    assert stack.outputs(job)["lastChange"]["startedFrom"] == started
    assert f"resuming from {started}" in shared.host.wait_for(f"resuming from {started}")


def test_restore_none_starts_empty_as_the_document_says(stack: Engine, shared: Shared) -> None:
    job = sql_job(restore="none")
    job_id = stopped_without_a_reported_savepoint(stack, shared, job)
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert len(savepoints(shared, job_id)) == 1, "not restored from"
    assert stack.outputs(job)["lastChange"]["startedFrom"] == "no state (restore: none)"
