"""The restore policy on every path that starts a stopped or failed job (issue 11 item 5, issue 15):
checked through the SDK and the emulator's savepoint and checkpoint state (the admin timeline says
what each start restored), not through the provider's outputs."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.engine import Engine
from tests.provider.conftest import Shared, sql_job
from tests.provider.test_ambiguous import (
    savepoints,
    scale_up,
    stopped_without_a_reported_savepoint,
)

EXHAUSTED = (
    "job_running_exception (the restarted job failed again (injected fault); not restarted: 1 "
    "restarts in the last hour reached resume_max_num 1)"
)
"""The status of a job `failed_for_good` left, as the provider prints it."""


def deployed(stack: Engine, job: Any) -> int:
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    return int(stack.state[job.urn].outputs["jobId"])


def restored_from(shared: Shared, job_id: int) -> list[Any]:
    """What each start of the job restored, in order (None: no state)."""
    timeline = shared.emulator.admin.timeline(job_id)
    return [e["restored_from"] for e in timeline if e["status"] == "job_running"]


def said(shared: Shared, job: Any, operation: str, line: str) -> None:
    """The provider printed `line` as a progress line of `job`'s `operation`."""
    text = f"dli-flink: {job.name}: {operation}: {line}"
    assert text in shared.host.wait_for(text), text


def until(holds: Callable[[], Any]) -> Any:
    """`holds()` once it is true (the emulator's clock runs 1000 times faster than the wall's)."""
    deadline = time.monotonic() + 10
    while not (value := holds()):
        assert time.monotonic() < deadline, "the emulator did not get there"
        time.sleep(0.005)
    return value


def fails_for_good(shared: Shared, job_id: int) -> None:
    """A task of the job fails, and so does the one restart DLI allows it (resumeMaxTimes 1)."""
    shared.emulator.admin.fail_task(job_id, again=1)
    until(lambda: "not restarted" in shared.api.show_job(job_id)["status_desc"])


def failed_for_good(stack: Engine, shared: Shared, **overrides: Any) -> tuple[Any, int, str]:
    """A deployed job whose task fails and whose one restart DLI allows fails too: it ends in
    job_running_exception. The job, its id and its newest checkpoint."""
    job = sql_job(restartOnException=True, resumeFromCheckpoint=True, resumeMaxTimes=1, **overrides)
    job_id = deployed(stack, job)
    admin = shared.emulator.admin
    until(lambda: admin.checkpoints(job_id)["latest"])  # one per checkpoint interval
    fails_for_good(shared, job_id)
    assert shared.api.show_job(job_id)["status"] == "job_running_exception"
    return job, job_id, admin.checkpoints(job_id)["latest"]


def test_a_failed_job_whose_state_is_a_checkpoint_is_not_started_from_nothing(
    stack: Engine, shared: Shared
) -> None:
    job, job_id, _ = failed_for_good(stack, shared)
    starts = len(restored_from(shared, job_id))
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    message = step.error.message
    assert "DLI reports the job job_running_exception" in message
    assert f"obs://bucket/jobs/checkpoint/ (the directory starting with {job_id})" in message
    assert "restore: none" in message
    assert shared.api.show_job(job_id)["status"] == "job_running_exception"
    assert len(restored_from(shared, job_id)) == starts, "nothing was started"


def test_restore_names_a_checkpoint_for_one_run(stack: Engine, shared: Shared) -> None:
    job, job_id, checkpoint = failed_for_good(stack, shared)
    job.inputs["restore"] = checkpoint
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert restored_from(shared, job_id)[-1] == checkpoint
    started = stack.outputs(job)["lastChange"]["startedFrom"]
    assert started.startswith(f"the OBS directory restore names, {checkpoint}")
    assert "after DLI reported the job job_running_exception" in started
    said(shared, job, "update", f"job is {EXHAUSTED}: importing {checkpoint}")
    # The same value in a later deployment is not used again: it would rewind the job.
    until(lambda: shared.emulator.admin.checkpoints(job_id)["latest"] != checkpoint)
    fails_for_good(shared, job_id)
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    assert "was set by an earlier deployment" in step.error.message
    assert restored_from(shared, job_id)[-1] == checkpoint, "not started again"


def test_restore_none_starts_a_failed_job_empty_and_says_so(stack: Engine, shared: Shared) -> None:
    job, job_id, _ = failed_for_good(stack, shared, restore="none")
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert restored_from(shared, job_id)[-1] is None
    started = stack.outputs(job)["lastChange"]["startedFrom"]
    assert started.startswith("no state (restore: none), after DLI reported the job")
    said(shared, job, "update", f"job is {EXHAUSTED}: starting from {started}")


def test_latest_checkpoint_says_where_the_checkpoints_are(stack: Engine, shared: Shared) -> None:
    job, job_id, _ = failed_for_good(stack, shared, restore="latest-checkpoint")
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    assert f"obs://bucket/jobs/checkpoint/ (the directory starting with {job_id})" in (
        step.error.message
    )
    assert shared.api.show_job(job_id)["status"] == "job_running_exception"


def test_a_new_restore_directory_is_not_used_on_a_running_job(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    job_id = deployed(stack, job)
    admin = shared.emulator.admin
    job.inputs["restore"] = until(lambda: admin.checkpoints(job_id)["latest"])
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error.message
    assert admin.statuses(job_id).count("job_running") == 1, "never stopped nor restarted"
    said(
        shared, job, "update", f"restore names {job.inputs['restore']}: not used, DLI runs the job"
    )


def test_a_new_job_starts_from_the_directory_restore_names(stack: Engine, shared: Shared) -> None:
    """A job moved: its final savepoint, copied to another bucket, is the new job's start."""
    old = sql_job()
    old_id = deployed(stack, old)
    stack.up([])  # destroyed with a final savepoint
    [final] = savepoints(shared, old_id)
    obs = Path(shared.emulator.data_dir, "obs")
    shutil.copytree(
        obs / "bucket" / "jobs" / "savepoint" / str(old_id) / final, obs / "moved" / final
    )
    directory = f"obs://moved/{final}/"
    new = sql_job(restore=directory)
    new_id = deployed(stack, new)
    assert restored_from(shared, new_id) == [directory]
    assert "moved" in shared.emulator.admin.health()["authorized_buckets"], "DLI may read it"


def test_a_rollback_resumes_from_the_savepoint_dli_does_not_report(
    stack: Engine, shared: Shared
) -> None:
    """A job found stopped resumes from the savepoint DLI holds but does not report; when that
    resume fails, the rollback resumed the previous configuration from nothing."""
    job = sql_job()
    job_id = stopped_without_a_reported_savepoint(stack, shared, job)
    [held] = savepoints(shared, job_id)
    shared.emulator.admin.fail_next_restore()
    step = scale_up(stack, job)
    assert step.error is not None
    assert "Rolled back" in step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert restored_from(shared, job_id)[-1] == f"obs://bucket/jobs/savepoint/{job_id}/{held}/"
    assert savepoints(shared, job_id) == [], "restored from it: DLI deletes a savepoint restored"


def test_destroying_a_failed_job_says_where_its_state_stays(stack: Engine, shared: Shared) -> None:
    job, job_id, checkpoint = failed_for_good(stack, shared)
    assert all(step.error is None for step in stack.up([]).values())
    assert job_id not in {j["job_id"] for j in shared.api.iter_jobs()}
    said(
        shared,
        job,
        "delete",
        f"DLI reports the job {EXHAUSTED}: no final savepoint possible; its state stays in its "
        f"latest checkpoint, in obs://bucket/jobs/checkpoint/ (the directory starting with {job_id})",
    )
    folder = Path(shared.emulator.data_dir, "obs", *checkpoint.removeprefix("obs://").split("/"))
    assert (folder / "_metadata").is_file(), "DLI keeps checkpoints in OBS after a delete"
