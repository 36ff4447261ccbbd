"""pulumi up / refresh / destroy of Flink jobs through the provider host against the DLI emulator.

Nothing is mocked: the provider process calls the emulator over HTTP with SDK-signed requests. Faults
are injected through the emulator's admin API, which makes DLI answer as it does when things go wrong
(a refused PUT, a restore without queue capacity, a failed savepoint, a 5xx, a slow restore).

Tests run on the module's emulator and provider host (`stack`, `shared`), as one host serves every
resource of a stack under `pulumi up`; a test that needs a small queue, slow DLI, other settings or
credentials starts its own.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from dli_flink.deploy.resources import read_job_documents
from dli_flink.emulator.models import Durations

from tests.conftest import RunningEmulator, api_for
from tests.engine import Engine, Resource
from tests.provider.conftest import Shared, jar_job, sql_job, stack_config


def runtime_keys(api: Any, job_id: int) -> dict[str, str]:
    text = api.show_job(job_id)["job_config"]["runtime_config"]
    return {item["key"]: item["value"] for item in json.loads(text)}


def job_ids(api: Any) -> list[int]:
    """Every job DLI lists: the module's emulator holds the other tests' jobs too."""
    return [job["job_id"] for job in api.list_jobs()]


def up_ok(engine: Engine, *resources) -> dict[str, Any]:
    steps = engine.up(resources)
    for name, step in steps.items():
        assert step.error is None, f"{name}: {step.error}"
        assert not step.failures, f"{name}: {step.failures}"
    return {r.urn: engine.state[r.urn].outputs for r in resources}


def test_create_starts_the_job_and_outputs_every_input_and_its_state(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    outputs = up_ok(stack, job)[job.urn]
    job_id = int(outputs["jobId"])
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert outputs["status"] == "job_running"
    assert outputs["currentCu"] == 4
    assert outputs["restartTimes"] == 0
    for key, value in job.inputs.items():
        assert outputs[key] == value
    assert runtime_keys(shared.api, job_id)["flink.dli.job.cu.max"] == "8"
    running = f"dli-flink: {job.name}: create: running"
    assert running in stack.host.wait_for(running)


def test_a_name_that_exists_fails_naming_adopt_and_adopt_takes_it_over(
    stack: Engine, shared: Shared, job_body: Any
) -> None:
    existing = shared.api.create_sql_job(job_body(name="taken-name"))
    job = sql_job("taken-name")
    step = stack.up([job])[job.urn]
    assert step.error is not None
    assert "already has a job named taken-name" in step.error.message
    assert "adopt: true" in step.error.message

    adopted = sql_job("taken-name", adopt=True)
    outputs = up_ok(stack, adopted)[job.urn]
    assert int(outputs["jobId"]) == existing
    assert shared.api.show_job(existing)["status"] == "job_running"
    assert runtime_keys(shared.api, existing)["flink.dli.job.cu.max"] == "8"
    assert len(shared.api.list_jobs(name="taken-name")) == 1


def test_a_failed_start_deletes_the_new_job(
    make_emulator: Any, make_host: Any, blob: str, dli_api: Any
) -> None:
    small = make_emulator(queues={"default": 3})
    engine = Engine(make_host(stack_config(small)), blob)
    job = sql_job()  # 4 CUs on a 3-CU queue
    step = engine.up([job])[job.urn]
    assert step.error is not None
    assert "insufficient queue resources" in step.error.message
    assert "deleted again" in step.error.message
    assert api_for(small).list_jobs() == []


def test_a_scaling_change_stops_with_savepoint_edits_and_resumes_from_it(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    job.inputs["scaling"]["cuMax"] = 12
    assert stack.preview([job])[job.urn].op == "update"
    started = time.monotonic()
    outputs = up_ok(stack, job)[job.urn]
    update_took = time.monotonic() - started

    statuses = shared.emulator.admin.statuses(job_id)
    cycle = statuses[statuses.index("job_savepointing") :]
    assert cycle == [
        "job_savepointing",
        "job_canceling",
        "job_cancel_success",
        "job_submitting",
        "job_running",
    ]
    assert runtime_keys(shared.api, job_id)["flink.dli.job.cu.max"] == "12"
    change = outputs["lastChange"]
    assert change["class"] == "restart with savepoint"
    assert outputs["savepointPath"].startswith(f"obs://bucket/jobs/savepoint/{job_id}/")
    assert change["savepointUsed"] == outputs["savepointPath"]
    assert change["steps"][0]["step"] == "stop with savepoint"
    # Not running for a while, and no longer than the whole update: a relation, not a wall-clock
    # bound a busy machine could break.
    assert 0 < change["secondsNotRunning"] <= update_took
    # DLI deletes the savepoint once the job resumed from it; the output still names it.
    assert shared.api.show_job(job_id)["has_savepoint"] is False


def test_an_in_place_change_never_stops_the_job(stack: Engine, shared: Shared) -> None:
    job = sql_job()
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    before = shared.emulator.admin.statuses(job_id)
    job.inputs["smnTopic"] = "team-alerts"
    job.inputs["resumeMaxTimes"] = 3
    outputs = up_ok(stack, job)[job.urn]
    assert shared.emulator.admin.statuses(job_id) == before
    config = shared.api.show_job(job_id)["job_config"]
    assert (config["smn_topic"], config["resume_max_num"]) == ("team-alerts", 3)
    assert outputs["lastChange"]["class"] == "in place"


def test_desired_state_stopped_keeps_a_savepoint_and_running_resumes_from_it(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    job.inputs["desiredState"] = "stopped"
    outputs = up_ok(stack, job)[job.urn]
    stopped = shared.api.show_job(job_id)
    assert stopped["status"] == "job_cancel_success"
    assert stopped["has_savepoint"] is True
    assert outputs["savepointPath"] == stopped["savepoint_path"]

    job.inputs["desiredState"] = "running"
    outputs = up_ok(stack, job)[job.urn]
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert outputs["lastChange"]["savepointUsed"] == stopped["savepoint_path"]


def test_replacing_deletes_the_old_job_before_creating_the_new_one(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job(scaling=None)
    old_id = int(up_ok(stack, job)[job.urn]["jobId"])
    job.inputs["jobType"] = "flink_sql_job"
    new_id = int(up_ok(stack, job)[job.urn]["jobId"])
    assert new_id != old_id
    assert [j["job_id"] for j in shared.api.list_jobs(name=job.name)] == [new_id]
    assert shared.api.show_job(new_id)["job_type"] == "flink_sql_job"


def test_refresh_after_dli_scaled_the_job_shows_no_drift(
    stack: Engine, shared: Shared, wait_status: Any
) -> None:
    """DLI's own scaling changes the running CUs only: currentCu follows, nothing else moves."""
    job = sql_job(scaling={"enabled": True, "intervalMinutes": 1, "cuMin": 2, "cuMax": 8})
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    shared.emulator.admin.set_load(job_id, demand_cu=7)
    deadline = time.monotonic() + 30  # a hang guard, not a speed bound
    while shared.api.show_job(job_id)["job_config"]["real_cu_number"] != 7:
        assert time.monotonic() < deadline, "the emulator never scaled the job"
        time.sleep(0.02)
    wait_status(shared.api, job_id, "job_running")
    assert stack.refresh()[job.urn].op == "same"
    outputs = stack.state[job.urn].outputs
    assert outputs["currentCu"] == 7
    assert outputs["resources"]["cu"] == 4
    assert outputs["scaling"]["cuMax"] == 8
    assert stack.preview([job])[job.urn].op == "same"


def test_refresh_shows_console_edits_as_drift_and_ignores_keys_dli_added(
    stack: Engine, shared: Shared, wait_status: Any
) -> None:
    job = sql_job(runtimeConfig={"table.exec.state.ttl": "1h"}, smnTopic="alerts")
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    runtime = runtime_keys(shared.api, job_id)
    runtime["dli.internal.added"] = "x"  # a key DLI adds by itself
    shared.api.stop_jobs([job_id], False)
    wait_status(shared.api, job_id, "job_cancel_success")
    body = [{"key": k, "value": v} for k, v in runtime.items()]
    shared.api.update_sql_job(job_id, {"runtime_config": json.dumps(body)})
    shared.api.run_jobs([job_id])
    wait_status(shared.api, job_id, "job_running")
    stack.refresh()
    assert stack.preview([job])[job.urn].op == "same"

    shared.api.update_sql_job(job_id, {"smn_topic": "edited-in-console"})
    stack.refresh()
    assert stack.state[job.urn].outputs["smnTopic"] == "edited-in-console"
    assert stack.preview([job])[job.urn].op == "update"
    up_ok(stack, job)
    assert shared.api.show_job(job_id)["job_config"]["smn_topic"] == "alerts"


def test_a_job_deleted_outside_pulumi_is_reported_gone(stack: Engine, shared: Shared) -> None:
    job = sql_job()
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    shared.api.delete_job(job_id)
    assert stack.refresh()[job.urn].op == "delete"
    assert job.urn not in stack.state


def test_destroy_stops_with_a_final_savepoint_and_waits_until_gone(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job()
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    assert stack.destroy()[job.urn].op == "delete"
    assert job_id not in job_ids(shared.api)
    kept = f"{job.name}: delete: final savepoint kept at "
    path = stack.host.wait_for(kept).split(kept)[1].split()[0]
    assert path.startswith(f"obs://bucket/jobs/savepoint/{job_id}/")
    folder = shared.emulator.data_dir / "obs" / path[len("obs://") :]
    assert (folder / "_metadata").is_file()


def test_destroy_of_a_job_already_gone_succeeds(stack: Engine, shared: Shared) -> None:
    job = sql_job()
    shared.api.delete_job(int(up_ok(stack, job)[job.urn]["jobId"]))
    assert stack.destroy()[job.urn].op == "delete"


def test_four_updates_in_parallel_in_one_provider_process(stack: Engine, shared: Shared) -> None:
    jobs = [sql_job() for _ in range(4)]
    up_ok(stack, *jobs)
    for job in jobs:
        job.inputs["scaling"]["cuMax"] = 10
    outputs = up_ok(stack, *jobs)
    for job in jobs:
        job_id = int(outputs[job.urn]["jobId"])
        assert shared.api.show_job(job_id)["status"] == "job_running"
        assert runtime_keys(shared.api, job_id)["flink.dli.job.cu.max"] == "10"
        assert outputs[job.urn]["lastChange"]["class"] == "restart with savepoint"


def test_a_jar_job_is_created_restarted_with_savepoint_and_destroyed(
    stack: Engine, shared: Shared
) -> None:
    job = jar_job()
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    detail = shared.api.show_job(job_id)
    assert (detail["job_type"], detail["status"]) == ("flink_jar_job", "job_running")
    job.inputs["resources"] = {"cu": 4, "parallelism": 4}
    outputs = up_ok(stack, job)[job.urn]
    assert shared.api.show_job(job_id)["job_config"]["parallel_number"] == 4
    assert outputs["lastChange"]["class"] == "restart with savepoint"
    assert "job_savepointing" in shared.emulator.admin.statuses(job_id)
    assert stack.destroy()[job.urn].op == "delete"
    assert job_id not in job_ids(shared.api)


def test_a_job_without_an_obs_bucket_is_restarted_without_a_savepoint_and_says_so(
    stack: Engine, shared: Shared
) -> None:
    """DLI can write no savepoint without a bucket: the update still goes through, visibly."""
    job = sql_job(scaling=None, obsBucket=None, logEnabled=False)
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    job.inputs["resources"] = {"cu": 4, "parallelism": 3}
    outputs = up_ok(stack, job)[job.urn]
    assert shared.api.show_job(job_id)["job_config"]["parallel_number"] == 3
    assert outputs["lastChange"]["savepointUsed"] is None
    assert outputs["lastChange"]["steps"][0]["step"].startswith("stop (no obsBucket")
    stop = f"{job.name}: update: stop (no obsBucket: no savepoint possible)"
    assert stop in stack.host.wait_for(stop)


def test_the_example_jobs_refresh_without_a_perpetual_diff(stack: Engine) -> None:
    """Every field the examples write survives create + refresh as no change (issue #10147 of
    the incumbent: a perpetual diff after refresh). The examples' queue, flink_q, is one of the
    module emulator's."""
    jobs = Path(__file__).resolve().parents[2] / "examples" / "jobs"
    resources = [
        Resource(f"pulumi-python:dynamic/dli:{doc['kind']}", name, doc)
        for name, (doc, _) in read_job_documents(jobs).items()
    ]
    up_ok(stack, *resources)
    assert {s.op for s in stack.refresh().values()} == {"same"}
    assert {urn: s.op for urn, s in stack.preview(resources).items()} == {
        r.urn: "same" for r in resources
    }


def test_wrong_credentials_fail_with_dli_s_error_and_never_echo_the_key(
    emulator: RunningEmulator, make_host: Any, blob: str
) -> None:
    wrong = "wrong-secret-key-must-not-leak"
    engine = Engine(make_host({**stack_config(emulator), "dli-flink:secretKey": wrong}), blob)
    job = sql_job()
    step = engine.up([job])[job.urn]
    assert step.error is not None
    assert "APIGW.0301" in step.error.message
    assert wrong not in step.error.details
    assert wrong not in engine.host.log


def test_settings_fall_back_to_the_environment(
    emulator: RunningEmulator, make_host: Any, blob: str, dli_api: Any
) -> None:
    env = {
        "DLI_FLINK_ENDPOINT": emulator.endpoint,
        "HUAWEICLOUD_SDK_AK": emulator.access_key,
        "HUAWEICLOUD_SDK_SK": emulator.secret_key,
        "HUAWEICLOUD_SDK_PROJECT_ID": emulator.project_id,
    }
    engine = Engine(make_host(env=env), blob)
    job = sql_job()
    job_id = int(up_ok(engine, job)[job.urn]["jobId"])
    assert dli_api.show_job(job_id)["status"] == "job_running"


def test_a_create_slower_than_its_timeout_deletes_the_job_and_says_so(
    make_emulator: Any, make_host: Any, blob: str
) -> None:
    """Submits take 2 s here; timeouts.create allows 0.6 s (Pulumi's customTimeouts never reach a
    dynamic provider, so the spec carries its own)."""
    slow = make_emulator(durations=Durations(submit=2000.0))
    engine = Engine(make_host(stack_config(slow)), blob)
    job = sql_job(timeouts={"create": 0.01})
    step = engine.up([job])[job.urn]
    assert step.error is not None
    # The wait gets what is left of the 0.6 s once the create call returned: 0.6 s or less,
    # depending on how busy the machine is, never more.
    assert re.search(r"timed out after 0\.[0-6] s waiting for job_running", step.error.message)
    assert "the new job was deleted again" in step.error.message
    assert api_for(slow).list_jobs() == []
    assert job.urn not in engine.state


def test_desired_state_stopped_without_an_obs_bucket_stops_without_a_savepoint(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job(scaling=None, obsBucket=None, logEnabled=False)
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    job.inputs["desiredState"] = "stopped"
    outputs = up_ok(stack, job)[job.urn]
    assert shared.api.show_job(job_id)["status"] == "job_cancel_success"
    assert outputs["lastChange"]["savepointUsed"] is None
