"""`restore: previous-job`: a replacement (a kind change, FlinkSqlJob <-> FlinkJarJob) starts from
the final savepoint the delete of the job it replaces took in the same `pulumi up`.

The engine deletes before it creates for these resources (tests/engine.py, step_generator.go
`continueStepsFromDiff`), both through one provider host, which is how the create knows the
savepoint (deploy/ownership.py). Checked through the SDK and the emulator's admin timeline (what
each start restored), not the provider's outputs alone.
"""

from __future__ import annotations

from tests.engine import Engine
from tests.provider.conftest import Shared, jar_job, sql_job
from tests.provider.test_restore import restored_from
from tests.provider.test_urn_changes import deploy, jobs_named, program


def test_a_replacement_asking_for_it_starts_from_the_old_job_s_final_savepoint(
    stack: Engine, shared: Shared
) -> None:
    sql = program("orders", sql_job().inputs)
    name = sql.inputs["name"]
    old_id = deploy(stack, sql)
    jar = program("orders", jar_job(name, restore="previous-job").inputs)

    steps = stack.up([jar])
    assert {urn: (s.op, s.error) for urn, s in steps.items()} == {jar.urn: ("replace", None)}
    (job,) = jobs_named(shared, name)
    assert (job["job_type"], job["status"]) == ("flink_jar_job", "job_running")
    final = stack.outputs(jar)["lastChange"]["replacedJobSavepoint"]
    assert final.startswith(f"obs://bucket/jobs/savepoint/{old_id}/")
    assert restored_from(shared, int(job["job_id"])) == [final]
    started = f"savepoint {final} (the replaced job's final savepoint, restore: previous-job)"
    assert stack.outputs(jar)["lastChange"]["startedFrom"] == started
    line = (
        f"dli-flink: {name}: create: importing the replaced job's final savepoint {final} "
        "(restore: previous-job)"
    )
    assert line in shared.host.wait_for(line)
    assert f"(the new job starts from {started})" in shared.host.wait_for(started + ")")


def test_a_replacement_without_it_starts_empty_and_says_how_to_keep_the_state(
    stack: Engine, shared: Shared
) -> None:
    sql = program("clicks", sql_job().inputs)
    name = sql.inputs["name"]
    deploy(stack, sql)
    jar = program("clicks", jar_job(name).inputs)
    assert stack.up([jar])[jar.urn].error is None
    (job,) = jobs_named(shared, name)
    assert restored_from(shared, int(job["job_id"])) == [None]
    assert stack.outputs(jar)["lastChange"]["startedFrom"] == (
        "no state (a replacement without a restore source: restore: previous-job starts it from "
        "the replaced job's final savepoint)"
    )


def test_previous_job_with_no_job_deleted_in_this_up_creates_nothing_and_names_the_way_on(
    stack: Engine, shared: Shared
) -> None:
    """A create the provider process saw no delete for (here: nothing was replaced; likewise an
    earlier up's delete) cannot know the final savepoint: it creates nothing rather than start
    the job empty."""
    job = program("fresh", sql_job(restore="previous-job").inputs)
    error = stack.up([job])[job.urn].error
    assert error is not None
    assert (
        f"job {job.inputs['name']}: create: restore: previous-job starts this job from the final "
        f"savepoint of the job it replaces, but this pulumi up deleted no job named "
        f"{job.inputs['name']} before it"
    ) in error.message
    assert "obs://<obsBucket>/jobs/savepoint/<old job id>/" in error.message
    assert "restore: none to start it empty" in error.message
    assert jobs_named(shared, job.inputs["name"]) == []


def test_previous_job_when_the_old_job_took_no_final_savepoint_creates_nothing(
    stack: Engine, shared: Shared
) -> None:
    sql = program(
        "nockpt", sql_job(checkpoint={"enabled": False}, scaling={"enabled": False}).inputs
    )
    name = sql.inputs["name"]
    old_id = deploy(stack, sql)
    jar = program("nockpt", jar_job(name, restore="previous-job").inputs)
    error = stack.up([jar])[jar.urn].error
    assert error is not None
    assert f"but DLI job {old_id}, deleted before it, has no final savepoint" in error.message
    assert jobs_named(shared, name) == []
    assert stack.state[sql.urn].pending_replacement


def test_review_and_preview_use_the_words_of_the_provider_s_started_from() -> None:
    """model/starts.py (review, preview) and deploy/restore.py (the lifecycle's startedFrom) begin a
    start from a directory alike, so a reviewer reads what lastChange will say."""
    from dli_flink.deploy import restore
    from dli_flink.model import starts

    assert starts.FROM_DIRECTORY == restore.FROM_DIRECTORY
