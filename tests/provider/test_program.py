"""The example program (examples/pulumi) under `pulumi.runtime.set_mocks`: what it declares.

set_mocks replaces the engine (no provider method runs): this checks the program's wiring, that
every job document becomes a resource of the right type named by the job, that SQL files are read
relative to their YAML, and that the provider pickles by reference with no settings in it.
"""

from __future__ import annotations

import base64
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
from dli_flink.deploy.provider import JobProvider

from tests.provider.conftest import stack_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: dict[str, Any] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.resources[args.name] = args
        return f"{args.name}-id", {**args.inputs, "jobId": 10001, "status": "job_running"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return {}


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="dli-flink-jobs", stack="test", preview=False)
    monkeypatch.chdir(EXAMPLES / "pulumi")

    @pulumi.runtime.test
    def run() -> Any:
        globals_ = runpy.run_path(str(EXAMPLES / "pulumi" / "__main__.py"))
        jobs = globals_["jobs"]
        return pulumi.Output.all(*(job.status for job in jobs.values()))

    run()
    return recorder


def test_every_job_document_becomes_a_resource_named_by_the_job(recorded: Recorder) -> None:
    types = {name: args.typ for name, args in recorded.resources.items()}
    assert types == {
        "orders-enrich": "pulumi-python:dynamic/dli:FlinkSqlJob",
        "clickstream-sessions": "pulumi-python:dynamic/dli:FlinkJarJob",
        "heartbeat-monitor": "pulumi-python:dynamic/dli:FlinkSqlJob",
    }


def test_sql_files_are_read_relative_to_their_yaml(recorded: Recorder) -> None:
    inputs = recorded.resources["orders-enrich"].inputs
    sql = (EXAMPLES / "jobs" / "sql" / "orders-enrich.sql").read_text(encoding="utf-8")
    assert inputs["sql"] == sql
    assert "sqlFile" not in inputs
    assert inputs["scaling"]["cuMax"] == 16


def test_the_provider_is_pickled_by_reference_with_nothing_in_it(recorded: Recorder) -> None:
    blob = recorded.resources["orders-enrich"].inputs["__provider"]
    raw = base64.b64decode(blob)
    assert b"dli_flink.deploy.provider" in raw
    assert len(raw) < 200, "the provider must be pickled by reference, not by value"
    provider = dill.loads(raw)
    assert isinstance(provider, JobProvider)
    assert provider._settings == {}


@pytest.mark.skipif(shutil.which("pulumi") is None, reason="no pulumi CLI on PATH")
def test_end_to_end_with_the_pulumi_cli(tmp_path: Path, emulator: Any, dli_api: Any) -> None:
    """`pulumi up` and `pulumi destroy` with a local file backend against the emulator."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        f"name: e2e\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n",
        encoding="utf-8",
    )
    (project / "__main__.py").write_text(
        "from dli_flink import FlinkSqlJob\n"
        "FlinkSqlJob('e2e-job', {'name': 'e2e-job', 'queue': 'default', 'flinkVersion': '1.15',"
        " 'sql': 'INSERT INTO sink SELECT * FROM source', 'obsBucket': 'bucket',"
        " 'checkpoint': {'enabled': True}})\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "test",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    (tmp_path / "state").mkdir()

    def pulumi_cli(*args: str) -> str:
        done = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    pulumi_cli("stack", "init", "test")
    for key, value in stack_config(emulator).items():
        secret = ["--secret"] if key.endswith(("accessKey", "secretKey")) else []
        pulumi_cli("config", "set", *secret, key, value)
    out = pulumi_cli("up", "--yes")
    assert emulator.secret_key not in out
    (job,) = dli_api.list_jobs(name="e2e-job")
    assert job["status"] == "job_running"
    pulumi_cli("destroy", "--yes")
    assert dli_api.list_jobs(name="e2e-job") == []


def test_typed_args_declare_the_same_inputs_as_a_document() -> None:
    from dli_flink import FlinkSqlJob
    from dli_flink.deploy.args import FlinkSqlJobArgs, ScalingArgs

    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="dli-flink-jobs", stack="test", preview=False)

    @pulumi.runtime.test
    def run() -> Any:
        args = FlinkSqlJobArgs(
            name="typed",
            queue="q",
            flink_version="1.15",
            sql="INSERT INTO a SELECT * FROM b",
            scaling=ScalingArgs(enabled=True, cu_max=8),
        )
        return FlinkSqlJob("typed", args).status

    run()
    inputs = dict(recorder.resources["typed"].inputs)
    inputs.pop("__provider")
    assert inputs == {
        "kind": "FlinkSqlJob",
        "name": "typed",
        "queue": "q",
        "flinkVersion": "1.15",
        "sql": "INSERT INTO a SELECT * FROM b",
        "scaling": {"enabled": True, "cuMax": 8},
        # The owner mark of this project, stack and resource (ownership.resource_mark).
        "ownerMark": "dli-flink-jobs:test:typed",
    }
