"""The restore policy on every path that starts a stopped or failed job (issue 11 item 5, issue 15):
checked through the SDK and the emulator's savepoint and checkpoint state (the admin timeline says
what each start restored), not through the provider's outputs."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from obs import ObsClient

from tests.engine import Engine
from tests.provider.conftest import Shared, sql_job, stack_config
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
    return shared.emulator.admin.restored_from(job_id)


def said(shared: Shared, job: Any, operation: str, line: str) -> None:
    """The provider printed `line` as a progress line of `job`'s `operation`."""
    text = f"dli-flink: {job.name}: {operation}: {line}"
    assert text in shared.host.wait_for(text), text


def until(holds: Callable[[], Any]) -> Any:
    """`holds()` once it is true (the emulator's clock runs 1000 times faster than the wall's)."""
    deadline = time.monotonic() + 30  # a hang guard, not a speed bound
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


def newest_checkpoint_in_obs(shared: Shared, job_id: int) -> str:
    """The job's newest checkpoint directory as Huawei's OBS SDK lists it from the emulator."""
    client = ObsClient(
        access_key_id=shared.emulator.access_key,
        secret_access_key=shared.emulator.secret_key,
        server=shared.emulator.endpoint,
    )
    answer = client.listObjects("bucket", prefix=f"jobs/checkpoint/{job_id}/", delimiter="/")
    assert answer.status == 200, answer.errorCode
    chk = [p.prefix for p in answer.body.commonPrefixs if "/chk-" in p.prefix]
    newest = max(chk, key=lambda p: int(p.rstrip("/").rsplit("chk-", 1)[1]))
    return f"obs://bucket/{newest}"


def stopped_by_hand(shared: Shared, job_id: int) -> None:
    """Someone stops the running job in the console, without a savepoint."""
    until(lambda: shared.emulator.admin.checkpoints(job_id)["latest"])
    shared.api.stop_jobs([job_id])
    until(lambda: shared.api.show_job(job_id)["status"] == "job_cancel_success")


def test_a_failed_job_resumes_from_its_newest_checkpoint(stack: Engine, shared: Shared) -> None:
    job, job_id, _ = failed_for_good(stack, shared)
    checkpoint = newest_checkpoint_in_obs(shared, job_id)
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert restored_from(shared, job_id)[-1] == checkpoint
    started = stack.outputs(job)["lastChange"]["startedFrom"]
    assert started == (
        f"checkpoint {checkpoint} (the newest state in OBS: DLI reports no savepoint), after "
        f"DLI reported the job {EXHAUSTED}"
    )
    said(shared, job, "update", f"job is {EXHAUSTED}: importing {checkpoint}")
    said(shared, job, "update", f"job is {EXHAUSTED}: resuming from {started}")


def test_a_job_stopped_by_hand_resumes_from_its_newest_checkpoint(
    stack: Engine, shared: Shared
) -> None:
    """Before: DLI reported no savepoint, so the run asked for one, found none, started empty."""
    job = sql_job()
    job_id = deployed(stack, job)
    stopped_by_hand(shared, job_id)
    checkpoint = newest_checkpoint_in_obs(shared, job_id)
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert restored_from(shared, job_id)[-1] == checkpoint
    assert stack.outputs(job)["lastChange"]["startedFrom"].startswith(f"checkpoint {checkpoint}")


def test_a_job_that_checkpoints_but_whose_checkpoints_are_gone_is_not_started(
    stack: Engine, shared: Shared
) -> None:
    job, job_id, _ = failed_for_good(stack, shared)
    shutil.rmtree(
        Path(shared.emulator.data_dir, "obs", "bucket", "jobs", "checkpoint", str(job_id))
    )
    starts = len(restored_from(shared, job_id))
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    message = step.error.message
    assert f"DLI reports the job {EXHAUSTED} and no savepoint" in message
    assert f"no checkpoint in obs://bucket/jobs/checkpoint/{job_id}*/" in message
    assert f"nor savepoint in obs://bucket/jobs/savepoint/{job_id}/" in message
    assert "restore: none to start it empty" in message
    assert shared.api.show_job(job_id)["status"] == "job_running_exception"
    assert len(restored_from(shared, job_id)) == starts, "nothing was started"


def test_a_job_without_checkpointing_or_savepoint_starts_empty_and_says_why(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job(checkpoint={"enabled": False}, scaling={"enabled": False})
    job_id = deployed(stack, job)
    shared.api.stop_jobs([job_id])
    until(lambda: shared.api.show_job(job_id)["status"] == "job_cancel_success")
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert restored_from(shared, job_id)[-1] is None
    assert stack.outputs(job)["lastChange"]["startedFrom"] == (
        f"no state (DLI reports no savepoint, OBS holds no checkpoint in "
        f"obs://bucket/jobs/checkpoint/{job_id}*/ nor savepoint in "
        f"obs://bucket/jobs/savepoint/{job_id}/, and checkpointing is off: the job holds no "
        "state to restore)"
    )


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (
            "denied",
            "OBS answered 403 AccessDenied (Access Denied): the access key may not list "
            "bucket bucket: grant it obs:bucket:ListBucket",
        ),
        (
            "missing",
            "OBS answered 404 NoSuchBucket (The specified bucket does not exist): bucket "
            "bucket does not exist at this OBS endpoint",
        ),
    ],
)
def test_an_obs_listing_refused_is_one_line_and_starts_nothing(
    stack: Engine, shared: Shared, state: str, says: str
) -> None:
    job = sql_job()
    job_id = deployed(stack, job)
    stopped_by_hand(shared, job_id)
    shared.emulator.admin.obs_bucket("bucket", state)
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    message = step.error.message
    assert message.startswith(f"job {job.name}: update: cannot list obs://bucket/jobs/")
    assert says in message
    assert message.endswith("nothing was started, DLI reports the job job_cancel_success")
    assert "\n" not in message and "Traceback" not in message
    assert shared.api.show_job(job_id)["status"] == "job_cancel_success"


def test_an_obs_endpoint_that_does_not_answer_is_one_line_and_starts_nothing(
    shared: Shared, make_host: Callable[..., Any], blob: str
) -> None:
    config = {**stack_config(shared.emulator), "dli-flink:obsEndpoint": "http://127.0.0.1:1"}
    stack = Engine(make_host(config), blob)
    job = sql_job()
    job_id = deployed(stack, job)
    stopped_by_hand(shared, job_id)
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    message = step.error.message
    where = f"cannot list obs://bucket/jobs/checkpoint/{job_id}: OBS at http://127.0.0.1:1"
    assert f"{where} did not answer" in message
    assert "check the OBS endpoint (dli-flink:obsEndpoint or DLI_FLINK_OBS_ENDPOINT)" in message
    assert shared.emulator.secret_key not in message
    assert shared.api.show_job(job_id)["status"] == "job_cancel_success"


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
    # The same value in a later deployment is not used again: it would rewind the job. The job
    # starts from its newest checkpoint instead, as without the value.
    until(lambda: shared.emulator.admin.checkpoints(job_id)["latest"] != checkpoint)
    fails_for_good(shared, job_id)
    newer = newest_checkpoint_in_obs(shared, job_id)
    assert newer != checkpoint
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert restored_from(shared, job_id)[-1] == newer, "not rewound to the directory"


def test_restore_none_starts_a_failed_job_empty_and_says_so(stack: Engine, shared: Shared) -> None:
    job, job_id, _ = failed_for_good(stack, shared, restore="none")
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert restored_from(shared, job_id)[-1] is None
    started = stack.outputs(job)["lastChange"]["startedFrom"]
    assert started.startswith("no state (restore: none), after DLI reported the job")
    said(shared, job, "update", f"job is {EXHAUSTED}: starting from {started}")


def test_latest_checkpoint_imports_the_newest_checkpoint(stack: Engine, shared: Shared) -> None:
    """Even when a newer savepoint is there (DLI wrote one it does not report): the document asks
    for the checkpoint."""
    job = sql_job(restore="latest-checkpoint")
    job_id = deployed(stack, job)
    until(lambda: shared.emulator.admin.checkpoints(job_id)["latest"])
    shared.emulator.admin.hide_next_savepoint()
    assert "reports no savepoint" in scale_up(stack, job).error.message
    checkpoint = newest_checkpoint_in_obs(shared, job_id)
    step = scale_up(stack, job)
    assert step.error is None, step.error.message
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert restored_from(shared, job_id)[-1] == checkpoint
    assert stack.outputs(job)["lastChange"]["startedFrom"] == (
        f"checkpoint {checkpoint} (the newest complete one; restore: latest-checkpoint)"
    )
    assert len(savepoints(shared, job_id)) == 1, "the savepoint was not used"


def test_latest_checkpoint_without_one_says_where_it_looked(stack: Engine, shared: Shared) -> None:
    job, job_id, _ = failed_for_good(stack, shared, restore="latest-checkpoint")
    # An incomplete checkpoint (no _metadata yet) is no checkpoint.
    folder = Path(shared.emulator.data_dir, "obs", "bucket", "jobs", "checkpoint", str(job_id))
    for metadata in folder.glob("chk-*/_metadata"):
        metadata.unlink()
    step = stack.up([job], refresh=True)[job.urn]
    assert step.error is not None
    assert (
        "restore: latest-checkpoint: DLI reports the job job_running_exception ("
        in step.error.message
    )
    assert (
        f"OBS holds no complete checkpoint (a chk-<n>/ holding _metadata) in "
        f"obs://bucket/jobs/checkpoint/{job_id}*/; nothing was started" in step.error.message
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


def stopped_and_started(
    stack: Engine, shared: Shared, job: Any, restore: str | Callable[[int], str]
) -> tuple[int, Any, str | None]:
    """Deploy `job`, stop it with desiredState, then set it running with `restore` (a value, or
    one made from the job id): the job id, the start's step and the savepoint the stop took."""
    job_id = deployed(stack, job)
    if job.inputs.get("obsBucket"):
        until(lambda: shared.emulator.admin.checkpoints(job_id)["latest"])
    job.inputs["desiredState"] = "stopped"
    assert deployed(stack, job) == job_id
    savepoint = shared.api.show_job(job_id).get("savepoint_path")
    job.inputs.update(
        desiredState="running", restore=restore(job_id) if callable(restore) else restore
    )
    return job_id, stack.up([job])[job.urn], savepoint


REPORTED = (
    "the savepoint it was stopped with, which DLI reports: restore: {} applies only to a job "
    "stopped without one"
)


@pytest.mark.parametrize(
    ("bucket", "restore", "preview", "started"),
    [
        (True, "none", REPORTED.format("none"), "savepoint {savepoint}"),
        (
            True,
            "latest-checkpoint",
            REPORTED.format("latest-checkpoint"),
            "savepoint {savepoint}",
        ),
        (True, "directory", "the OBS directory restore names, {directory}", None),
        (
            False,
            "savepoint",
            "no state (no obsBucket: DLI keeps no savepoint or checkpoint for it)",
            None,
        ),
        (False, "none", "no state (restore: none)", None),
    ],
    ids=[
        "savepoint-none",
        "savepoint-latest-checkpoint",
        "directory",
        "no-bucket",
        "no-bucket-none",
    ],
)
def test_a_desired_state_start_starts_from_what_preview_and_review_say(
    stack: Engine, shared: Shared, bucket: bool, restore: str, preview: str, started: str | None
) -> None:
    """A job stopped by desiredState and set running again, `restore` written with the start: the
    preview's line (model/starts.py, the words `dli-flink review` prints: tests/review/
    test_desired_state.py) names what the start restored and lastChange.startedFrom says."""
    job = sql_job() if bucket else sql_job(scaling={"enabled": False})
    if not bucket:
        del job.inputs["obsBucket"]
    checkpoints = shared.emulator.admin.checkpoints
    job_id, step, savepoint = stopped_and_started(
        stack,
        shared,
        job,
        (lambda job_id: checkpoints(job_id)["latest"]) if restore == "directory" else restore,
    )
    assert step.error is None, step.error.message
    directory = job.inputs["restore"]
    words = preview.format(directory=directory)
    said(shared, job, "start", f"starts from {words}")
    used = (started or words).format(savepoint=savepoint, directory=directory)
    assert stack.outputs(job)["lastChange"]["startedFrom"] == used
    state = savepoint if started else directory if restore == "directory" else None
    assert restored_from(shared, job_id)[-1] == state
    assert shared.api.show_job(job_id)["status"] == "job_running"


def test_a_desired_state_start_without_a_checkpoint_to_use_starts_nothing(
    stack: Engine, shared: Shared
) -> None:
    """restore: latest-checkpoint on a job without an obsBucket: DLI keeps no checkpoint for it."""
    job = sql_job(scaling={"enabled": False})
    del job.inputs["obsBucket"]
    job_id, step, _ = stopped_and_started(stack, shared, job, "latest-checkpoint")
    said(
        shared,
        job,
        "start",
        "starts from nothing: restore: latest-checkpoint, but the job has no obsBucket: DLI "
        "keeps no checkpoint for it, so `pulumi up` starts nothing",
    )
    assert step.error is not None
    assert (
        "restore: latest-checkpoint: DLI reports the job job_cancel_success" in step.error.message
    )
    assert restored_from(shared, job_id) == [None], "started once, by the create"
    assert shared.api.show_job(job_id)["status"] == "job_cancel_success"


def test_a_job_created_stopped_is_previewed_and_started_as_never_ran(
    stack: Engine, shared: Shared
) -> None:
    """A job created with desiredState stopped never ran: DLI holds no state for it (job_init),
    so its first start is empty. The preview's line must say so, as lastChange.startedFrom does,
    not "the savepoint it was stopped with"."""
    job = sql_job(desiredState="stopped")
    job_id = deployed(stack, job)
    assert shared.api.show_job(job_id)["status"] == "job_init"
    job.inputs["desiredState"] = "running"
    assert stack.preview([job])[job.urn].op == "update"
    said(shared, job, "start", "starts from no state (a job that never ran)")
    assert stack.up([job])[job.urn].error is None
    assert stack.outputs(job)["lastChange"]["startedFrom"] == "no state (a job that never ran)"
    assert restored_from(shared, job_id) == [None]
