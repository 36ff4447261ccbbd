"""Tags through a real provider host and the official SDK: a tag change is in place (DLI's tag API, the
job keeps running), refresh reads tags back as drift, the owner mark is never removed nor shown, and
a tag call DLI refuses ends the update with a line naming the job, the step and what went in."""

from __future__ import annotations

from dli_flink.deploy.ownership import OWNER_TAG

from tests.engine import Engine
from tests.provider.conftest import Shared, sql_job
from tests.provider.test_lifecycle import up_ok


def test_a_tag_change_is_in_place_and_the_job_keeps_running(stack: Engine, shared: Shared) -> None:
    api, admin = shared.api, shared.emulator.admin
    job = sql_job(tags={"team": "data", "tier": "gold"})
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    assert api.job_tags(job_id)["team"] == "data"
    before = admin.statuses(job_id)

    changed = sql_job(job.name, tags={"team": "payments", "cost-centre": "42"})
    preview = stack.preview([changed])[job.urn]
    assert (preview.op, preview.replaces) == ("update", [])
    outputs = up_ok(stack, changed)[job.urn]
    tags = api.job_tags(job_id)
    assert {k: v for k, v in tags.items() if k != OWNER_TAG} == {
        "team": "payments",
        "cost-centre": "42",
    }
    assert OWNER_TAG in tags, "the owner mark was removed"
    assert int(outputs["jobId"]) == job_id
    assert admin.statuses(job_id) == before, "the job was stopped or restarted"
    assert outputs["lastChange"]["class"] == "in place"
    assert [j["job_id"] for j in api.list_jobs(tags="team=payments")] == [job_id]

    removed = sql_job(job.name)
    up_ok(stack, removed)
    assert set(api.job_tags(job_id)) == {OWNER_TAG}
    assert admin.statuses(job_id) == before


def test_refresh_shows_a_console_tag_edit_as_drift_but_never_the_owner_mark(
    stack: Engine, shared: Shared
) -> None:
    api = shared.api
    job = sql_job(tags={"team": "data"})
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    assert stack.refresh()[job.urn].op == "same"
    assert "tags" not in stack.refresh()[job.urn].shown

    api.add_tags(job_id, [("team", "edited-in-console"), ("extra", "x")])
    step = stack.refresh()[job.urn]
    assert step.op == "update"
    assert stack.state[job.urn].outputs["tags"] == {"team": "edited-in-console", "extra": "x"}
    assert stack.preview([job])[job.urn].op == "update"
    up_ok(stack, job)
    assert {k: v for k, v in api.job_tags(job_id).items() if k != OWNER_TAG} == {"team": "data"}
    assert stack.refresh()[job.urn].op == "same"


def test_a_refused_tag_call_names_the_job_the_step_and_what_went_in(
    stack: Engine, shared: Shared
) -> None:
    api, admin = shared.api, shared.emulator.admin
    job = sql_job(tags={"team": "data", "old": "x"})
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    before = admin.statuses(job_id)

    admin.fail("batch_create_resource_tags", status=400, error_code="DLI.0001", error_msg="no")
    changed = sql_job(job.name, tags={"team": "ml"}, smnTopic="alerts")
    step = stack.up([changed])[job.urn]
    message = step.error.message
    assert (
        f"job {job.name}: update: set tags team=ml failed: batch_create_resource_tags DLI.0001"
        in (message)
    )
    assert "nothing was changed, DLI reports the job job_running" in message
    assert "safe to repeat, run pulumi up again" in message
    assert api.show_job(job_id)["job_config"]["smn_topic"] in (None, "")
    assert {k: v for k, v in api.job_tags(job_id).items() if k != OWNER_TAG} == {
        "team": "data",
        "old": "x",
    }

    admin.fail("batch_delete_resource_tags", status=500, count=5)
    step = stack.up([changed])[job.urn]
    message = step.error.message
    assert "update: remove tags old=x failed" in message
    assert "tags team=ml were set, nothing else was changed" in message
    assert api.job_tags(job_id)["team"] == "ml"
    assert admin.statuses(job_id) == before

    up_ok(stack, changed)
    assert {k: v for k, v in api.job_tags(job_id).items() if k != OWNER_TAG} == {"team": "ml"}
    assert api.show_job(job_id)["job_config"]["smn_topic"] == "alerts"
    assert admin.statuses(job_id) == before


def test_a_job_stopped_by_desired_state_gets_its_tags_too(stack: Engine, shared: Shared) -> None:
    job = sql_job(desiredState="stopped")
    job_id = int(up_ok(stack, job)[job.urn]["jobId"])
    up_ok(stack, sql_job(job.name, desiredState="stopped", tags={"team": "data"}))
    assert shared.api.job_tags(job_id)["team"] == "data"
    assert shared.api.show_job(job_id)["status"] == "job_init"
