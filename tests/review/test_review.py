"""`dli-flink review`: what a change to job documents does, as a reviewer reads it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.review.conftest import edit

SNAPSHOTS = Path(__file__).parent / "snapshots"


def test_no_change_is_one_short_line(cli, repo) -> None:
    run = cli("review", "jobs")
    assert run.code == 0
    assert run.out.endswith(": no job changes.\n")
    assert run.out.count("\n") == 1


def test_scaling_change_is_a_restart_with_its_envelope(cli, repo, tmp_path, snapshot) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "cuMax: 16", "cuMax: 32")
    edit(tmp_path / "jobs/orders-enrich.yaml", "smnTopic: data-team-alerts", "smnTopic: pager")
    run = cli("review", "jobs")
    assert run.code == 0
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(run.out, "restart.md")
    data = json.loads(cli("review", "--format", "json", "jobs").out)
    [job] = data["jobs"]
    assert (job["name"], job["status"], job["class"]) == (
        "orders-enrich",
        "changed",
        "restart with savepoint",
    )
    assert [(f["field"], f["old"], f["new"], f["class"]) for f in job["fields"]] == [
        ("scaling.cuMax", 16, 32, "restart with savepoint"),
        ("smnTopic", "data-team-alerts", "pager", "in place"),
    ]
    assert job["envelope"]["before"]["cuMax"] == 16 and job["envelope"]["after"]["cuMax"] == 32
    assert job["envelope"]["after"]["maxRestartsADay"] == 48
    assert job["restartSeconds"] == 60


def test_in_place_change_needs_no_restart(cli, repo, tmp_path) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "smnTopic: data-team-alerts", "smnTopic: pager")
    out = cli("review", "jobs").out
    assert "### `orders-enrich`: updated in place: no restart" in out
    assert "restart" not in out.split("\n", 1)[0]


def test_a_tag_change_is_in_place(cli, repo, tmp_path) -> None:
    """DLI's tag API sets tags on the running job: no restart, no new job."""
    edit(tmp_path / "jobs/orders-enrich.yaml", "team: data", "team: payments")
    out = cli("review", "jobs").out
    assert "### `orders-enrich`: updated in place: no restart" in out
    data = json.loads(cli("review", "--format", "json", "jobs").out)
    [job] = data["jobs"]
    assert [(f["field"], f["class"]) for f in job["fields"]] == [("tags.team", "in place")]


def test_riskiest_first_and_only_new_findings(cli, repo, tmp_path, snapshot) -> None:
    """A replace (state lost) and a new error lead; a warning that was already there is not news."""
    jobs = tmp_path / "jobs"
    edit(jobs / "orders-enrich.yaml", "intervalMinutes: 30", "intervalMinutes: 5")
    repo("commit", "-qam", "a warning that is already on main")
    repo("checkout", "-q", "main")
    repo("merge", "-q", "feature")
    repo("checkout", "-q", "feature")
    edit(jobs / "orders-enrich.yaml", "cuMax: 16", "cuMax: 4")
    edit(jobs / "clickstream-sessions.yaml", "sql: |", "jobType: flink_sql_job\nsql: |")
    (jobs / "new-job.yaml").write_text(
        'kind: FlinkSqlJob\nname: new-job\nqueue: flink_q\nflinkVersion: "1.15"\nsql: SELECT 1\n'
    )
    run = cli("review", "jobs")
    assert run.code == 1
    headings = [line for line in run.out.splitlines() if line.startswith("### ")]
    assert headings == [
        "### `orders-enrich`: restart with savepoint: about 60 s offline",
        "### `heartbeat-monitor`: replaced: a new DLI job, the state is LOST",
        "### `new-job`: created: a new job, starting with empty state",
    ]
    assert "new error `scaling-cu-max-below-cu` at line 29" in run.out
    assert "scaling-interval" not in run.out
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(run.out, "risky.md")


def test_deleted_job_is_reported_as_state_removed(cli, repo, tmp_path) -> None:
    (tmp_path / "jobs/orders-enrich.yaml").unlink()
    out = cli("review", "jobs").out
    assert "### `orders-enrich`: deleted: the DLI job and its state are removed" in out


def test_restart_estimate_comes_from_config(cli, repo, tmp_path, write) -> None:
    write(
        ".dli-flink.yaml",
        "review:\n  restart-seconds: 90\n  jobs:\n    orders-enrich: {restart-seconds: 300}\n",
    )
    edit(tmp_path / "jobs/orders-enrich.yaml", "cuMax: 16", "cuMax: 32")
    edit(tmp_path / "jobs/clickstream-sessions.yaml", "cuMax: 12", "cuMax: 10")
    out = cli("review", "jobs").out
    assert "### `orders-enrich`: restart with savepoint: about 300 s offline" in out
    assert "### `clickstream-sessions`: restart with savepoint: about 90 s offline" in out


def test_default_base_is_the_merge_base_with_main(cli, repo, tmp_path) -> None:
    """Commits on the branch count, and so do changes not committed yet."""
    edit(tmp_path / "jobs/orders-enrich.yaml", "cuMax: 16", "cuMax: 32")
    repo("commit", "-qam", "raise the ceiling")
    edit(tmp_path / "jobs/clickstream-sessions.yaml", "cuMax: 12", "cuMax: 10")
    data = json.loads(cli("review", "--format", "json", "jobs").out)
    assert data["base"] == repo("rev-parse", "main").strip()
    assert sorted(job["name"] for job in data["jobs"]) == ["clickstream-sessions", "orders-enrich"]
    assert cli("review", "--base", "HEAD", "jobs").out.count("### ") == 1


def test_git_problems_are_usage_errors(cli, repo) -> None:
    run = cli("review", "--base", "no-such-branch", "jobs")
    assert (run.code, run.out) == (2, "")
    assert (
        run.err
        == "dli-flink: unknown revision 'no-such-branch': give --base a commit, branch or tag\n"
    )


def test_outside_git_is_a_usage_error(cli, write) -> None:
    write("jobs/a.yaml", "kind: FlinkSqlJob\n")
    run = cli("review", "jobs")
    assert run.code == 2
    assert "is not in a git repository" in run.err


def test_a_cross_job_finding_already_there_is_not_news(cli, repo, tmp_path, write) -> None:
    """queue-capacity warned at the base already: changing the job does not report it again."""
    write(".dli-flink.yaml", "queues:\n  flink_q: {cu: 10}\n")
    edit(tmp_path / "jobs/orders-enrich.yaml", "smnTopic: data-team-alerts", "smnTopic: pager")
    run = cli("review", "jobs")
    assert (run.code, run.err) == (0, "")
    assert "### `orders-enrich`: updated in place: no restart" in run.out
    assert "queue-capacity" not in run.out
    edit(tmp_path / "jobs/orders-enrich.yaml", "cuMax: 16", "cuMax: 20")
    assert "new warning `queue-capacity`" in cli("review", "jobs").out
