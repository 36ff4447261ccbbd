"""The integration files a team copies (CI workflow, pre-commit) stay valid and use our real hooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from dli_flink import __version__

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


def test_deploy_workflow_gets_the_policy_pack_from_the_dli_flink_release_it_installs() -> None:
    """`policyPacks: policies` named a folder of this repository, which a team's jobs repository
    does not have: each job checks the pack out of dli-flink at the tag of the release pip
    installs, next to the team's own checkout, and points Pulumi there."""
    workflow = yaml.safe_load((REPO / "examples/.github/workflows/flink-jobs.yml").read_text())
    release = workflow["env"]["DLI_FLINK"]
    assert release == __version__
    for name, job in workflow["jobs"].items():
        steps = job["steps"]
        installs = [step["run"] for step in steps if "pip install" in step.get("run", "")]
        assert installs and all("==${{ env.DLI_FLINK }}" in run for run in installs), name
        packs = [
            step["with"]["policyPacks"] for step in steps if "policyPacks" in step.get("with", {})
        ]
        runs_pulumi = any(step.get("uses", "").startswith("pulumi/actions@") for step in steps)
        assert bool(packs) == runs_pulumi, name
        checkouts = {
            step["with"]["path"]: step["with"]
            for step in steps
            if step.get("uses", "").startswith("actions/checkout@")
            and "path" in step.get("with", {})
        }
        for pack in packs:
            folder, _, rest = pack.partition("/")
            assert rest == "policies" and folder in checkouts, (name, pack)
            assert checkouts[folder]["ref"] == "v${{ env.DLI_FLINK }}", name
            assert checkouts[folder]["repository"].endswith("/dli-flink"), name
