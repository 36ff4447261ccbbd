"""`dli-flink validate`, `rules` and `schema` as a user runs them: output, exit codes, config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sarif_kit import validation_errors

from tests.validate.jobs import VALID_SQL_JOB

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of examples/ in the working directory, so paths in the output are stable."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path / "examples"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_wrong_example_output_matches_snapshot(cli, examples, snapshot, fmt) -> None:
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots"
    run = cli("validate", "--format", fmt, "--config", "examples/.dli-flink.yaml", "examples")
    assert run.code == 1
    assert run.err == ""
    output = run.out.replace('"version": "0.1.0"', '"version": "VERSION"')
    snapshot.assert_match(output, f"wrong-example.{fmt}")


def test_wrong_example_shows_every_mistake_at_its_line(cli, examples) -> None:
    run = cli("validate", "--format", "json", "--config", "examples/.dli-flink.yaml", "examples")
    found = {(f["rule"], f["line"]) for f in json.loads(run.out)["findings"]}
    assert found == {
        ("scaling-flink-version", 6),
        ("scaling-job-type", 7),
        ("resources-range", 11),
        ("scaling-needs-checkpoint", 12),
        ("scaling-needs-obs-bucket", 16),
        ("scaling-interval", 17),
        ("scaling-cu-min-floor", 18),
        ("scaling-cu-max-below-cu", 19),
        ("runtime-config-unknown-key", 21),
        ("schema", 22),
    }


def test_good_examples_pass(cli, examples) -> None:
    run = cli("validate", "--config", "examples/.dli-flink.yaml", "examples/jobs")
    assert (run.code, run.out) == (0, "0 errors, 0 warnings in 2 files (3 jobs)\n")


def test_sarif_is_valid_sarif_2_1_0(cli, examples) -> None:
    run = cli("validate", "--format", "sarif", "examples")
    log = json.loads(run.out)
    assert validation_errors(log) == []
    results = log["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "examples/wrong/orders-broken.yaml"
    }
    assert all(r["partialFingerprints"] for r in results)


def test_json_summary_counts(cli, examples) -> None:
    run = cli("validate", "--format", "json", "examples")
    assert json.loads(run.out)["summary"] == {
        "files": 3,
        "jobs": 4,
        "errors": 8,
        "warnings": 2,
        "suppressed": 0,
    }


def test_warnings_pass_unless_strict(cli, write) -> None:
    write("job.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 16, intervalMinutes: 5"))
    assert cli("validate", "job.yaml").code == 0
    assert cli("validate", "--strict", "job.yaml").code == 1


def test_missing_path_is_a_usage_error(cli) -> None:
    run = cli("validate", "nope.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err == "dli-flink: nope.yaml: no such file or directory\n"


def test_unreadable_file_is_an_io_error_and_others_are_still_checked(cli, write, tmp_path) -> None:
    """An I/O error (here EIO: /proc/self/mem cannot be read at offset 0, even by root)."""
    write("a.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 4"))
    (tmp_path / "b.yaml").symlink_to("/proc/self/mem")
    run = cli("validate", ".")
    assert run.code == 2
    assert "a.yaml:10:33: error scaling-cu-max-below-cu" in run.out
    assert run.err == "dli-flink: b.yaml: cannot read: Input/output error\n"


def test_folders_skip_hidden_and_pulumi_files_but_named_files_are_checked(cli, write) -> None:
    write("jobs/a.yaml", VALID_SQL_JOB)
    write("jobs/Pulumi.yaml", "name: stack\nruntime: python\n")
    write("jobs/.github/workflows/ci.yml", "on: push\n")
    write("jobs/notes.txt", "not yaml")
    assert cli("validate", "jobs").out == "0 errors, 0 warnings in 1 file (1 job)\n"
    assert cli("validate", "jobs/Pulumi.yaml").code == 1


def test_suppression_with_reason_hides_the_finding(cli, write) -> None:
    text = VALID_SQL_JOB.replace(
        "scaling: {enabled: true, cuMax: 16}",
        "# dli-flink: disable=scaling-interval -- backfill, restarts are cheap\n"
        "scaling: {enabled: true, cuMax: 16, intervalMinutes: 5}",
    )
    write("job.yaml", text)
    run = cli("validate", "--strict", "job.yaml")
    assert (run.code, run.out) == (0, "0 errors, 0 warnings, 1 suppressed in 1 file (1 job)\n")


def test_suppression_on_the_same_line(cli, write) -> None:
    text = VALID_SQL_JOB.replace(
        "cuMax: 16}", "cuMax: 4}  # dli-flink: disable=scaling-cu-max-below-cu -- load test"
    )
    write("job.yaml", text)
    assert cli("validate", "job.yaml").code == 0


def test_suppression_without_reason_or_with_unknown_rule_does_not_suppress(cli, write) -> None:
    text = VALID_SQL_JOB.replace(
        "scaling: {enabled: true, cuMax: 16}",
        "# dli-flink: disable=scaling-cu-max-below-cu\n"
        "scaling: {enabled: true, cuMax: 4}  # dli-flink: disable=scaling-intervall -- typo",
    )
    write("job.yaml", text)
    run = cli("validate", "job.yaml")
    assert run.code == 1
    assert "job.yaml:10:1: warning suppression a suppression needs a reason" in run.out
    assert "job.yaml:11:1: warning suppression unknown rule id scaling-intervall" in run.out
    assert "error scaling-cu-max-below-cu" in run.out


def test_config_is_found_upward_and_sets_severity_and_options(cli, write, tmp_path) -> None:
    write(".dli-flink.yaml", "rules:\n  scaling-interval: {severity: error, min-minutes: 20}\n")
    write("jobs/a.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 16, intervalMinutes: 15"))
    (tmp_path / "jobs" / "deep").mkdir()
    run = cli("validate", "jobs")
    assert run.code == 1
    assert "error scaling-interval scaling interval of 15 minutes" in run.out


def test_rule_can_be_turned_off(cli, write) -> None:
    write(".dli-flink.yaml", "rules:\n  scaling-cu-max-below-cu: off\n")
    write("a.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 4"))
    assert cli("validate", "a.yaml").code == 0


def test_exclude_patterns_skip_files_in_folders(cli, write) -> None:
    write(".dli-flink.yaml", 'exclude: ["legacy/*"]\n')
    write("legacy/old.yaml", "kind: Nope\n")
    write("a.yaml", VALID_SQL_JOB)
    assert cli("validate", ".").code == 0


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "rules:\n  scaling-intervall: off\n",
            ":2:3: unknown rule 'scaling-intervall': did you mean 'scaling-interval'?",
        ),
        (
            "rules:\n  scaling-interval: {min-minute: 5}\n",
            ":2:3: scaling-interval has no option 'min-minute'",
        ),
        ("rules:\n  scaling-interval: loud\n", ":2:3: severity of scaling-interval is 'loud'"),
        ("queues:\n  flink_q: 64\n", ":2:3: queue flink_q needs its capacity as cu: N"),
        ("rule: {}\n", ":1:1: unknown key 'rule': did you mean 'rules'?"),
        ("rules: [\n", ":2:1: YAML syntax"),
        ("review:\n  restart-seconds: soon\n", ":2:3: restart-seconds must be a number of seconds"),
    ],
)
def test_bad_config_is_one_line_exit_2(cli, write, config, message) -> None:
    write(".dli-flink.yaml", config)
    write("a.yaml", VALID_SQL_JOB)
    run = cli("validate", "a.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err.count("\n") == 1
    assert message in run.err
    assert run.err.startswith("dli-flink: ")


def test_missing_config_option_file_is_exit_2(cli, write) -> None:
    write("a.yaml", VALID_SQL_JOB)
    run = cli("validate", "--config", "nope.yaml", "a.yaml")
    assert (run.code, run.err) == (2, "dli-flink: nope.yaml: no such configuration file\n")


def test_rules_command_lists_every_rule_with_docs(cli) -> None:
    brief = cli("rules", "--brief").out.splitlines()
    assert len(brief) == 23
    assert brief[0].startswith("yaml-syntax")
    full = cli("rules", "scaling-interval").out
    assert "scaling-interval (error; options: min-minutes=10)" in full
    assert "PASS::" in full and "FAIL::" in full
    assert cli("rules", "nope").code == 2


def test_schema_command_prints_the_shipped_schema(cli) -> None:
    path = Path(cli("schema").out.strip())
    assert path.name == "flink-job.schema.json"
    assert json.loads(path.read_text())["title"] == "DLI Flink job"
    assert json.loads(cli("schema", "--print").out) == json.loads(path.read_text())


def test_schema_file_at_repo_root_is_the_shipped_one() -> None:
    assert (REPO / "schemas" / "flink-job.schema.json").read_bytes() == (
        REPO / "provider" / "dli_flink" / "schemas" / "flink-job.schema.json"
    ).read_bytes()
