"""What `pulumi up` reports is what DLI runs: a field set, changed or removed reaches DLI.

Through the stand-in engine against the emulator, and checked on DLI's own answer (show_flink_job):
a step log or an output saying the job changed proves nothing if DLI never got the change.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine import Engine, Resource
from tests.provider.conftest import Shared, jar_job, sql_job


def up_ok(engine: Engine, *resources: Resource) -> dict[str, Any]:
    steps = engine.up(resources)
    for urn, step in steps.items():
        assert step.error is None, f"{urn}: {step.error}"
        assert not step.failures, f"{urn}: {step.failures}"
    return engine.outputs(resources[-1])


def dli_value(job: dict[str, Any], wire: str) -> Any:
    return job.get(wire, (job.get("job_config") or {}).get(wire))


FIRST_SETTINGS = [
    # (the job without the field, the field's document change, DLI's wire name, DLI's value)
    (lambda: sql_job(), {"smnTopic": "team-alerts"}, "smn_topic", "team-alerts"),
    (
        lambda: sql_job(scaling=None, obsBucket=None, logEnabled=False),
        {"obsBucket": "bucket"},
        "obs_bucket",
        "bucket",
    ),
    (
        lambda: sql_job(),
        {"resources": {"cu": 4, "parallelism": 2, "taskManagerCu": 2}},
        "tm_cus",
        2,
    ),
    (
        lambda: sql_job(),
        {"resources": {"cu": 4, "parallelism": 2, "slotsPerTaskManager": 2}},
        "tm_slot_num",
        2,
    ),
    (
        lambda: jar_job(jar={"entrypoint": "obs://bucket/app.jar"}),
        {"jar": {"entrypoint": "obs://bucket/app.jar", "mainClass": "com.example.App"}},
        "main_class",
        "com.example.App",
    ),
]


@pytest.mark.parametrize(
    ("make", "change", "wire", "value"),
    FIRST_SETTINGS,
    ids=["smnTopic", "obsBucket", "taskManagerCu", "slotsPerTaskManager", "jar.mainClass"],
)
def test_a_field_set_for_the_first_time_reaches_dli(
    stack: Engine, shared: Shared, make: Any, change: dict[str, Any], wire: str, value: Any
) -> None:
    """DLI answers a field it was never sent as null; that is no evidence that an interrupted
    update already applied the new value, so the update must send it."""
    job = make()
    job_id = int(up_ok(stack, job)["jobId"])
    job.inputs.update(change)
    outputs = up_ok(stack, job)
    assert dli_value(shared.api.show_job(job_id), wire) == value
    assert outputs["lastChange"]["steps"][0]["step"] != "found running with the new configuration"
    assert stack.refresh()[job.urn].op == "same"
    assert stack.preview([job])[job.urn].op == "same"


def test_an_obs_bucket_set_later_lets_destroy_keep_a_final_savepoint(
    stack: Engine, shared: Shared
) -> None:
    job = sql_job(scaling=None, obsBucket=None, logEnabled=False)
    job_id = int(up_ok(stack, job)["jobId"])
    job.inputs["obsBucket"] = "bucket"
    up_ok(stack, job)
    assert stack.destroy()[job.urn].error is None
    assert f"final savepoint kept at obs://bucket/jobs/savepoint/{job_id}/" in shared.host.wait_for(
        f"savepoint/{job_id}/"
    )


REMOVALS = [
    # (the job writing the field, the document without it, DLI's wire name, DLI's value after)
    (lambda: sql_job(description="orders, enriched"), {"description": None}, "desc", ""),
    (
        lambda: jar_job(jar={"entrypoint": "obs://bucket/app.jar", "args": ["--window", "60"]}),
        {"jar": {"entrypoint": "obs://bucket/app.jar"}},
        "entrypoint_args",
        "",
    ),
    (
        lambda: jar_job(
            jar={"entrypoint": "obs://bucket/app.jar", "dependencyJars": ["obs://bucket/l.jar"]}
        ),
        {"jar": {"entrypoint": "obs://bucket/app.jar"}},
        "dependency_jars",
        [],
    ),
    (
        lambda: sql_job(resources={"cu": 4, "parallelism": 2, "taskManagerCu": 2}),
        {"resources": {"cu": 4, "parallelism": 2}},
        "tm_cus",
        1,
    ),
    (
        lambda: sql_job(idleStateRetentionSeconds=7200),
        {"idleStateRetentionSeconds": None},
        "idle_state_retention",
        3600,
    ),
    (lambda: sql_job(resumeMaxTimes=3), {"resumeMaxTimes": None}, "resume_max_num", -1),
]


@pytest.mark.parametrize(
    ("make", "removal", "wire", "cleared"),
    REMOVALS,
    ids=[
        "description",
        "jar.args",
        "jar.dependencyJars",
        "taskManagerCu",
        "idleState",
        "resumeMax",
    ],
)
def test_removing_a_field_clears_it_in_dli_and_then_nothing_restarts(
    stack: Engine,
    shared: Shared,
    make: Any,
    removal: dict[str, Any],
    wire: str,
    cleared: Any,
) -> None:
    """DLI's update is a partial PUT: a removal is sent as the value that clears the field. Then a
    refresh finds nothing to change and the next up leaves the job alone."""
    job = make()
    job_id = int(up_ok(stack, job)["jobId"])
    for key, value in removal.items():
        job.inputs[key] = value
    up_ok(stack, job)
    assert dli_value(shared.api.show_job(job_id), wire) == cleared
    assert stack.refresh()[job.urn].op == "same"
    timeline = shared.emulator.admin.statuses(job_id)
    assert stack.preview([job])[job.urn].op == "same"
    up_ok(stack, job)
    assert shared.emulator.admin.statuses(job_id) == timeline, "the job was restarted again"


UNCLEARABLE = [
    # (the job writing the field, the document without it, the property, what the message names)
    (lambda: sql_job(smnTopic="alerts"), {"smnTopic": None}, "smnTopic", "smnTopic: alerts"),
    (
        lambda: jar_job(),
        {"jar": {"entrypoint": "obs://bucket/app.jar"}},
        "jar",
        "jar.mainClass: com.example.App",
    ),
    (
        # A custom path goes with checkpointing off in DLI (rule checkpoint-path-enabled).
        lambda: jar_job(checkpoint={"enabled": False, "path": "obs://bucket/checkpoints/"}),
        {"checkpoint": {"enabled": False}},
        "checkpoint",
        "checkpoint.path: obs://bucket/checkpoints/",
    ),
    (
        lambda: sql_job(scaling=None, logEnabled=False),
        {"obsBucket": None},
        "obsBucket",
        "obsBucket: bucket",
    ),
    (
        lambda: sql_job(resources={"cu": 4, "parallelism": 2, "slotsPerTaskManager": 2}),
        {"resources": {"cu": 4, "parallelism": 2}},
        "resources",
        "resources.slotsPerTaskManager: 2",
    ),
]


@pytest.mark.parametrize(
    ("make", "removal", "prop", "keep"),
    UNCLEARABLE,
    ids=["smnTopic", "jar.mainClass", "checkpoint.path", "obsBucket", "slotsPerTaskManager"],
)
def test_removing_a_field_dli_cannot_clear_is_refused_naming_what_to_write(
    stack: Engine,
    shared: Shared,
    make: Any,
    removal: dict[str, Any],
    prop: str,
    keep: str,
) -> None:
    """No value DLI documents clears these: the removal would restart the job and change nothing,
    so check() refuses it, and DLI's job is left as it runs."""
    job = make()
    job_id = int(up_ok(stack, job)["jobId"])
    timeline = shared.emulator.admin.statuses(job_id)
    for key, value in removal.items():
        job.inputs[key] = value
    step = stack.up([job])[job.urn]
    assert step.op == "invalid"
    [(failed, reason)] = step.failures
    assert failed == prop
    assert f"keep {keep}" in reason
    assert "cannot be removed" in reason
    assert shared.emulator.admin.statuses(job_id) == timeline


def test_refresh_compares_every_field_dli_reports(
    stack: Engine, shared: Shared, wait_status: Any
) -> None:
    """Console edits of the fields refresh once skipped show as drift, with DLI's values."""
    jar, sql = jar_job(), sql_job()
    up_ok(stack, jar, sql)
    jar_id, sql_id = (int(stack.outputs(r)["jobId"]) for r in (jar, sql))
    api = shared.api
    api.stop_jobs([jar_id, sql_id], False)
    for job_id in (jar_id, sql_id):
        wait_status(api, job_id, "job_cancel_success")
    api.update_jar_job(
        jar_id,
        {
            "entrypoint_args": "--window 90",
            "dependency_jars": ["obs://bucket/extra.jar"],
            "dependency_files": ["obs://bucket/app.conf"],
            "checkpoint_path": "obs://bucket/elsewhere/",
        },
    )
    api.update_sql_job(sql_id, {"dirty_data_strategy": "1", "idle_state_retention": 60})
    api.run_jobs([jar_id, sql_id])
    steps = stack.refresh()
    assert (steps[jar.urn].op, steps[sql.urn].op) == ("update", "update")
    jar_out, sql_out = stack.outputs(jar), stack.outputs(sql)
    assert jar_out["jar"]["args"] == ["--window", "90"]
    assert jar_out["jar"]["dependencyJars"] == ["obs://bucket/extra.jar"]
    assert jar_out["jar"]["dependencyFiles"] == ["obs://bucket/app.conf"]
    assert jar_out["checkpoint"]["path"] == "obs://bucket/elsewhere/"
    assert (sql_out["dirtyDataStrategy"], sql_out["idleStateRetentionSeconds"]) == ("1", 60)


def test_a_v2_job_deploys_refreshes_clean_and_resizes_through_a_savepoint(
    stack: Engine, shared: Shared
) -> None:
    """resourceConfig reaches DLI nested as resource_config (API reference dli_02_0231), DLI's
    answer of it is no drift, and a new TaskManager size is a restart with savepoint that DLI then
    runs; the v1 CU numbers DLI keeps for the job are never sent or compared."""
    config = {
        "parallelism": 4,
        "slotsPerTaskManager": 2,
        "jobManager": {"cpu": 1, "memory": "4GB"},
        "taskManager": {"cpu": 2, "memory": "8GB"},
    }
    job = sql_job(
        flinkVersion="1.17",
        resources=None,
        resourceConfigVersion="v2",
        resourceConfig=config,
        scaling={"enabled": True, "cuMax": 12},
    )
    job_id = int(up_ok(stack, job)["jobId"])
    shown = shared.api.show_job(job_id)["job_config"]
    assert shown["resource_config_version"] == "v2"
    assert shown["resource_config"]["taskmanager_resource_spec"] == {"cpu": 2.0, "memory": "8GB"}
    assert stack.refresh()[job.urn].op == "same"
    job.inputs["resourceConfig"] = {**config, "taskManager": {"cpu": 2, "memory": "16GB"}}
    steps = stack.up([job])
    assert steps[job.urn].op == "update" and steps[job.urn].error is None
    assert shared.emulator.admin.statuses(job_id)[2:] == [
        "job_running",
        "job_savepointing",
        "job_canceling",
        "job_cancel_success",
        "job_submitting",
        "job_running",
    ]
    resized = shared.api.show_job(job_id)
    assert resized["status"] == "job_running"
    assert resized["job_config"]["resource_config"]["taskmanager_resource_spec"]["memory"] == "16GB"
