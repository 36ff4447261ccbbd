"""DLI's own constraints on jobs, as the emulator enforces them over real HTTP, each from its source
(emulator/checks.py cites them), and the README's and the examples' jobs passing all of them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from dli_flink.deploy.dliapi import DliError
from dli_flink.model.spec import JobSpec

from tests.conftest import api_for

REPO = Path(__file__).resolve().parents[2]


def test_an_opensource_sql_job_on_a_shared_cluster_is_refused(dli_api, job_body) -> None:
    """SDK job_type docstring: shared_cluster takes only flink_sql_job (run_mode's default)."""
    for refused in (job_body(run_mode="shared_cluster"), job_body(run_mode=None)):
        with pytest.raises(DliError) as error:
            dli_api.create_sql_job(refused)
        assert error.value.code == "DLI.13024"
        assert "exclusive_cluster" in error.value.message
    assert dli_api.create_sql_job(job_body(run_mode="shared_cluster", job_type="flink_sql_job"))


def test_flink_1_15_without_an_agency_fails_to_start_when_it_checkpoints(
    dli_api, job_body, wait_status
) -> None:
    """DLI user guide: from Flink 1.15 no checkpoints, savepoints or saved logs without one."""
    bare = dli_api.create_sql_job(job_body(execution_agency_urn=None))
    dli_api.run_jobs([bare])
    failed = wait_status(dli_api, bare, "job_submit_fail", "job_running")
    assert failed["status"] == "job_submit_fail"
    assert "needs an agency" in failed["status_desc"]
    by_key = dli_api.create_sql_job(
        job_body(
            execution_agency_urn=None,
            runtime_config='[{"key":"flink.dli.job.agency.name","value":"dli_flink_agency"}]',
        )
    )
    older = dli_api.create_sql_job(job_body(execution_agency_urn=None, flink_version="1.13"))
    dli_api.run_jobs([by_key, older])
    for job_id in (by_key, older):
        assert wait_status(dli_api, job_id, "job_running", "job_submit_fail")["status"] == (
            "job_running"
        )


def jar_body(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": name,
        "queue_name": "default",
        "entrypoint": "obs://bucket/app.jar",
        "obs_bucket": "bucket",
        "flink_version": "1.15",
        "execution_agency_urn": "dli_flink_agency",
        **overrides,
    }


def test_a_running_jar_job_refuses_an_unchanged_bucket_and_a_custom_checkpoint_path(
    dli_api, wait_status
) -> None:
    """Terraform's flinkjar resource: obs_bucket only when it changed, and no custom
    checkpoint_path while checkpointing is on."""
    dli_api.authorize_buckets(["bucket"])
    job_id = dli_api.create_jar_job(jar_body("jar-edits", checkpoint_enabled=True))
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    for body, why in (
        ({"obs_bucket": "bucket"}, "obs_bucket is unchanged"),
        ({"checkpoint_path": "obs://bucket/ckpt/"}, "checkpoint_path cannot be customised"),
    ):
        with pytest.raises(DliError) as error:
            dli_api.update_jar_job(job_id, body)
        assert (error.value.code, why in error.value.message) == ("DLI.0007", True)
    assert dli_api.update_jar_job(job_id, {"obs_bucket": "other-bucket"})


V2_CONFIG = {
    "parallel_number": 4,
    "max_slot": 2,
    "jobmanager_resource_spec": {"cpu": 1.0, "memory": "4GB"},
    "taskmanager_resource_spec": {"cpu": 2.0, "memory": "8192MB"},
}


def test_a_v2_job_runs_by_its_resource_config_and_holds_what_it_occupies(
    make_emulator, job_body, wait_status
) -> None:
    """API reference dli_02_0231: v2 sizes the job by resource_config (reported back as sent). It
    holds 1 + 2 x 2 = 5 CUs at "1 CU = 1 core and 4 GB" (checks.job_cus): a 4-CU queue cannot
    start it, whatever its cu_number says."""
    api = api_for(make_emulator(queues={"default": 5, "small": 4}))
    v2 = {"resource_config_version": "v2", "resource_config": V2_CONFIG, "flink_version": "1.17"}
    job_id = api.create_sql_job(job_body(**v2))
    api.run_jobs([job_id])
    job = wait_status(api, job_id, "job_running", "job_submit_fail")
    assert job["status"] == "job_running"
    assert job["job_config"]["resource_config"] == V2_CONFIG
    assert job["job_config"]["real_cu_number"] == 5
    small = api.create_sql_job(job_body(queue_name="small", **v2))
    api.run_jobs([small])
    failed = wait_status(api, small, "job_running", "job_submit_fail")
    assert "the job needs 5" in failed["status_desc"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"flink_version": "1.17"}, "takes resource_config_version v2, not v1"),
        (
            {"flink_version": "1.12", "resource_config_version": "v2"},
            "takes resource_config_version v1, not v2",
        ),
        ({"resource_config_version": "v3"}, "must be v1 or v2"),
        (
            {
                "resource_config_version": "v2",
                "resource_config": {"taskmanager_resource_spec": {"cpu": 0.25}},
            },
            "cpu must be at least 0.5",
        ),
        (
            {
                "resource_config_version": "v2",
                "resource_config": {"jobmanager_resource_spec": {"memory": "1024MB"}},
            },
            "memory must be at least 2 GB",
        ),
        (
            {"resource_config_version": "v2", "resource_config": {"max_slot": 0}},
            "max_slot must be at least 1",
        ),
    ],
    ids=["1.17-v1", "1.12-v2", "v3", "cpu", "memory", "slots"],
)
def test_resource_configs_the_api_reference_rules_out_are_refused(
    dli_api, job_body, change, why
) -> None:
    """SDK models and API reference dli_02_0231: the versions each template takes, and the v2
    minimums (0.5 cores, 2 GB, one slot)."""
    with pytest.raises(DliError) as error:
        dli_api.create_sql_job(job_body(**change))
    assert (error.value.code, why in error.value.message) == ("DLI.0001", True)


def test_dli_package_names_are_taken_below_the_versions_that_dropped_them(
    dli_api, job_body, wait_status
) -> None:
    """SDK models: Jar packages "no longer supported" above Flink 1.15, UDF packages from 1.15."""
    packaged = {"entrypoint": "my_group/app.jar", "dependency_jars": ["my_group/lib.jar"]}
    dli_api.authorize_buckets(["bucket"])
    job_id = dli_api.create_jar_job(jar_body("packaged", flink_version="1.13", **packaged))
    dli_api.run_jobs([job_id])
    assert wait_status(dli_api, job_id, "job_running", "job_submit_fail")["status"] == (
        "job_running"
    )
    assert dli_api.create_jar_job(jar_body("packaged-1-15", **packaged))
    for refused in (
        lambda: dli_api.create_jar_job(
            jar_body(
                "packaged-1-17", flink_version="1.17", resource_config_version="v2", **packaged
            )
        ),
        lambda: dli_api.create_sql_job(job_body(udf_jar_url="my_group/udf.jar")),
    ):
        with pytest.raises(DliError) as error:
            refused()
        assert (error.value.code, "takes no DLI package" in error.value.message) == (
            "DLI.0001",
            True,
        )
    assert dli_api.create_sql_job(job_body(udf_jar_url="my_group/udf.jar", flink_version="1.13"))


def readme_jobs() -> list[tuple[dict[str, Any], Path]]:
    """The job documents of the README's YAML blocks (those with a kind)."""
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    found = []
    for block in blocks:
        for document in yaml.safe_load_all(block):
            if isinstance(document, dict) and document.get("kind") in (
                "FlinkSqlJob",
                "FlinkJarJob",
            ):
                found.append((document, REPO))
    return found


def example_jobs() -> list[tuple[dict[str, Any], Path]]:
    found = []
    for path in sorted((REPO / "examples/jobs").glob("*.yaml")):
        found += [(doc, path.parent) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


@pytest.mark.parametrize("source", [readme_jobs, example_jobs], ids=["README", "examples"])
def test_the_readme_and_example_jobs_pass_dli_s_checks_and_run(
    make_emulator, wait_status, source
) -> None:
    """Each job's create body, as dli-flink sends it, is accepted, and the job starts: every
    constraint the emulator models (run mode, agency, scaling, bucket names, ranges) holds."""
    jobs = source()
    assert jobs
    api = api_for(make_emulator(queues={doc["queue"]: 400 for doc, _ in jobs}))
    for document, base in jobs:
        spec = JobSpec.from_document(document, base)
        create = api.create_sql_job if spec.is_sql else api.create_jar_job
        if spec.obs_bucket:  # as the provider does before a create (DLI.11016 otherwise)
            api.authorize_buckets([spec.obs_bucket])
        job_id = create(spec.to_dli_body())
        api.run_jobs([job_id])
        job = wait_status(api, job_id, "job_running", "job_submit_fail")
        assert job["status"] == "job_running", (document["name"], job["status_desc"])


def test_a_jar_job_with_an_unauthorised_bucket_is_refused_with_dli_11016(dli_api) -> None:
    """API reference, Creating a Flink Jar Job: DLI.11016, the obs_bucket is not authorised to
    DLI. Once register_bucket authorised it, the same create is accepted."""
    with pytest.raises(DliError) as error:
        dli_api.create_jar_job(jar_body("jar-unauthorised"))
    assert (error.value.status, error.value.code) == (400, "DLI.11016")
    assert "not authorized" in error.value.message
    assert dli_api.list_jobs(name="jar-unauthorised") == []
    dli_api.authorize_buckets(["bucket"])
    assert dli_api.create_jar_job(jar_body("jar-unauthorised"))
