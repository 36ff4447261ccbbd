"""`dli-flink validate`, `rules` and `schema` as a user runs them: output, exit codes, config."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from dli_flink.rules import RULES
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


def test_readme_validate_excerpt_is_the_real_output(cli, examples) -> None:
    """The console block under "dli-flink validate" in the README, run: line for line its output
    (it once left out a line of it)."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## `dli-flink validate`")[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    assert command.startswith("$ dli-flink ")
    run = cli(*shlex.split(command.removeprefix("$ dli-flink ")))
    assert run.out.splitlines() == shown


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


URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-F]{2})*")
"""RFC 3986 path characters, and percent-encoded octets."""


def test_sarif_uri_is_percent_encoded(cli, write) -> None:
    """SARIF's artifactLocation.uri is a URI: a space, '#', '%' or 'ü' in a file name is encoded
    (code scanning otherwise links nowhere, or to another file: '#' starts a fragment)."""
    name = "my jobs/a b#1%ü.yaml"
    write(name, "kind: 5\n")
    log = json.loads(cli("validate", "--format", "sarif", "my jobs").out)
    [uri] = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uri == "my%20jobs/a%20b%231%25%C3%BC.yaml"
    assert URI_REFERENCE.fullmatch(uri) and unquote(uri) == name
    assert validation_errors(log) == []


def _github_property(value: str) -> str:
    """What the Actions runner reads from an escaped command property (its own unescaping)."""
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


def test_github_annotation_names_a_file_with_a_newline_in_its_name(cli, tmp_path) -> None:
    """A newline in a file name is escaped as the runner expects: one command a line, and the
    annotation lands on the real file (a shown '\\n' named a file that does not exist)."""
    (tmp_path / "x\nforged.yaml:9:9: error schema y.yaml").write_text("kind: 5\n")
    run = cli("validate", "--format", "github", ".")
    *annotations, summary = run.out.splitlines()
    assert annotations and summary.endswith("in 1 file (0 jobs)")
    for line in annotations:
        assert line.startswith("::error file=")
        file = line.removeprefix("::error file=").split(",line=")[0]
        assert _github_property(file) == "x\nforged.yaml:9:9: error schema y.yaml"


def test_an_unreadable_file_with_a_newline_in_its_name_is_one_line(cli, tmp_path) -> None:
    os.mkfifo(tmp_path / "x\ny.yaml")
    run = cli("validate", "x\ny.yaml")
    assert run.code == 2
    assert run.err.startswith("dli-flink: x\\ny.yaml: cannot read: a named pipe")
    assert run.err.count("\n") == 1


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\x7f", "\x1b"])
def test_a_character_yaml_does_not_allow_is_named_at_its_line(cli, write, character) -> None:
    """YAML 1.2 text may hold only printable characters (spec 5.1, c-printable), comments too.
    PyYAML refuses the whole stream with a position in characters and a two-line message; the
    finding was placed at 1:1 and named the position, not the line, so a user had to count."""
    write("a.yaml", VALID_SQL_JOB + f"# note {character}\n")
    line = VALID_SQL_JOB.count("\n") + 1
    run = cli("validate", "a.yaml")
    assert run.code == 1
    assert run.out.splitlines()[0] == (
        f"a.yaml:{line}:8: error yaml-syntax YAML syntax: character U+{ord(character):04X} is not "
        "allowed in YAML text (YAML 1.2 takes printable characters only): delete it, or write it "
        f"as \\u{ord(character):04X} in a double-quoted string"
    )


def test_json_summary_counts(cli, examples) -> None:
    run = cli("validate", "--format", "json", "examples")
    assert json.loads(run.out)["summary"] == {
        "files": 3,
        "jobs": 4,
        "errors": 8,
        "warnings": 2,
        "suppressed": 0,
        "unlisted": 0,
    }


def test_warnings_pass_unless_strict(cli, write) -> None:
    write("job.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 16, intervalMinutes: 5"))
    assert cli("validate", "job.yaml").code == 0
    assert cli("validate", "--strict", "job.yaml").code == 1


def test_missing_path_is_a_usage_error(cli) -> None:
    run = cli("validate", "nope.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err == "dli-flink: nope.yaml: no such file or directory\n"


def test_broken_symlink_is_named_as_one(cli, tmp_path) -> None:
    """The path exists as a link: say where it points, so the user fixes the right thing."""
    (tmp_path / "job.yaml").symlink_to("moved/job.yaml")
    run = cli("validate", "job.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "dli-flink: job.yaml: a broken symbolic link (to moved/job.yaml): fix or remove it\n"
    )


def test_unreadable_file_is_an_io_error_and_others_are_still_checked(cli, write, tmp_path) -> None:
    """An I/O error (here EIO: /proc/self/mem cannot be read at offset 0, even by root)."""
    write("a.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 4"))
    (tmp_path / "b.yaml").symlink_to("/proc/self/mem")
    run = cli("validate", ".")
    assert run.code == 2
    assert "a.yaml:10:33: error scaling-cu-max-below-cu" in run.out
    assert run.err == "dli-flink: b.yaml: cannot read: Input/output error\n"


@pytest.mark.parametrize("again", ["{cwd}/jobs/x.yaml", "./jobs/x.yaml", "jobs/../jobs/x.yaml"])
def test_a_file_named_twice_is_checked_once(cli, write, tmp_path, again) -> None:
    """`jobs` and `$PWD/jobs/x.yaml` name one file: checked twice, it was "a name used twice"."""
    write("jobs/x.yaml", VALID_SQL_JOB)
    run = cli("validate", "jobs", again.format(cwd=tmp_path))
    assert (run.code, run.out) == (0, "0 errors, 0 warnings in 1 file (1 job)\n")


def test_a_symlink_to_a_job_file_in_the_same_folder_is_the_same_job(cli, write, tmp_path) -> None:
    write("jobs/x.yaml", VALID_SQL_JOB)
    (tmp_path / "jobs" / "y.yaml").symlink_to("x.yaml")
    run = cli("validate", "jobs")
    assert (run.code, run.out) == (0, "0 errors, 0 warnings in 1 file (1 job)\n")


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


@pytest.mark.parametrize(("severity", "advisory"), [("warning", "warning"), ("off", None)])
def test_configured_severity_moves_only_the_advisory_part_of_scaling_interval(
    cli, write, severity, advisory
) -> None:
    """DLI refuses an interval under 1 minute: `severity: warning` (or off), set for the min-minutes
    advice, must not let validate pass a job DLI refuses."""
    write(".dli-flink.yaml", f"rules:\n  scaling-interval: {{severity: {severity}}}\n")
    write("zero.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 16, intervalMinutes: 0"))
    write("five.yaml", VALID_SQL_JOB.replace("cuMax: 16", "cuMax: 16, intervalMinutes: 5"))
    zero = cli("validate", "zero.yaml")
    assert zero.code == 1
    assert "zero.yaml:10:54: error scaling-interval scaling interval is 0 minutes" in zero.out
    five = cli("validate", "--format", "json", "five.yaml")
    assert [f["severity"] for f in json.loads(five.out)["findings"]] == [advisory] * bool(advisory)


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


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "versions: [1.15, 1.20]",
            "option versions of scaling-flink-version must be a list of quoted Flink versions "
            'such as ["1.15", "1.20"], not [1.15, 1.2]: quote each one (unquoted, 1.20 is the '
            "number 1.2)",
        ),
        (
            'versions: "1.15"',
            "option versions of scaling-flink-version must be a list of quoted Flink versions "
            'such as ["1.15", "1.20"], not \'1.15\'',
        ),
        (
            'versions: ["1.15", "latest"]',
            "option versions of scaling-flink-version must be a list of quoted Flink versions "
            'such as ["1.15", "1.20"]; \'latest\' is not a version',
        ),
        (
            "min-version: 1.12",
            "option min-version of scaling-flink-version must be a quoted Flink version such as "
            '"1.12", not the number 1.12: quote it',
        ),
        (
            'min-version: "1.12-rc1"',
            "option min-version of scaling-flink-version must be a quoted Flink version such as "
            "\"1.12\", not '1.12-rc1'",
        ),
        (
            'min-version: "abc"',
            "option min-version of scaling-flink-version must be a quoted Flink version such as "
            "\"1.12\", not 'abc'",
        ),
    ],
)
def test_a_version_option_that_is_not_a_version_is_refused(cli, write, option, message) -> None:
    """`versions: [1.15, 1.20]` once became [1.15, 1.2] and refused 1.20 jobs; `min-version: abc`
    silently turned the rule off. Both are one line naming the file, the key and the fix."""
    write(".dli-flink.yaml", f"rules:\n  scaling-flink-version: {{{option}}}\n")
    write("a.yaml", VALID_SQL_JOB)
    run = cli("validate", "a.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err == f"dli-flink: {Path.cwd() / '.dli-flink.yaml'}:2:27: {message}\n"


def test_missing_config_option_file_is_exit_2(cli, write) -> None:
    write("a.yaml", VALID_SQL_JOB)
    run = cli("validate", "--config", "nope.yaml", "a.yaml")
    assert (run.code, run.err) == (2, "dli-flink: nope.yaml: no such configuration file\n")


def test_rules_command_lists_every_rule_with_docs(cli) -> None:
    brief = cli("rules", "--brief").out.splitlines()
    assert [line.split()[0] for line in brief] == list(RULES)
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
