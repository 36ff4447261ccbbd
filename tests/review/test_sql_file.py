"""A job's SQL is part of the job wherever it is written: inline, or in its sqlFile at each revision."""

from __future__ import annotations

import json

from tests.review.conftest import edit

JOB = "jobs/orders-enrich.yaml"
SQL = "jobs/sql/orders-enrich.sql"


def _fields(cli) -> list[tuple[str, str, str]]:
    data = json.loads(cli("review", "--format", "json", "jobs").out)
    return [(job["name"], job["status"], job["class"]) for job in data["jobs"]]


def test_editing_the_sql_file_alone_restarts_its_job(cli, repo, tmp_path) -> None:
    edit(tmp_path / SQL, "o.amount, o.order_time", "o.amount * 2, o.order_time")
    run = cli("review", "jobs")
    assert (run.code, run.err) == (0, "")
    assert "### `orders-enrich`: restart with savepoint: about 60 s offline" in run.out
    [row] = [line for line in run.out.splitlines() if line.startswith("| `sql`")]
    assert "amount * 2" in row and row.endswith("| restart with savepoint |")


def test_a_sql_file_beside_the_jobs_folder_is_compared_too(cli, repo, tmp_path) -> None:
    """The SQL may live outside the folder reviewed: its job still changes with it."""
    (tmp_path / "sql").mkdir()
    (tmp_path / SQL).rename(tmp_path / "sql/orders-enrich.sql")
    edit(tmp_path / JOB, "sqlFile: sql/", "sqlFile: ../sql/")
    repo("add", "-A")
    repo("commit", "-qm", "SQL in its own folder")
    edit(tmp_path / "sql/orders-enrich.sql", "o.amount,", "o.amount * 2,")
    run = cli("review", "--base", "HEAD", "jobs")
    assert run.code == 0
    assert "### `orders-enrich`: restart with savepoint" in run.out


def test_a_new_job_with_a_sql_file_is_created_without_errors(cli, repo, tmp_path) -> None:
    text = (tmp_path / JOB).read_text().replace("name: orders-enrich", "name: orders-audit")
    (tmp_path / "jobs/orders-audit.yaml").write_text(text.replace("orders-enrich.sql", "audit.sql"))
    (tmp_path / "jobs/sql/audit.sql").write_text((tmp_path / SQL).read_text())
    run = cli("review", "jobs")
    assert (run.code, run.err) == (0, "")
    assert "### `orders-audit`: created: a new job, starting with empty state" in run.out
    assert "sql-file" not in run.out


def test_pointing_sql_file_at_another_file_compares_their_sql(cli, repo, tmp_path) -> None:
    (tmp_path / "jobs/sql/v2.sql").write_text((tmp_path / SQL).read_text())
    edit(tmp_path / JOB, "sql/orders-enrich.sql", "sql/v2.sql")
    assert cli("review", "jobs").out.endswith(": no job changes.\n")
    edit(tmp_path / "jobs/sql/v2.sql", "o.amount,", "o.amount * 2,")
    run = cli("review", "jobs")
    assert run.code == 0
    assert _fields(cli) == [("orders-enrich", "changed", "restart with savepoint")]


def test_a_sql_file_that_goes_missing_is_a_new_error(cli, repo, tmp_path) -> None:
    (tmp_path / SQL).unlink()
    run = cli("review", "jobs")
    assert run.code == 1
    assert "new error `sql-file` at line 9: cannot read sqlFile" in run.out
