"""load_jobs deploys the files `dli-flink validate` and `dli-flink review` check, and no others."""

from __future__ import annotations

from pathlib import Path

import pytest
from dli_flink import load_jobs
from dli_flink.model.files import collect_files
from dli_flink.rules import config as rules_config

from tests.engine import Engine
from tests.program import registrations

JOB = """kind: FlinkSqlJob
name: {name}
queue: default
flinkVersion: "1.15"
sql: INSERT INTO sink SELECT * FROM source
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Pulumi project whose .dli-flink.yaml excludes legacy jobs (the program runs in it)."""
    (tmp_path / ".dli-flink.yaml").write_text('exclude: ["jobs/legacy/**"]\n', encoding="utf-8")
    (tmp_path / "jobs" / "legacy").mkdir(parents=True)
    (tmp_path / "jobs" / "orders.yaml").write_text(JOB.format(name="orders"), encoding="utf-8")
    old = tmp_path / "jobs" / "legacy" / "old.yaml"
    old.write_text(JOB.format(name="old-orders"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_load_jobs_leaves_out_the_files_the_project_excludes(project: Path, stack: Engine) -> None:
    resources = registrations(lambda: load_jobs("jobs"))
    assert [r.name for r in resources] == ["orders"]
    assert [step.op for step in stack.preview(resources).values()] == ["create"]
    config = rules_config.resolve(None)
    validated = collect_files([Path("jobs")], config.exclude, config.root)
    assert validated == [Path("jobs/orders.yaml")]
