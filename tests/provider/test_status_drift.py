"""A job that is not in its desired state: the state must not go on saying it is.

Without partial state (the dynamic host has none), a failed update keeps the old outputs, status
`job_running` included. What brings the stack back to the truth is a refresh: it must turn a job
found stopped into a visible change for the next preview, and never turn DLI's own rescaling into
one.
"""

from __future__ import annotations

import json
import time
from typing import Any

from dli_flink.emulator.models import Durations

from tests.engine import Engine, ProviderHost, host_env
from tests.provider.conftest import Shared, sql_job, stack_config


def cu_max(api: Any, job_id: int) -> str:
    text = api.show_job(job_id)["job_config"]["runtime_config"]
    return {i["key"]: i["value"] for i in json.loads(text)}["flink.dli.job.cu.max"]


def deploy(stack: Engine, resource: Any) -> int:
    step = stack.up([resource])[resource.urn]
    assert step.error is None, step.error
    return int(stack.outputs(resource)["jobId"])


def test_after_a_failed_rollback_a_revert_and_up_refresh_resume_the_job(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    job_id = deploy(stack, job)
    shared.emulator.admin.fail_next_restore(count=2)
    job.inputs["scaling"] = {"enabled": True, "cuMin": 2, "cuMax": 12}
    error = stack.up([job])[job.urn].error
    assert error is not None
    assert "The rollback failed too" in error.message
    assert "pulumi up --refresh" in error.message
    savepoint = shared.api.show_job(job_id)["savepoint_path"]

    job.inputs["scaling"] = sql_job().inputs["scaling"]  # revert the spec
    steps = stack.up([job], refresh=True)
    assert steps[job.urn].error is None, steps[job.urn].error
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert cu_max(shared.api, job_id) == "8"
    assert stack.outputs(job)["lastChange"]["savepointUsed"] == savepoint
    assert stack.refresh()[job.urn].op == "same"
    assert stack.preview([job])[job.urn].op == "same"


def test_a_refresh_of_a_job_stopped_outside_pulumi_shows_why_the_next_up_starts_it(
    stack: Engine, shared: Shared, wait_status: Any
) -> None:
    job = sql_job()
    job_id = deploy(stack, job)
    shared.api.stop_jobs([job_id], True)
    stopped = wait_status(shared.api, job_id, "job_cancel_success")

    assert stack.refresh()[job.urn].op == "update"
    step = stack.preview([job])[job.urn]
    assert step.op == "update"
    [(key, (was, now))] = step.shown.items()
    assert (key, now) == ("statusDrift", None)
    assert was.startswith("DLI reports job_cancel_success while desiredState is running")

    assert stack.up([job])[job.urn].error is None
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert stack.outputs(job)["lastChange"]["savepointUsed"] == stopped["savepoint_path"]
    assert stack.refresh()[job.urn].op == "same"
    assert stack.preview([job])[job.urn].op == "same"


def test_a_job_started_outside_pulumi_while_desired_stopped_is_stopped_again(
    stack: Engine, shared: Shared, wait_status: Any
) -> None:
    job = sql_job(desiredState="stopped")
    job_id = deploy(stack, job)
    shared.api.run_jobs([job_id], True)
    wait_status(shared.api, job_id, "job_running")
    assert stack.refresh()[job.urn].op == "update"
    assert stack.preview([job])[job.urn].op == "update"
    assert stack.up([job])[job.urn].error is None
    assert shared.api.show_job(job_id)["status"] == "job_cancel_success"


def test_dli_rescaling_the_job_is_not_drift(make_emulator: Any, tmp_path: Any, blob: str) -> None:
    """While DLI rescales (savepoint, resubmit) the job is briefly not job_running: a refresh
    then must not plan a restart."""
    # A savepoint of an hour at speed 1000, which nothing here waits for: the refresh comes while
    # DLI rescales however slow a busy machine makes it (at 5 s, a refresh 5 s late saw it done).
    emulator = make_emulator(durations=Durations(savepoint=3_600_000.0))
    host = ProviderHost(tmp_path, host_env(), stack_config(emulator))
    try:
        stack = Engine(host, blob)
        job = sql_job(scaling={"enabled": True, "intervalMinutes": 1, "cuMin": 2, "cuMax": 8})
        job_id = deploy(stack, job)
        emulator.admin.set_load(job_id, demand_cu=7)
        deadline = time.monotonic() + 30  # a hang guard, not a speed bound
        while "job_savepointing" not in emulator.admin.statuses(job_id):
            assert time.monotonic() < deadline, "DLI never began rescaling"
            time.sleep(0.02)
        assert stack.refresh()[job.urn].op == "same"
        assert stack.outputs(job)["status"] == "job_savepointing"
        assert stack.preview([job])[job.urn].op == "same"
    finally:
        host.close()
