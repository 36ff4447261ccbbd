"""Which state each change starts a job from, and where DLI says a checkpoint cannot restore it
(FAQ dli_03_0136: not after the SQL statements, the Jar or the parallelism change)."""

from __future__ import annotations

import json

from tests.review.conftest import edit

CHECKPOINT = "obs://data-team-flink/jobs/checkpoint/10001/chk-42/"


def on_main(repo, message: str) -> None:
    """Commit the work tree's edits and merge them into main: the base review compares with."""
    repo("commit", "-qam", message)
    repo("checkout", "-q", "main")
    repo("merge", "-q", "feature")
    repo("checkout", "-q", "feature")


def _job(cli) -> dict:
    [job] = json.loads(cli("review", "--format", "json", "jobs").out)["jobs"]
    return job


def test_a_restart_starts_from_the_savepoint_its_stop_takes(cli, repo, tmp_path) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "cuMax: 16", "cuMax: 32")
    out = cli("review", "jobs").out
    assert "`jobs/orders-enrich.yaml`\nStarts from: the savepoint its stop takes.\n" in out
    job = _job(cli)
    assert (job["startsFrom"], job["restoreWarning"]) == ("the savepoint its stop takes", None)


def test_a_replacement_asking_for_the_previous_job_starts_from_its_final_savepoint(
    cli, repo, tmp_path
) -> None:
    edit(
        tmp_path / "jobs/orders-enrich.yaml",
        "sqlFile:",
        "jobType: flink_sql_job\nrestore: previous-job\nsqlFile:",
    )
    out = cli("review", "jobs").out
    started = "the replaced job's final savepoint (restore: previous-job)"
    assert f"### `orders-enrich`: replaced: a new DLI job, starting from {started}" in out
    assert _job(cli)["startsFrom"] == started


def test_a_replacement_from_a_checkpoint_directory_warns_it_may_not_restore(
    cli, repo, tmp_path
) -> None:
    edit(
        tmp_path / "jobs/orders-enrich.yaml",
        "sqlFile:",
        f"jobType: flink_sql_job\nrestore: {CHECKPOINT}\nsqlFile:",
    )
    job = _job(cli)
    assert job["startsFrom"] == f"the OBS directory restore names, {CHECKPOINT}"
    assert job["restoreWarning"] is None, "the job's code and parallelism did not change"
    edit(tmp_path / "jobs/orders-enrich.yaml", "parallelism: 8", "parallelism: 4")
    warning = _job(cli)["restoreWarning"]
    assert warning.startswith(
        f"`resources.parallelism` changed, and this start imports {CHECKPOINT}, a checkpoint's "
        "directory: DLI's FAQ dli_03_0136 says a job cannot be restored from a checkpoint"
    )
    assert f"- :warning: may not restore: {warning}" in cli("review", "jobs").out


def test_latest_checkpoint_with_an_sql_change_warns_and_names_rehearse(cli, repo, tmp_path) -> None:
    edit(tmp_path / "jobs/orders-enrich.yaml", "sqlFile:", "restore: latest-checkpoint\nsqlFile:")
    on_main(repo, "the policy is on main")
    assert _job_or_none(cli) is None
    edit(tmp_path / "jobs/orders-enrich.yaml", "smnTopic: data-team-alerts", "smnTopic: pager")
    assert _job(cli)["restoreWarning"] is None, "an in-place edit starts nothing"
    edit(tmp_path / "jobs/sql/orders-enrich.sql", "amount DECIMAL(12, 2)", "amount DECIMAL(14, 2)")
    job = _job(cli)
    assert job["startsFrom"] == "the savepoint its stop takes"
    assert job["restoreWarning"] == (
        "`sql` changed, and restore: latest-checkpoint starts the job from its latest checkpoint "
        "should it be found stopped or failed without a savepoint: DLI's FAQ dli_03_0136 says a "
        "job cannot be restored from a checkpoint after its SQL statements, Jar or parallelism "
        "change; this start is from the savepoint its stop takes, which `dli-flink rehearse` can "
        "prove restores"
    )


def _job_or_none(cli) -> dict | None:
    jobs = json.loads(cli("review", "--format", "json", "jobs").out)["jobs"]
    return jobs[0] if jobs else None


def test_previous_job_without_a_final_savepoint_warns_that_nothing_is_created(
    cli, repo, tmp_path
) -> None:
    """The old job has no obsBucket: its delete takes no final savepoint to start from."""
    jobs = tmp_path / "jobs"
    edit(jobs / "orders-enrich.yaml", "obsBucket: data-team-flink\n", "")
    on_main(repo, "no bucket on main")
    edit(
        jobs / "orders-enrich.yaml",
        "sqlFile:",
        "jobType: flink_sql_job\nrestore: previous-job\nsqlFile:",
    )
    job = _job(cli)
    assert job["startsFrom"].startswith("nothing: restore: previous-job, but the replaced job")
    assert job["restoreWarning"] == (
        "restore: previous-job, but the replaced job takes no final savepoint: `pulumi up` "
        "deletes it and creates nothing; set restore to a directory of its state, or none"
    )
