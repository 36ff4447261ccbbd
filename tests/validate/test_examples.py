"""The integration files a team copies (CI workflow, pre-commit) stay valid and use our real hooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def test_deploy_workflow_is_a_valid_github_workflow() -> None:
    workflow = REPO / "examples/.github/workflows/flink-jobs.yml"
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    steps = yaml.safe_load(workflow.read_text())["jobs"]["check"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "dli-flink validate --format github" in commands
    assert "dli-flink review" in commands


def test_pre_commit_example_uses_the_hook_this_repository_declares() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    used = yaml.safe_load((REPO / "examples/.pre-commit-config.yaml").read_text())
    declared = {hook["id"]: hook for hook in hooks}
    [repo] = used["repos"]
    assert [hook["id"] for hook in repo["hooks"]] == ["dli-flink-validate"]
    assert declared["dli-flink-validate"]["entry"] == "dli-flink validate"
