"""The CI workflow a team copies rehearses SQL changes on pull requests, with a JDK and the jar cache."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / "examples/.github/workflows/flink-jobs.yml"


def test_pull_requests_rehearse_restarts_of_sql_jobs() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["rehearse"]
    assert job["if"] == "github.event_name == 'pull_request'"
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert {"actions/setup-java", "actions/cache"} <= set(uses)
    [rehearse] = [step for step in job["steps"] if "dli-flink rehearse" in step.get("run", "")]
    assert "--base origin/${{ github.base_ref }}" in rehearse["run"]
    assert rehearse["shell"] == "bash"
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"] == {"fetch-depth": 0}, "the old versions come from the base branch"
