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
