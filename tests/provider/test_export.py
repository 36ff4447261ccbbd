"""`dli-flink export` against the emulator: jobs deployed from the examples, exported, and deployed
again through the same reading of job files as `load_jobs`: the change planner finds nothing to
change (tags included, read with the tag API), and `pulumi up` stops or restarts nothing.

The provider runs in its own process and is driven over gRPC as the engine drives it
(tests/engine.py); export talks to the emulator through DliApi and the official SDK, with its
settings from the environment, as a user runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from dli_flink.cli import main
from dli_flink.cli.validate import validate
from dli_flink.deploy.provider import JobProvider
from dli_flink.deploy.resources import read_job_documents
from dli_flink.model.fields import ChangeClass
from dli_flink.model.planner import plan
from dli_flink.model.spec import JobSpec
from dli_flink.rules.config import Config

from tests.conftest import RunningEmulator, start_emulator
from tests.engine import Engine, ProviderHost, Resource, host_env, provider_blob
from tests.provider.conftest import JAR_TYPE, SQL_TYPE, stack_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def resources(folder: Path) -> list[Resource]:
    """The resources `load_jobs(folder)` declares: one per document, named by the job."""
    return [
        Resource(SQL_TYPE if data["kind"] == "FlinkSqlJob" else JAR_TYPE, name, data)
        for name, (data, _) in read_job_documents(folder).items()
    ]


class Deployed(NamedTuple):
    engine: Engine
    emulator: RunningEmulator


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    """The examples deployed once for the module, on an emulator with their queue, and export's
    settings set: every test here reads them, and the one that deploys again changes nothing."""
    emulator = start_emulator(tmp_path_factory.mktemp("emulator"), queues={"flink_q": 64})
    host = ProviderHost(tmp_path_factory.mktemp("project"), host_env(), stack_config(emulator))
    try:
        engine = Engine(host, provider_blob(JobProvider()))
        steps = engine.up(resources(EXAMPLES / "jobs"))
        assert {step.op for step in steps.values()} == {"create"}, steps
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setenv("DLI_FLINK_ENDPOINT", emulator.endpoint)
            monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emulator.project_id)
            monkeypatch.setenv("HUAWEICLOUD_SDK_AK", emulator.access_key)
            monkeypatch.setenv("HUAWEICLOUD_SDK_SK", emulator.secret_key)
            yield Deployed(engine, emulator)
    finally:
        host.close()
        emulator.server.close()


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["export", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("sql_files", [False, True], ids=["inline-sql", "sql-files"])
def test_exported_jobs_deploy_again_as_no_change(
    deployed: Deployed, tmp_path: Path, capsys: Any, sql_files: bool
) -> None:
    out = tmp_path / "exported"
    code, printed, err = export(
        capsys, "--all", "--out", str(out), *(["--sql-files"] if sql_files else [])
    )
    assert (code, err) == (0, ""), err
    assert printed.endswith("3 jobs exported\n")
    assert validate([out], Config()).findings == []
    assert (out / "orders-enrich.sql").exists() == sql_files
    original = {name: data for name, (data, _) in read_job_documents(EXAMPLES / "jobs").items()}
    exported = {name: data for name, (data, _) in read_job_documents(out).items()}
    assert original.keys() == exported.keys()
    for name, data in exported.items():
        assert data["adopt"] is True
        change = plan(JobSpec.from_document(original[name]), JobSpec.from_document(data))
        # Tags too, read with DLI's tag API: every field comes back.
        assert change.change_class == ChangeClass.NONE, change
    engine = Engine(deployed.engine.host, deployed.engine.blob)
    engine.state = dict(deployed.engine.state)  # the examples' deployment, whatever ran before
    state = {name: s.id for name, s in engine.state.items()}
    timelines = {name: deployed.emulator.admin.statuses(int(i)) for name, i in state.items()}
    steps = engine.up(resources(out))
    assert {step.op for step in steps.values()} <= {"same", "update"}, steps
    assert {name: s.id for name, s in engine.state.items()} == state
    after = {name: deployed.emulator.admin.statuses(int(i)) for name, i in state.items()}
    assert after == timelines, "a job was stopped or restarted"


def test_the_exported_file_says_where_it_came_from(
    deployed: Deployed, tmp_path: Path, capsys
) -> None:
    code, printed, _ = export(capsys, "--name", "heartbeat-monitor", "--out", str(tmp_path))
    assert code == 0
    text = (tmp_path / "heartbeat-monitor.yaml").read_text(encoding="utf-8")
    job_id = printed.split(": job ")[1].split(" ")[0]
    assert text.startswith(f"# Exported from DLI by dli-flink export: job {job_id}, 20")
    assert text.splitlines()[2:] == [
        "kind: FlinkSqlJob",
        "name: heartbeat-monitor",
        "queue: flink_q",
        'flinkVersion: "1.15"',
        "sql: |",
        "  CREATE TABLE beats (host STRING, ts TIMESTAMP(3)) WITH ('connector' = 'datagen');",
        "  CREATE TABLE out_beats (host STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');",
        "  INSERT INTO out_beats SELECT host, ts FROM beats;",
        "checkpoint:",
        "  enabled: true",
        "agency: dli_flink_agency",
        "adopt: true",
    ]
    again = export(capsys, "--name", "heartbeat-monitor", "--out", str(tmp_path))
    assert again[0] == 1 and "heartbeat-monitor.yaml: already exists" in again[2]


def test_the_secret_key_is_never_printed_or_written(
    deployed: Deployed, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "test-secret-key-do-not-log"
    code, printed, err = export(capsys, "--all", "--out", str(tmp_path / "out"))
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    assert code == 0 and secret not in printed + err + written
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "a-wrong-secret-key")
    code, printed, err = export(capsys, "--all", "--out", str(tmp_path / "wrong"))
    assert code == 1 and "APIGW.0301" in err and "a-wrong-secret-key" not in printed + err
    monkeypatch.delenv("HUAWEICLOUD_SDK_SK")
    code, _, err = export(capsys, "--all")
    assert (code, err) == (
        2,
        "dli-flink: DLI secret_key is not set: pass secret_key or set HUAWEICLOUD_SDK_SK\n",
    )


def test_a_job_that_is_not_there_is_named(deployed: Deployed, tmp_path: Path, capsys) -> None:
    code, _, err = export(capsys, "--name", "nope", "--out", str(tmp_path))
    assert code == 1
    assert err == "dli-flink: no DLI job named 'nope' in this project\n"
