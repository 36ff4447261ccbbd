"""A resource whose URN changes: a kind change.

The type token and the resource name are part of the URN. The programs below run for real (our
resource classes, the SDK's registration; tests/program.py) and the engine steps what they register
(tests/engine.py), so aliases, create-before-delete and the late delete of an old URN happen as
under `pulumi up`.
"""

from __future__ import annotations

from typing import Any

from dli_flink import FlinkJarJob, FlinkSqlJob

from tests.engine import Engine, Resource
from tests.program import registrations
from tests.provider.conftest import JAR_TYPE, SQL_TYPE, Shared, jar_job, sql_job


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
        f"replaces DLI job {old_id}"
    )
    assert stack.preview([jar])[jar.urn].op == "same"


def test_both_kinds_declare_the_other_s_type_token_as_an_alias() -> None:
    sql = program("a", sql_job().inputs)
    jar = program("b", jar_job().inputs)
    assert [a.collapse(sql) for a in sql.aliases] == [jar.urn.replace("::b", "::a")]
    assert [a.type for a in jar.aliases] == [SQL_TYPE]
    assert jar.type == JAR_TYPE
