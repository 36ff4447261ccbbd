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


def test_a_path_outside_the_repository_is_a_one_line_error(cli, repo, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "beats.yaml").write_text(BEATS.format(name="beats"))
    run = cli("review", str(outside))
    assert (run.code, run.out) == (2, "")
    assert run.err.count("\n") == 1
    assert run.err.startswith(f"dli-flink: {outside}: outside the git repository ")
    assert run.err.endswith(": review compares versions of the files in it\n")


def test_a_symlink_out_of_the_repository_is_skipped_with_a_note(
    cli, repo, tmp_path, tmp_path_factory
) -> None:
    """git versions the link, not what it points to: there is no old version to compare with."""
    shared = tmp_path_factory.mktemp("shared") / "beats.yaml"
    shared.write_text(BEATS.format(name="beats"))
    (tmp_path / "jobs/beats.yaml").symlink_to(shared)
    run = cli("review", "jobs")
    assert (run.code, run.err) == (0, "")
    reason = (
        f"a symbolic link out of the repository (to {shared}): git does not version what it "
        "points to"
    )
    note = f"Not compared: `jobs/beats.yaml`, {reason}.\n"
    assert run.out.splitlines(keepends=True)[1:] == [note]
    edit(tmp_path / "jobs/orders-enrich.yaml", "cuMax: 16", "cuMax: 32")
    run = cli("review", "jobs")
    assert "### `orders-enrich`: restart with savepoint" in run.out
    assert run.out.endswith("\n\n" + note)
    data = json.loads(cli("review", "--format", "json", "jobs").out)
    assert data["skipped"] == [{"file": "jobs/beats.yaml", "reason": reason}]


def test_a_symlink_to_a_job_file_elsewhere_in_the_repository_is_compared(
    cli, repo, tmp_path
) -> None:
    """git versions the file it points to: the job is compared as that file."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared/beats.yaml").write_text(BEATS.format(name="beats"))
    (tmp_path / "jobs/beats.yaml").symlink_to("../shared/beats.yaml")
    repo("add", "-A")
    repo("commit", "-qm", "a shared job")
    edit(tmp_path / "shared/beats.yaml", "flinkVersion", "resources: {cu: 4}\nflinkVersion")
    [job] = json.loads(cli("review", "--base", "HEAD", "--format", "json", "jobs").out)["jobs"]
    assert (job["name"], job["file"], job["class"]) == (
        "beats",
        "shared/beats.yaml",
        "restart with savepoint",
    )
