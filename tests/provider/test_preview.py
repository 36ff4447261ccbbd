"""Preview: Check and Diff through the provider host, as `pulumi preview` calls them.

The host here has no endpoint and no credentials at all: a preview that needed DLI would fail, so
every test in this file also proves that check and diff make no network call.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine import UNKNOWN, Engine, ProviderHost, State, host_env, provider_blob
from tests.provider.conftest import jar_job, sql_job
from tests.provider.test_urn_changes import program


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHost]:
    """One host for the module (as one `pulumi preview` serves every resource from one host)."""
    host = ProviderHost(tmp_path_factory.mktemp("project"), host_env())
    yield host
    host.close()


@pytest.fixture
def offline(host: ProviderHost) -> Engine:
    from dli_flink.deploy.provider import JobProvider

    return Engine(host, provider_blob(JobProvider()))


def deployed(engine: Engine, resource, **output_extra) -> None:
    """Put `resource` in the engine's state as a create would have left it (outputs = inputs + ours)."""
    inputs = {**resource.inputs, "__provider": engine.blob}
    outputs = {**inputs, "jobId": 10001, "status": "job_running", **output_extra}
    engine.state[resource.urn] = State(resource.urn, "10001", resource.type, inputs, outputs)


def test_a_valid_new_job_previews_as_a_create_without_credentials(offline: Engine) -> None:
    job = sql_job()
    assert offline.preview([job])[job.urn].op == "create"


def test_rule_errors_stop_the_preview_on_the_property_that_is_wrong(offline: Engine) -> None:
    job = sql_job(resources={"cu": 4}, scaling={"enabled": True, "cuMax": 3})
    step = offline.preview([job])[job.urn]
    assert step.op == "invalid"
    properties = {prop for prop, _ in step.failures}
    reasons = " ".join(reason for _, reason in step.failures)
    assert properties == {"scaling"}
    assert "[scaling-cu-max-below-cu] scaling.cuMax" in reasons


def test_a_flink_1_15_job_that_checkpoints_without_an_agency_stops_the_preview(
    offline: Engine,
) -> None:
    job = sql_job()
    del job.inputs["agency"]
    step = offline.preview([job])[job.urn]
    assert step.op == "invalid"
    assert [prop for prop, _ in step.failures] == ["flinkVersion"]
    assert "[agency-required] flinkVersion: Flink 1.15 needs an agency" in step.failures[0][1]


def test_a_flink_1_17_job_without_resource_config_v2_stops_the_preview(offline: Engine) -> None:
    """Flink 1.17 takes only resourceConfigVersion v2 (SDK models, API reference dli_02_0231)."""
    job = sql_job(flinkVersion="1.17", resources=None)
    step = offline.preview([job])[job.urn]
    assert step.op == "invalid"
    assert [prop for prop, _ in step.failures] == ["flinkVersion"]
    assert "[resource-config-version] flinkVersion: Flink 1.17 takes only" in step.failures[0][1]
    job.inputs.update(
        resourceConfigVersion="v2",
        resourceConfig={"parallelism": 2, "taskManager": {"cpu": 2, "memory": "8GB"}},
    )
    assert offline.preview([job])[job.urn].op == "create"


def test_schema_errors_name_the_key(offline: Engine) -> None:
    job = sql_job(resources={"cu": "four"}, queue="")
    step = offline.preview([job])[job.urn]
    assert {prop for prop, _ in step.failures} == {"resources", "queue"}


def test_warnings_are_printed_and_do_not_stop_the_preview(offline: Engine) -> None:
    job = sql_job(scaling={"enabled": True, "intervalMinutes": 5, "cuMin": 2, "cuMax": 8})
    assert offline.preview([job])[job.urn].op == "create"
    log = offline.host.wait_for("[scaling-interval]")
    assert f"{job.name}: warning [scaling-interval] scaling.intervalMinutes" in log


def test_unknown_values_in_preview_are_tolerated(offline: Engine) -> None:
    """Values that depend on other resources arrive as unknowns: not an error, not a guess."""
    job = sql_job(queue=UNKNOWN, obsBucket=UNKNOWN)
    job.inputs["scaling"]["cuMax"] = UNKNOWN
    assert offline.preview([job])[job.urn].op == "create"
    deployed(offline, sql_job(job.name))
    assert offline.preview([job])[job.urn].op == "update"


def test_whole_numbers_sent_as_doubles_are_no_change(offline: Engine) -> None:
    """The engine sends 4 as 4.0 (and stores outputs so): that must never look like a change."""
    job = sql_job()
    deployed(offline, job, currentCu=4, restartTimes=0)
    assert offline.preview([job])[job.urn].op == "same"


@pytest.mark.parametrize(
    ("change", "op"),
    [
        ({"smnTopic": "alerts"}, "update"),  # in place
        ({"scaling": {"enabled": True, "cuMin": 2, "cuMax": 12}}, "update"),  # restart
        ({"desiredState": "stopped"}, "update"),
        ({"timeouts": {"update": 5}}, "update"),
        ({"jobType": "flink_sql_job", "scaling": None}, "replace"),
    ],
)
def test_each_kind_of_change_previews_as_the_planner_classifies_it(
    offline: Engine, change: dict, op: str
) -> None:
    job = sql_job()
    deployed(offline, job)
    changed = sql_job(job.name, **change)
    step = offline.preview([changed])[job.urn]
    assert step.op == op
    if op == "replace":
        assert step.replaces == ["jobType"]


def test_a_job_found_stopped_by_refresh_previews_as_an_update(offline: Engine) -> None:
    """desiredState running and a refreshed status that is not: the next up starts it again."""
    job = sql_job()
    deployed(offline, job)
    offline.state[job.urn].outputs["status"] = "job_cancel_success"
    assert offline.preview([job])[job.urn].op == "update"


def test_the_project_dli_flink_yaml_is_honoured(tmp_path, blob: str) -> None:
    """The host runs in the project directory: its .dli-flink.yaml configures the rules, as for
    `dli-flink validate`."""
    (tmp_path / ".dli-flink.yaml").write_text(
        "rules:\n  scaling-cu-max-below-cu: off\n", encoding="utf-8"
    )
    host = ProviderHost(tmp_path, host_env())
    try:
        job = sql_job(resources={"cu": 4}, scaling={"enabled": True, "cuMax": 3})
        assert Engine(host, blob).preview([job])[job.urn].op == "create"
    finally:
        host.close()


def test_preview_says_which_state_each_change_starts_from(offline: Engine, host) -> None:
    """The words of lastChange.startedFrom and of `dli-flink review` (model/starts.py)."""
    job = sql_job()
    deployed(offline, job)
    restarted = sql_job(job.name, resources={"cu": 4, "parallelism": 4})
    assert offline.preview([restarted])[job.urn].op == "update"
    line = (
        f"dli-flink: {job.name}: restart with savepoint: starts from the savepoint its stop takes"
    )
    assert line in host.wait_for(line)

    # Stopped while desiredState is running (by hand, or a failure): DLI may report no savepoint,
    # and restore (default savepoint) picks from what OBS holds then (deploy/restore.py).
    stopped = sql_job()
    deployed(offline, stopped, status="job_cancel_success")
    assert offline.preview([stopped])[stopped.urn].op == "update"
    line = (
        f"dli-flink: {stopped.name}: start: starts from the savepoint DLI reports for it, else "
        "the newest checkpoint or savepoint OBS holds (none there: `pulumi up` starts nothing if "
        "the job checkpoints)"
    )
    assert line in host.wait_for(line)

    sql = program("kind", sql_job().inputs)
    deployed(offline, sql)
    jar = program("kind", jar_job(sql.inputs["name"], restore="previous-job").inputs)
    assert offline.preview([jar])[jar.urn].op == "replace"
    line = (
        f"dli-flink: {sql.inputs['name']}: replace: starts from the replaced job's final "
        "savepoint (restore: previous-job)"
    )
    assert line in host.wait_for(line)


def test_a_checkpoint_restore_after_an_sql_change_is_a_preview_warning(
    offline: Engine, host
) -> None:
    """DLI's FAQ dli_03_0136: no restore from a checkpoint after the SQL or parallelism changed."""
    job = sql_job(restore="latest-checkpoint")
    deployed(offline, job)
    in_place = sql_job(job.name, restore="latest-checkpoint", smnTopic="pager")
    assert offline.preview([in_place])[job.urn].op == "update"
    changed = sql_job(job.name, restore="latest-checkpoint", sql="INSERT INTO s SELECT 1")
    assert offline.preview([changed])[job.urn].op == "update"
    line = (
        f"dli-flink: {job.name}: warning [restore] `sql` changed, and restore: latest-checkpoint "
        "starts the job from its latest checkpoint should it be found stopped or failed without "
        "a savepoint: DLI's FAQ dli_03_0136"
    )
    log = host.wait_for(line)
    assert line in log
    assert log.count(f"dli-flink: {job.name}: warning [restore]") == 1, "not for the in-place edit"
