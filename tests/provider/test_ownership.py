"""The owner mark (issue 11, item 3): every job the provider creates carries the program's project,
stack and resource name in its dli-flink-owner tag, so a create finds its own orphan by stack, not by
a digest of the stack's config. Programs run for real (our resource classes under the SDK's mock
monitor, tests/program.py); the provider host and the emulator are the real ones."""

from __future__ import annotations

from typing import Any

from dli_flink import FlinkSqlJob
from dli_flink.deploy.ownership import OWNER_TAG, resource_mark, same_stack, stack_of

from tests.engine import Engine
from tests.program import registrations
from tests.provider.conftest import Shared, sql_job, stack_config


def program(resource_name: str, document: dict[str, Any], stack: str = "test") -> Any:
    (registered,) = registrations(lambda: FlinkSqlJob(resource_name, document), stack=stack)
    return registered


def test_the_mark_is_project_stack_and_resource_within_dli_s_tag_rules() -> None:
    assert resource_mark("shop", "prod", "orders") == "shop:prod:orders"
    odd = resource_mark("shop", "prod", "orders/eu west" + "x" * 300)
    assert odd.startswith("shop:prod:sha256-") and len(odd) <= 255
    assert stack_of(odd) == "shop:prod"
    assert same_stack("shop:prod:other", "shop:prod:orders", legacy="abc")
    assert not same_stack("shop:dev:orders", "shop:prod:orders", legacy="abc")
    assert same_stack("abc", "shop:prod:orders", legacy="abc")
    assert not same_stack(None, "shop:prod:orders", legacy="abc")


def test_two_stacks_with_the_same_config_no_longer_share_a_job(
    stack: Engine, shared: Shared, blob: str
) -> None:
    """The config digest was the same for both; the mark's stack part is not."""
    document = sql_job().inputs
    dev = program("orders", document, stack="dev")
    job_id = int(_up(stack, dev)["jobId"])
    assert shared.api.job_tags(job_id)[OWNER_TAG] == dev.inputs["ownerMark"]

    prod = program("orders", document, stack="prod")
    step = Engine(shared.host, blob).up([prod])[prod.urn]
    assert step.error is not None
    assert f"already has a job named {document['name']} (job id {job_id})" in step.error.message
    assert shared.api.job_tags(job_id)[OWNER_TAG] == dev.inputs["ownerMark"]


def test_an_orphan_is_found_after_the_stack_config_changed(
    emulator: Any, make_host: Any, blob: str, dli_api: Any
) -> None:
    """A create the engine never recorded, then the config changed before the retry: the digest
    made the orphan someone else's; the stack's name does not change with its config."""
    job = program("orders", sql_job().inputs)
    first = Engine(make_host(stack_config(emulator)), blob)
    job_id = int(_up(first, job)["jobId"])
    changed = {**stack_config(emulator), "dli-flink:region": "eu-west-101"}
    again = Engine(make_host(changed), blob)  # a fresh state: the create was never recorded
    outputs = _up(again, job)
    assert int(outputs["jobId"]) == job_id
    assert "created by this stack (resource orders) and never recorded" in again.host.log
    assert len(dli_api.list_jobs(name=job.inputs["name"])) == 1


def test_a_job_marked_before_resource_marks_is_recognised_and_marked_anew(
    emulator: Any, make_host: Any, blob: str, dli_api: Any
) -> None:
    """A job created by an older program (no ownerMark input: the legacy config digest) is still
    this stack's; taking it over writes the resource's mark on it."""
    host = make_host(stack_config(emulator))
    legacy = sql_job()
    job_id = int(_up(Engine(host, blob), legacy)["jobId"])
    old_mark = dli_api.job_tags(job_id)[OWNER_TAG]
    assert stack_of(old_mark) is None, "the legacy mark is a digest"

    job = program("orders", legacy.inputs)
    outputs = _up(Engine(host, blob), job)
    assert int(outputs["jobId"]) == job_id
    assert dli_api.job_tags(job_id)[OWNER_TAG] == job.inputs["ownerMark"] == "dli-flink:test:orders"
    assert dli_api.show_job(job_id)["status"] == "job_running"


def test_the_mark_alone_changes_nothing(stack: Engine, shared: Shared) -> None:
    """An alias rename gives the resource another mark: no update for it (check and diff never
    see the input); the next real update writes it to the job."""
    document = sql_job().inputs
    job_id = int(_up(stack, program("orders", document))["jobId"])
    moved = program("orders", document)
    moved.inputs["ownerMark"] = resource_mark("dli-flink", "test", "orders-v2")
    assert stack.preview([moved])[moved.urn].op == "same"
    moved.inputs["smnTopic"] = "alerts"
    _up(stack, moved)
    assert shared.api.job_tags(job_id)[OWNER_TAG] == "dli-flink:test:orders-v2"


def _up(engine: Engine, resource: Any) -> dict[str, Any]:
    step = engine.up([resource])[resource.urn]
    assert step.error is None, step.error.message
    return engine.outputs(resource)
