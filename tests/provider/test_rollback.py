"""A restart-class update that fails is rolled back from the same savepoint, and says so.

Each failure is one the emulator can inject the way DLI shows it: a PUT refused with DLI.0001, a
restore that fails because the queue lacks CUs (job_submit_fail), a savepoint that fails (the job goes
back to job_running), a 5xx on the run call, a restore slower than the update timeout. Only what the
user sees is asserted: the error's last line, the job's real state and configuration, the stack state.
Faults go to the module's emulator (`shared`), through its provider host (`stack`), which clears
what a test left after it; a test that kills the host, or needs a small queue or slow DLI, starts
its own emulator and host.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from dli_flink.emulator.models import Durations

from tests.conftest import HeldClock, api_for
from tests.engine import Engine, host_env
from tests.provider.conftest import Shared, sql_job, stack_config


def cu_max(api: Any, job_id: int) -> str:
    text = api.show_job(job_id)["job_config"]["runtime_config"]
    return {i["key"]: i["value"] for i in json.loads(text)}["flink.dli.job.cu.max"]


def deploy(engine: Engine) -> tuple[Any, int]:
    job = sql_job()
    step = engine.up([job])[job.urn]
    assert step.error is None, step.error
    return job, int(engine.state[job.urn].outputs["jobId"])


def failed_update(engine: Engine, job: Any, **changes: Any) -> str:
    before = dict(engine.state[job.urn].outputs)
    for key, value in changes.items():
        job.inputs[key] = value
    step = engine.up([job])[job.urn]
    assert step.error is not None
    assert engine.state[job.urn].outputs == before, "a failed update must keep the old state"
    return step.error.message


def assert_rolled_back(line: str, api: Any, job_id: int, job_name: str) -> None:
    assert line.startswith("job " + job_name)
    assert "Rolled back: the previous configuration is running again" in line
    assert "restored from savepoint obs://bucket/jobs/savepoint/" in line
    assert api.show_job(job_id)["status"] == "job_running"
    assert cu_max(api, job_id) == "8"


def test_a_refused_put_rolls_back(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail(
        "update_flink_sql_job", status=400, error_code="DLI.0001", error_msg="parameter error"
    )
    line = failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    assert "failed at 'edit'" in line
    assert "DLI.0001: parameter error (request id " in line
    assert_rolled_back(line, shared.api, job_id, job.name)


def test_a_restore_without_queue_capacity_rolls_back(
    make_emulator: Any, make_host: Any, blob: str
) -> None:
    emulator = make_emulator(queues={"default": 10})
    engine = Engine(make_host(stack_config(emulator)), blob)
    api = api_for(emulator)
    job, job_id = deploy(engine)
    line = failed_update(
        engine,
        job,
        resources={"cu": 12, "parallelism": 2},
        scaling={"enabled": True, "cuMin": 2, "cuMax": 12},
    )
    assert "failed at 'resume from the savepoint'" in line
    assert "job_submit_fail: insufficient queue resources" in line
    assert_rolled_back(line, api, job_id, job.name)
    assert api.show_job(job_id)["job_config"]["cu_number"] == 4


def test_a_failed_savepoint_changes_nothing(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail_next_savepoint()
    line = failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    assert "stop with savepoint failed: the savepoint failed" in line
    assert "nothing was changed and the previous configuration is still running" in line
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "8"


def test_a_server_error_on_the_resume_rolls_back(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail(
        "batch_run_flink_jobs", status=503, error_code="DLI.0999", error_msg="busy"
    )
    line = failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    assert "failed at 'resume from the savepoint'" in line
    assert "DLI.0999: busy" in line
    assert_rolled_back(line, shared.api, job_id, job.name)


def test_a_restore_slower_than_the_timeout_rolls_back(
    make_emulator: Any, make_host: Any, blob: str
) -> None:
    """Submits take 2.5 s here; the update may take 1.2 s (timeouts.update: 0.02 minutes)."""
    emulator = make_emulator(durations=Durations(submit=2500.0))
    engine = Engine(make_host(stack_config(emulator)), blob)
    api = api_for(emulator)
    job, job_id = deploy(engine)
    line = failed_update(
        engine,
        job,
        timeouts={"update": 0.02},
        scaling={"enabled": True, "cuMin": 2, "cuMax": 12},
    )
    assert "failed at 'resume from the savepoint': timed out after" in line
    assert "waiting for job_running" in line
    assert_rolled_back(line, api, job_id, job.name)


def test_when_the_rollback_fails_too_the_error_names_the_savepoint_and_the_next_up_resumes(
    stack: Engine, shared: Shared
) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail_next_restore(count=2)
    line = failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    stopped = shared.api.show_job(job_id)
    assert stopped["status"] == "job_submit_fail"
    savepoint = stopped["savepoint_path"]
    assert "The rollback failed too at 'resume the previous configuration'" in line
    assert f"its state is in savepoint {savepoint}" in line
    assert f"dli-flink resume {job_id} {savepoint}" in line

    step = stack.up([job])[job.urn]
    assert step.error is None, step.error
    outputs = stack.state[job.urn].outputs
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "12"
    assert outputs["lastChange"]["savepointUsed"] == savepoint
    assert outputs["lastChange"]["steps"][0]["step"] == "found job_submit_fail"


def test_the_resume_command_named_by_a_failed_rollback_starts_the_job(
    stack: Engine, shared: Shared
) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail_next_restore(count=2)
    failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    savepoint = shared.api.show_job(job_id)["savepoint_path"]
    env = {
        "DLI_FLINK_ENDPOINT": shared.emulator.endpoint,
        "HUAWEICLOUD_SDK_AK": shared.emulator.access_key,
        "HUAWEICLOUD_SDK_SK": shared.emulator.secret_key,
        "HUAWEICLOUD_SDK_PROJECT_ID": shared.emulator.project_id,
    }
    done = subprocess.run(
        [sys.executable, "-m", "dli_flink", "resume", str(job_id), savepoint],
        env=host_env(env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert shared.api.show_job(job_id)["status"] == "job_running"


@pytest.mark.parametrize("kill_at", ["job_savepointing", "job_submitting"])
def test_a_provider_killed_mid_cycle_is_resumed_by_the_next_up(
    make_emulator: Any, make_host: Any, blob: str, kill_at: str
) -> None:
    """SIGKILL the provider while the job is being stopped (or restored); a new `up` finishes it."""
    emulator = make_emulator(durations=Durations(savepoint=800.0, submit=800.0))
    config = stack_config(emulator)
    api = api_for(emulator)
    engine = Engine(make_host(config), blob)
    job, job_id = deploy(engine)
    job.inputs["scaling"] = {"enabled": True, "cuMin": 2, "cuMax": 12}

    runner = threading.Thread(target=engine.up, args=([job],), daemon=True)
    runner.start()
    # The job is looked at, and the provider killed, with the emulator's clock held: the kill
    # comes while the job is still there, however long the test stalls between the two (the
    # transition takes 0.8 s; a stall of 2 s, forced, let the provider finish the update first).
    clock = HeldClock(emulator)
    deadline = time.monotonic() + 30  # a hang guard, not a speed bound
    while True:
        clock.hold()
        if api.show_job(job_id)["status"] == kill_at and (
            kill_at != "job_submitting" or "job_cancel_success" in emulator.admin.statuses(job_id)
        ):
            break
        clock.release()
        assert time.monotonic() < deadline, f"never saw {kill_at}"
        time.sleep(0.01)
    engine.host.kill()
    clock.release()
    runner.join(timeout=20)

    second = Engine(make_host(config), blob)
    second.state = engine.state  # the update never finished: the state still has the old outputs
    step = second.up([job])[job.urn]
    assert step.error is None, step.error
    assert api.show_job(job_id)["status"] == "job_running"
    assert cu_max(api, job_id) == "12"
    timeline = emulator.admin.statuses(job_id)
    assert timeline.count("job_savepointing") == 1, "one stop with savepoint, no second cycle"
    assert "job_init" not in timeline[1:], "the job was never recreated"
    first_step = second.state[job.urn].outputs["lastChange"]["steps"][0]["step"]
    assert first_step.startswith("found "), first_step


def test_the_secret_key_is_in_no_output_state_log_or_error(stack: Engine, shared: Shared) -> None:
    job, _ = deploy(stack)
    shared.emulator.admin.fail("update_flink_sql_job", status=400, error_code="DLI.0001")
    error = failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    stack.up([job])
    stack.refresh()
    everything = json.dumps([vars(s) for s in stack.state.values()])
    stack.destroy()
    secret = shared.emulator.secret_key
    assert secret not in base64.b64decode(stack.blob).decode("latin-1")
    for text in (everything, error, stack.host.log):
        assert secret not in text


def test_a_refused_stop_changes_nothing(stack: Engine, shared: Shared) -> None:
    job, job_id = deploy(stack)
    shared.emulator.admin.fail(
        "batch_stop_flink_jobs", status=400, error_code="DLI.0007", error_msg="refused"
    )
    line = failed_update(stack, job, scaling={"enabled": True, "cuMin": 2, "cuMax": 12})
    assert "stop with savepoint failed: batch_stop_flink_jobs DLI.0007: refused" in line
    assert "nothing was changed, DLI reports the job job_running" in line
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "8"
