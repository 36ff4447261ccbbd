"""A resource whose URN changes: a kind change, a rename, and `adopt` around them.

The type token and the resource name are part of the URN. The programs below run for real (our
resource classes, the SDK's registration; tests/program.py) and the engine steps what they register
(tests/engine.py), so aliases, create-before-delete and the late delete of an old URN happen as
under `pulumi up`.
"""

from __future__ import annotations

from typing import Any

from dli_flink import FlinkJarJob, FlinkSqlJob
from dli_flink.deploy.ownership import OWNER_TAG

from tests.conftest import api_for
from tests.engine import Engine, ProviderHost, Resource, host_env
from tests.program import registrations
from tests.provider.conftest import JAR_TYPE, SQL_TYPE, Shared, jar_job, sql_job, stack_config


def program(resource_name: str, document: dict[str, Any]) -> Resource:
    """What a program declaring one job registers (`document` may be a registration's inputs)."""
    kind = FlinkSqlJob if document["kind"] == "FlinkSqlJob" else FlinkJarJob
    spec = {k: v for k, v in document.items() if k != "__provider"}
    (registered,) = registrations(lambda: kind(resource_name, spec))
    return registered


def jobs_named(shared: Shared, name: str) -> list[dict[str, Any]]:
    return shared.api.list_jobs(name=name)


def deploy(stack: Engine, resource: Resource) -> int:
    step = stack.up([resource])[resource.urn]
    assert step.error is None, step.error
    return int(stack.outputs(resource)["jobId"])


def test_a_kind_change_replaces_the_job_and_names_the_old_job_s_final_savepoint(
    stack: Engine, shared: Shared
) -> None:
    sql = program("clicks", sql_job().inputs)
    name = sql.inputs["name"]
    old_id = deploy(stack, sql)
    jar = program("clicks", jar_job(name).inputs)
    assert stack.preview([jar])[jar.urn].op == "replace"

    steps = stack.up([jar])
    assert {urn: (s.op, s.error) for urn, s in steps.items()} == {jar.urn: ("replace", None)}
    (job,) = jobs_named(shared, name)
    assert (job["job_type"], job["status"]) == ("flink_jar_job", "job_running")
    assert list(stack.state) == [jar.urn]
    change = stack.outputs(jar)["lastChange"]
    assert change["replacedJobId"] == old_id
    assert change["replacedJobSavepoint"].startswith(f"obs://bucket/jobs/savepoint/{old_id}/")
    assert f"final savepoint is {change['replacedJobSavepoint']}" in shared.host.wait_for(
        f"replaces DLI job {old_id}, deleted before it"
    )
    assert stack.preview([jar])[jar.urn].op == "same"


def test_both_kinds_declare_the_other_s_type_token_as_an_alias() -> None:
    sql = program("a", sql_job().inputs)
    jar = program("b", jar_job().inputs)
    assert [a.collapse(sql) for a in sql.aliases] == [jar.urn.replace("::b", "::a")]
    assert [a.type for a in jar.aliases] == [SQL_TYPE]
    assert jar.type == JAR_TYPE


def test_a_renamed_resource_without_aliases_takes_its_own_job_over(
    stack: Engine, shared: Shared
) -> None:
    """The job carries this stack's mark (issue 11): the create under the new URN takes it over
    and says so, and the engine's delete of the old URN after the program leaves it running."""
    first = program("orders", sql_job().inputs)
    job_id = deploy(stack, first)
    renamed = program("orders-renamed", first.inputs)
    steps = stack.up([renamed])
    assert {urn: (s.op, s.error) for urn, s in steps.items()} == {
        renamed.urn: ("create", None),
        first.urn: ("delete", None),
    }
    assert "created by this stack (resource orders) and never recorded" in shared.host.log
    tags = shared.api.job_tags(job_id)
    assert tags[OWNER_TAG] == renamed.inputs["ownerMark"], "the owner tag names the new resource"
    assert renamed.inputs["ownerMark"].endswith(":orders-renamed")
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert list(stack.state) == [renamed.urn]
    assert int(stack.outputs(renamed)["jobId"]) == job_id


def test_a_renamed_resource_that_adopts_its_job_keeps_it_running(
    stack: Engine, shared: Shared
) -> None:
    """The create under the new URN adopts the job; the engine then deletes the old URN, which
    must leave the job the new resource owns."""
    first = program("orders", sql_job().inputs)
    job_id = deploy(stack, first)
    renamed = program("orders-renamed", {**first.inputs, "adopt": True})
    steps = stack.up([renamed])
    assert {urn: (s.op, s.error) for urn, s in steps.items()} == {
        renamed.urn: ("create", None),
        first.urn: ("delete", None),
    }
    assert shared.api.show_job(job_id)["status"] == "job_running"
    assert list(stack.state) == [renamed.urn]
    assert int(stack.outputs(renamed)["jobId"]) == job_id
    assert f"DLI job {job_id} was adopted by another resource" in shared.host.wait_for(
        f"DLI job {job_id} was adopted"
    )


def test_adopting_a_job_of_another_kind_is_refused_and_leaves_it_running(
    stack: Engine, shared: Shared
) -> None:
    """A Jar resource without the alias (an older program) adopting the SQL job of its name."""
    sql = sql_job()
    job_id = deploy(stack, sql)
    timeline = shared.emulator.admin.statuses(job_id)
    jar = jar_job(sql.name, adopt=True)
    step = stack.up([jar])[jar.urn]
    assert step.error is not None
    assert (
        f"DLI job {job_id} is a flink_opensource_sql_job job and this FlinkJarJob is a "
        "flink_jar_job" in step.error.message
    )
    assert "nothing was changed" in step.error.message
    assert shared.emulator.admin.statuses(job_id) == timeline
    assert sql.urn in stack.state


def test_destroy_leaves_a_job_that_now_carries_another_name(
    stack: Engine, shared: Shared, wait_status: Any
) -> None:
    job = sql_job()
    job_id = deploy(stack, job)
    shared.api.stop_jobs([job_id], False)
    wait_status(shared.api, job_id, "job_cancel_success")
    shared.api.update_sql_job(job_id, {"name": f"{job.name}-theirs"})
    assert stack.destroy()[job.urn].error is None
    assert shared.api.show_job(job_id)["name"] == f"{job.name}-theirs"
    assert f"DLI job {job_id} is named {job.name}-theirs, not {job.name}" in shared.host.wait_for(
        f"{job.name}-theirs, not"
    )


def test_a_kind_change_whose_create_fails_names_the_savepoint_and_the_next_up_creates(
    make_emulator: Any, tmp_path: Any, blob: str
) -> None:
    """Delete before replace: once the old job is gone a failed create leaves the old state as a
    pending replacement (step.go DeleteStep.Apply); the error names the old job's final savepoint,
    and the next up creates the new job without deleting anything again."""
    emulator = make_emulator(queues={"default": 10})
    host = ProviderHost(tmp_path, host_env(), stack_config(emulator))
    try:
        stack = Engine(host, blob)
        sql = program("clicks", sql_job().inputs)
        old_id = deploy(stack, sql)
        too_big = {**jar_job(sql.inputs["name"]).inputs, "resources": {"cu": 12, "parallelism": 2}}
        jar = program("clicks", too_big)
        error = stack.up([jar])[jar.urn].error
        assert error is not None
        assert "insufficient queue resources" in error.message
        assert (
            f"this job replaces DLI job {old_id}, deleted before it, whose final savepoint is "
            f"obs://bucket/jobs/savepoint/{old_id}/" in error.message
        )
        assert stack.state[sql.urn].pending_replacement

        jar = program("clicks", jar_job(sql.inputs["name"]).inputs)
        steps = stack.up([jar])
        assert {urn: (s.op, s.error) for urn, s in steps.items()} == {jar.urn: ("replace", None)}
        (job,) = api_for(emulator).list_jobs()
        assert (job["job_type"], job["status"]) == ("flink_jar_job", "job_running")
        assert list(stack.state) == [jar.urn]
    finally:
        host.close()
