"""Which files review compares: any file name git can hold, and nothing it cannot version."""

from __future__ import annotations

import json

from tests.review.conftest import edit

BEATS = (
    'kind: FlinkSqlJob\nname: {name}\nqueue: flink_q\nflinkVersion: "1.15"\n'
    "sql: INSERT INTO out_beats SELECT host, ts FROM beats\n"
)


def test_a_deleted_file_with_a_non_ascii_name_is_a_deleted_job(cli, repo, tmp_path) -> None:
    """git quotes such names (core.quotePath) unless asked for -z output."""
    path = tmp_path / "jobs/bestellungen-über.yaml"
    path.write_text(BEATS.format(name="bestellungen"))
    repo("add", "-A")
    repo("commit", "-qm", "a job in a file named in German")
    path.unlink()
    run = cli("review", "--base", "HEAD", "jobs")
    assert run.code == 0
    assert "### `bestellungen`: deleted: the DLI job and its state are removed" in run.out
    assert "`jobs/bestellungen-über.yaml`" in run.out


def test_a_file_name_with_a_newline_and_glob_characters_is_compared(cli, repo, tmp_path) -> None:
    """Names are read NUL-separated and passed to git as literal paths, not patterns."""
    folder = tmp_path / "jobs/team[1]"
    folder.mkdir()
    path = folder / "odd\nname.yaml"
    path.write_text(BEATS.format(name="odd-name"))
    repo("add", "-A")
    repo("commit", "-qm", "an odd file name")
    edit(path, "flinkVersion", "resources: {cu: 4}\nflinkVersion")
    run = cli("review", "--base", "HEAD", "--format", "json", "jobs/team[1]")
    assert run.code == 0, run.err
    [job] = json.loads(run.out)["jobs"]
    assert (job["name"], job["file"]) == ("odd-name", "jobs/team[1]/odd\nname.yaml")
    assert job["class"] == "restart with savepoint"
