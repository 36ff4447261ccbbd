"""Validate's per-user cache (cli/cache.py) and run manifests (cli/manifest.py): what they serve
is what a run without them says.

Every validate run of the `cli` fixture already runs four ways (filling the caches, answered by the
manifest, served by the file entries, --no-cache) and compares them; these tests cover what those
runs cannot: edits the file's stamp does not show, files old enough to be trusted on their stamp, a
changed configuration, a file added to a folder, what a warm run imports, and a cache that cannot be
used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dli_flink

from tests.validate.jobs import VALID_SQL_JOB

HOUR_NS = 3600 * 10**9


def _age(*paths: Path) -> None:
    """Put the files' mtime an hour back: a run then trusts their stamps alone."""
    for path in paths:
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - HOUR_NS))


def _within_a_tick(path: Path) -> Path:
    """Keep the file's runs within its mtime tick however long they take: its mtime an hour ahead,
    so every run finds it modified too recently to trust its stamp (RACY_NS), as runs within the
    tick of a real edit do. Without it, runs slower than RACY_NS (a busy machine) trust the stamp
    from then on, and an edit that keeps it, simulated after them, is no longer within a tick."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + HOUR_NS))
    return path


def _rewrite_keeping_stamp(path: Path, text: str) -> None:
    """Change the file's content but neither its size nor its mtime, as an editor saving twice
    within one mtime tick does."""
    info = path.stat()
    assert len(text.encode()) == info.st_size
    path.write_text(text)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_the_cache_lives_in_the_user_cache_folder_and_no_cache_leaves_it_alone(
    cli, write, user_cache: Path, tmp_path: Path, monkeypatch
) -> None:
    write("a.yaml", VALID_SQL_JOB)
    assert cli("validate", "a.yaml").code == 0
    assert list((user_cache / "dli-flink").glob("validate-*/*.pickle"))

    elsewhere = tmp_path / "fresh-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(elsewhere))
    assert cli("validate", "--no-cache", "a.yaml").code == 0
    assert not list(elsewhere.glob("dli-flink/validate-*"))


def test_an_edit_within_one_mtime_tick_is_not_served_stale(cli, write) -> None:
    job = _within_a_tick(write("a.yaml", VALID_SQL_JOB))
    assert cli("validate", "a.yaml").code == 0
    _rewrite_keeping_stamp(job, VALID_SQL_JOB.replace("cu: 8}", "cu: 0}"))
    run = cli("validate", "a.yaml")
    assert run.code == 1
    assert "a.yaml:6:17" in run.out


def test_an_aged_unchanged_file_gets_the_same_findings_at_the_same_places(cli, write) -> None:
    first = write("a.yaml", VALID_SQL_JOB.replace("cu: 8}", "cu: 0}"))
    second = write("b.yaml", VALID_SQL_JOB)  # the same job name: a cross-job error in both files
    cold = cli("validate", "--no-cache", "a.yaml", "b.yaml")
    cli("validate", "a.yaml", "b.yaml")
    _age(first, second)
    assert cli("validate", "a.yaml", "b.yaml") == cold  # stores entries trusted on their stamps
    assert cli("validate", "a.yaml", "b.yaml") == cold
    assert cold.code == 1 and "a.yaml:6:17" in cold.out and "b.yaml:2:7" in cold.out


def test_a_changed_sql_file_is_checked_again(cli, write) -> None:
    write(
        "a.yaml", VALID_SQL_JOB.replace("sql: INSERT INTO sink SELECT * FROM src", "sqlFile: a.sql")
    )
    sql = _within_a_tick(write("a.sql", "INSERT INTO sink SELECT * FROM src\n"))
    assert cli("validate", "a.yaml").code == 0
    info = sql.stat()  # rewritten within the same mtime tick:
    sql.write_bytes(b"\xff" * info.st_size)  # not UTF-8: the sqlFile cannot be read
    os.utime(sql, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert "sql-file" in cli("validate", "a.yaml").out
    sql.unlink()
    assert "sql-file" in cli("validate", "a.yaml").out


def test_a_changed_configuration_is_a_new_verdict(cli, write) -> None:
    job = write("a.yaml", VALID_SQL_JOB.replace("cu: 8}", "cu: 0}"))
    _age(job)
    assert cli("validate", "a.yaml").code == 1
    write(".dli-flink.yaml", "rules:\n  resources-range: off\n")
    assert cli("validate", "a.yaml").code == 0


def test_a_cache_that_cannot_be_used_changes_nothing(cli, write, user_cache: Path) -> None:
    write("a.yaml", VALID_SQL_JOB.replace("cu: 8}", "cu: 0}"))
    cold = cli("validate", "--no-cache", "a.yaml")
    assert cli("validate", "a.yaml") == cold
    for entry in (user_cache / "dli-flink").glob("validate-*/*.pickle"):
        entry.write_bytes(b"not a cache entry")
    assert cli("validate", "a.yaml") == cold


def test_an_unwritable_cache_folder_never_fails_validate(cli, write, tmp_path, monkeypatch) -> None:
    write("a.yaml", VALID_SQL_JOB)
    blocked = write("cache-is-a-file", "a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    run = cli("validate", "a.yaml")
    assert (run.code, run.err) == (0, "")


def test_an_edited_configuration_of_the_same_size_and_mtime_is_a_new_verdict(cli, write) -> None:
    job = write("a.yaml", VALID_SQL_JOB.replace("cu: 8}", "cu: 0}"))
    config = _within_a_tick(write(".dli-flink.yaml", "rules:\n  resources-range: off  \n"))
    _age(job)
    assert cli("validate", "a.yaml").code == 0
    _rewrite_keeping_stamp(config, "rules:\n  resources-range: error\n")
    assert cli("validate", "a.yaml").code == 1


def test_a_configuration_added_in_a_folder_above_is_found(cli, write) -> None:
    write("jobs/a.yaml", VALID_SQL_JOB.replace("cu: 8}", "cu: 0}"))
    assert cli("validate", "jobs").code == 1
    write(".dli-flink.yaml", "rules:\n  resources-range: off\n")
    assert cli("validate", "jobs").code == 0


def test_a_job_file_added_to_a_folder_is_checked_with_the_others(cli, write) -> None:
    _age(write("jobs/a.yaml", VALID_SQL_JOB))
    assert cli("validate", "jobs").code == 0
    write("jobs/b.yaml", VALID_SQL_JOB)  # the same job name: a cross-job error in both files
    run = cli("validate", "jobs")
    assert run.code == 1
    assert "jobs/a.yaml:2:7" in run.out and "jobs/b.yaml:2:7" in run.out


_IMPORTS = """
import sys
from dli_flink.cli import main
code = main(sys.argv[1:])
heavy = [m for m in sys.modules if m.split(".")[0] in ("yaml", "jsonschema", "fastjsonschema")]
heavy += [m for m in sys.modules if m.startswith(("dli_flink.rules", "dli_flink.model.spec"))]
print("imported:", "yaml" in sys.modules, len(heavy), "exit", code)
"""


def test_a_run_of_unchanged_files_answers_without_parser_schema_or_rules(
    write, tmp_path: Path, user_cache: Path
) -> None:
    """The warm path: what the last run of the same command said, from stat calls alone."""
    jobs = [
        write("a.yaml", VALID_SQL_JOB.replace("cu: 8}", "cu: 0}")),
        write("b.yaml", VALID_SQL_JOB.replace("orders-enrich", "orders-other")),
    ]
    _age(*jobs)

    def run() -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", _IMPORTS, "validate", "a.yaml", "b.yaml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=os.environ | {"XDG_CACHE_HOME": str(user_cache)},
            check=True,
        )
        report, _, imported = done.stdout.rpartition("imported:")
        return report, imported.strip()

    cold = run()
    assert "a.yaml:6:17" in cold[0] and cold[1].startswith("True") and cold[1].endswith("exit 1")
    assert run() == (cold[0], "False 0 exit 1")
    jobs[0].write_text(VALID_SQL_JOB.replace("cu: 8}", "cu: 9}"))
    changed = run()
    assert "a.yaml" not in changed[0] and changed[1].endswith("exit 0")


def test_a_named_file_that_became_a_link_to_another_is_checked_once(cli, write) -> None:
    """Files named on the command line are told apart by inode: a run answered by its manifest
    must notice that two names are one file now (a duplicate job name would otherwise be kept)."""
    first = write("a.yaml", VALID_SQL_JOB)
    second = write("b.yaml", VALID_SQL_JOB.replace("orders-enrich", "orders-other"))
    _age(first, second)
    assert "in 2 files" in cli("validate", "a.yaml", "b.yaml").out
    second.unlink()
    os.link(first, second)
    run = cli("validate", "a.yaml", "b.yaml")
    assert (run.code, "in 1 file (1 job)" in run.out) == (0, True)


def test_another_installation_is_not_given_this_ones_answer(write, tmp_path, user_cache) -> None:
    """Two checkouts of dli-flink (git worktrees, say) of one version, run by one Python, with one
    user cache: a run of one must not be answered by the manifest the other recorded for the same
    command line, whose modules are all unchanged. Here the other checkout makes a rule a warning."""
    write("a.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 4"))
    _age(tmp_path / "a.yaml")
    here = Path(dli_flink.__file__).parent
    other = tmp_path / "other" / "dli_flink"
    shutil.copytree(here, other, ignore=shutil.ignore_patterns("__pycache__"))
    rule = other / "rules" / "scaling_cu_max_below_cu.py"
    rule.write_text(
        rule.read_text().replace("SEVERITY = Severity.ERROR", "SEVERITY = Severity.WARNING")
    )

    def run(source: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dli_flink", "validate", "a.yaml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=os.environ | {"XDG_CACHE_HOME": str(user_cache), "PYTHONPATH": str(source.parent)},
        )

    assert run(here).returncode == 1
    answered = run(other)
    assert (answered.returncode, "a.yaml:10:33: warning" in answered.stdout) == (0, True)
