"""JobSpec: from a document (YAML or Pulumi inputs) to the DLI request body, the one conversion."""

from __future__ import annotations

import json
import pickle

import pytest
from dli_flink.model.spec import UNKNOWN, JobSpec, Unknown

SQL_DOC = {
    "kind": "FlinkSqlJob",
    "name": "orders-enrich",
    "description": "enrich",
    "queue": "flink_q",
    "flinkVersion": "1.15",
    "sql": "INSERT INTO x SELECT 1",
    "resources": {"cu": 8, "managerCu": 1, "parallelism": 8},
    "checkpoint": {"enabled": True, "intervalSeconds": 60, "mode": "at_least_once"},
    "obsBucket": "bucket",
    "logEnabled": True,
    "restartOnException": True,
    "resumeMaxTimes": -1,
    "idleStateRetentionSeconds": 3600,
    "scaling": {"enabled": True, "intervalMinutes": 30, "cuMin": 4, "cuMax": 16},
    "runtimeConfig": {"table.exec.state.ttl": "1h", "parallelism.default": 4},
    "tags": {"team": "data"},
}


def test_sql_document_becomes_the_dli_create_body() -> None:
    body = JobSpec.from_document(SQL_DOC).to_dli_body()
    runtime = json.loads(body.pop("runtime_config"))
    assert body == {
        "name": "orders-enrich",
        "desc": "enrich",
        "queue_name": "flink_q",
        "sql_body": "INSERT INTO x SELECT 1",
        "cu_number": 8,
        "manager_cu_number": 1,
        "parallel_number": 8,
        "checkpoint_enabled": True,
        "checkpoint_mode": 2,
        "checkpoint_interval": 60,
        "obs_bucket": "bucket",
        "log_enabled": True,
        "restart_when_exception": True,
        "resume_max_num": -1,
        "idle_state_retention": 3600,
        "flink_version": "1.15",
        "job_type": "flink_opensource_sql_job",
        "run_mode": "exclusive_cluster",
        "tags": [{"key": "team", "value": "data"}],
    }
    assert runtime == [
        {"key": "table.exec.state.ttl", "value": "1h"},
        {"key": "parallelism.default", "value": "4"},
        {"key": "flink.dli.job.scale.enable", "value": "true"},
        {"key": "flink.dli.job.scale.interval", "value": "30"},
        {"key": "flink.dli.job.cu.min", "value": "4"},
        {"key": "flink.dli.job.cu.max", "value": "16"},
    ]


def test_update_body_leaves_out_create_only_fields() -> None:
    body = JobSpec.from_document(SQL_DOC).to_dli_body(for_update=True)
    assert "tags" not in body and "job_type" not in body
    assert body["run_mode"] == "exclusive_cluster"


def test_jar_document_becomes_the_dli_jar_body() -> None:
    doc = {
        "kind": "FlinkJarJob",
        "name": "sessions",
        "queue": "flink_q",
        "flinkVersion": "1.15",
        "jar": {
            "entrypoint": "obs://b/app.jar",
            "mainClass": "com.example.Main",
            "args": ["--window", "60"],
            "dependencyJars": ["obs://b/lib.jar"],
        },
        "checkpoint": {"enabled": True, "path": "obs://b/ckpt/"},
    }
    spec = JobSpec.from_document(doc)
    create, update = spec.to_dli_body(), spec.to_dli_body(for_update=True)
    assert create["entrypoint_args"] == "--window 60"
    assert create["dependency_jars"] == ["obs://b/lib.jar"]
    assert create["checkpoint_path"] == "obs://b/ckpt/"
    # job_type: a Jar create has none, and an update never sends it (Terraform's Jar resource
    # does not: it cannot change).
    assert "job_type" not in create and "job_type" not in update
    assert "sql_body" not in create


def test_pulumi_floats_are_whole_numbers_again() -> None:
    """Pulumi sends 8 as 8.0: DLI must still receive 8, and rules compare integers."""
    doc = {**SQL_DOC, "resources": {"cu": 8.0, "parallelism": 8.0}, "scaling": {"cuMax": 16.0}}
    spec = JobSpec.from_document(doc)
    assert spec.resources.cu == 8 and isinstance(spec.resources.cu, int)
    assert {"key": "flink.dli.job.cu.max", "value": "16"} in spec.effective_runtime_config()


def test_scaling_settings_fall_back_to_runtime_keys_then_dli_defaults() -> None:
    doc = {**SQL_DOC, "scaling": {"enabled": True}, "runtimeConfig": {"flink.dli.job.cu.min": "3"}}
    spec = JobSpec.from_document(doc)
    assert spec.setting("cuMin").value == 3
    assert spec.setting("cuMin").path == ("runtimeConfig", "flink.dli.job.cu.min")
    assert (spec.setting("cuMax").value, spec.setting("cuMax").explicit) == (8, False)
    assert spec.setting("intervalMinutes").value == 30


def test_unknown_values_stop_conversion_but_not_checks() -> None:
    """During preview some inputs are not known: rules skip them, DLI is never called."""
    spec = JobSpec.from_document({**SQL_DOC, "resources": {"cu": UNKNOWN}})
    assert isinstance(spec.resources.cu, Unknown)
    with pytest.raises(ValueError, match="not known yet"):
        spec.to_dli_body()


def test_spec_pickles_with_unknown_values() -> None:
    """The Pulumi provider pickles what it holds; UNKNOWN must stay the one sentinel."""
    spec = JobSpec.from_document({**SQL_DOC, "queue": UNKNOWN})
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and copy.queue is UNKNOWN
