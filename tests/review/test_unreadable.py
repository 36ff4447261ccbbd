"""A job file that cannot be read: its jobs are neither deleted nor created, and the reason is news.

`load_jobs` stops the Pulumi program on such a file, so nothing in it is deployed or removed: the
change that breaks a file introduces an error, and the change that fixes it compares its jobs with
nothing known.
"""

from __future__ import annotations

import json

from tests.review.conftest import edit

JOB = "jobs/orders-enrich.yaml"


def test_a_job_file_that_stops_parsing_is_a_new_error_not_a_deletion(cli, repo, tmp_path) -> None:
    edit(tmp_path / JOB, "cuMax: 16", "cuMax: [16")
    run = cli("review", "jobs")
    assert run.code == 1
    assert "deleted" not in run.out
    assert run.out.splitlines()[0].endswith(": 1 file cannot be read, **1 new error**.")
    assert "### `jobs/orders-enrich.yaml`: cannot be read: `pulumi up` stops on it" in run.out
    assert "- :warning: new error `yaml-syntax` at line 30: YAML syntax:" in run.out
    assert "Not compared: `orders-enrich`, its job at the base." in run.out
    data = json.loads(cli("review", "--format", "json", "jobs").out)
    assert data["jobs"] == []
    [entry] = data["unreadable"]
    assert (entry["file"], entry["jobsAtBase"]) == (JOB, ["orders-enrich"])
    assert [f["rule"] for f in entry["findings"]] == ["yaml-syntax"]
    assert data["summary"]["errors"] == 1


def test_a_document_that_is_no_longer_a_job_is_a_new_error(cli, repo, tmp_path) -> None:
    edit(tmp_path / JOB, "kind: FlinkSqlJob", "kind: FlinkSqlJb")
    run = cli("review", "jobs")
    assert run.code == 1
    assert "deleted" not in run.out
    assert "### `jobs/orders-enrich.yaml`: cannot be read" in run.out
    assert "new error `schema` at line 3:" in run.out


def test_a_new_file_that_is_not_utf_8_is_a_new_error_beside_the_other_changes(
    cli, repo, tmp_path
) -> None:
    (tmp_path / "jobs/broken.yaml").write_bytes(b"kind: \xff\xfe\n")
    edit(tmp_path / JOB, "cuMax: 16", "cuMax: 32")
    run = cli("review", "jobs")
    assert (run.code, run.err) == (1, "")
    assert "new error `yaml-syntax` at line 1: invalid UTF-8 (byte 0xff)" in run.out
    assert "### `orders-enrich`: restart with savepoint" in run.out


def test_fixing_a_file_is_not_a_creation(cli, repo, tmp_path) -> None:
    edit(tmp_path / JOB, "cuMax: 16", "cuMax: [16")
    repo("commit", "-qam", "broken")
    edit(tmp_path / JOB, "cuMax: [16", "cuMax: 16")
    run = cli("review", "--base", "HEAD", "jobs")
    assert (run.code, run.err) == (0, "")
    assert "created" not in run.out
    assert (
        "### `orders-enrich`: compared with nothing: its file could not be read at the base"
        in run.out
    )
    [job] = json.loads(cli("review", "--base", "HEAD", "--format", "json", "jobs").out)["jobs"]
    assert (job["name"], job["status"]) == ("orders-enrich", "readable again")


def test_a_file_broken_at_the_base_already_is_not_news(cli, repo, tmp_path) -> None:
    edit(tmp_path / JOB, "cuMax: 16", "cuMax: [16")
    repo("commit", "-qam", "broken")
    edit(tmp_path / JOB, "smnTopic: data-team-alerts", "smnTopic: pager")
    run = cli("review", "--base", "HEAD", "jobs")
    assert (run.code, run.out.count("\n")) == (0, 1)
    assert run.out.endswith(": no job changes.\n")


def test_a_file_that_cannot_be_opened_is_a_one_line_error(cli, repo, tmp_path, monkeypatch) -> None:
    """Not a change to report: the run cannot see the file (tests run as root, who reads any
    file, so the permission error is made here)."""
    from dli_flink.cli import sides

    def denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sides, "read_text", denied)
    run = cli("review", "jobs")
    assert (run.code, run.out) == (2, "")
    assert (
        run.err == "dli-flink: jobs/clickstream-sessions.yaml: cannot be read: Permission denied\n"
    )
