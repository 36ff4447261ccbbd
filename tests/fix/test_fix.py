"""`dli-flink fix` as a user runs it: what it changes, what it leaves byte for byte, when it refuses.

The snapshots hold files before and after: comments, blank lines, quoting and the other documents
of a file are the reader's proof that only the fixed values changed.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from dli_flink.rules import RULES

from tests.fix.conftest import rules_found
from tests.validate.test_rules import _examples

REPO = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "snapshots"
FIXABLE = [rule for rule in RULES.values() if hasattr(rule, "fix")]

KEPT = """\
# yaml-language-server: $schema=../schemas/flink-job.schema.json
# Orders: the comments, the blank lines and the quoting below must survive a fix.
kind: FlinkSqlJob
name: 'orders-enrich'          # single quotes stay single
queue: flink_q
flinkVersion: 1.20             # unquoted: YAML reads the float 1.2

sql: |
  INSERT INTO sink
  SELECT * FROM src   -- trailing spaces and tabs\t stay
resources: {cu: 8, parallelism: 4}   # flow style stays flow
checkpoint: {intervalSeconds: 60}
obsBucket: data-team-flink
agency: dli_flink_agency
logEnabled: false
scaling:
  # the scaling block
  enabled: true
  intervalMinutes: 5           # aligned comment
  cuMax: 4
runtimeConfig:
  table.exec.state.ttl: 1h
  flink.dli.job.cu.max: "32"   # contradicts scaling.cuMax
---
# a second job, already right: untouched
kind: FlinkSqlJob
name: heartbeat
queue: flink_q
flinkVersion: "1.15"
sql: SELECT 1
"""


def test_the_wrong_example_is_fixed_and_everything_else_kept(cli, snapshot, tmp_path) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    before = rules_found(tmp_path / "examples/wrong/orders-broken.yaml")
    run = cli("fix", "--config", "examples/.dli-flink.yaml", "examples")
    assert (run.code, run.err) == (0, "")
    snapshot.assert_match(run.out, "wrong-example.out")
    fixed = (tmp_path / "examples/wrong/orders-broken.yaml").read_text(encoding="utf-8")
    snapshot.assert_match(fixed, "wrong-example.fixed.yaml")
    after = rules_found(tmp_path / "examples/wrong/orders-broken.yaml")
    assert after < before
    for name in ("jobs/orders-enrich.yaml", "jobs/clickstream-sessions.yaml"):
        assert (tmp_path / "examples" / name).read_bytes() == (
            REPO / "examples" / name
        ).read_bytes()


def test_comments_quoting_flow_style_and_other_documents_are_kept(cli, write, snapshot) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    path = write("jobs.yaml", KEPT)
    run = cli("fix", "jobs.yaml")
    assert run.code == 0
    snapshot.assert_match(path.read_text(encoding="utf-8"), "kept.fixed.yaml")
    assert rules_found(path) == {}


@pytest.mark.parametrize("rule", FIXABLE, ids=[rule.ID for rule in FIXABLE])
def test_every_fixable_rules_failing_example_is_fixed(cli, write, rule: ModuleType) -> None:
    """The FAIL example of each rule that fixes: its finding goes, and no finding comes."""
    for example in _examples(rule, "FAIL"):
        path = write("job.yaml", example)
        before = rules_found(path)
        run = cli("fix", "job.yaml")
        after = rules_found(path)
        assert run.code == 0 and ": fixed " in run.out, run.out
        assert after[rule.ID] < before[rule.ID]
        assert after < before, (before, after)


def test_nothing_to_fix_leaves_the_file_unwritten(cli, write, tmp_path) -> None:
    path = write("job.yaml", KEPT.split("---\n")[1])
    stamp = path.stat().st_mtime_ns
    run = cli("fix", ".")
    assert (
        run.out
        == "0 findings fixed in 0 files; 0 left to fix by hand (dli-flink validate shows them)\n"
    )
    assert path.stat().st_mtime_ns == stamp


def test_diff_shows_the_fix_changes_nothing_and_fails_for_ci(cli, write) -> None:
    path = write("job.yaml", KEPT)
    before = path.read_bytes()
    run = cli("fix", "--diff", "job.yaml")
    assert run.code == 1
    assert "-flinkVersion: 1.20             # unquoted" in run.out
    assert '+flinkVersion: "1.20"           # unquoted' in run.out
    assert path.read_bytes() == before
    cli("fix", "job.yaml")
    assert cli("fix", "--diff", "job.yaml").code == 0


def test_rule_option_fixes_only_that_rules_findings(cli, write) -> None:
    path = write("job.yaml", KEPT)
    run = cli("fix", "--rule", "scaling-needs-logs", "job.yaml")
    assert run.code == 0
    assert "fixed scaling-needs-logs" in run.out and run.out.count(": fixed ") == 1
    assert "logEnabled: true" in path.read_text(encoding="utf-8")
    assert "flinkVersion: 1.20" in path.read_text(encoding="utf-8")
    nope = cli("fix", "--rule", "scaling-needs-obs-bucket", "job.yaml")
    assert nope.code == 2
    assert "scaling-needs-obs-bucket has no fix; rules that fix:" in nope.err


def test_suppressed_and_configured_off_findings_are_not_fixed(cli, write) -> None:
    text = KEPT.replace(
        "logEnabled: false",
        "logEnabled: false  # dli-flink: disable=scaling-needs-logs -- logs go to LTS",
    )
    path = write("job.yaml", text)
    write(".dli-flink.yaml", "rules:\n  scaling-interval: off\n")
    cli("fix", "job.yaml")
    fixed = path.read_text(encoding="utf-8")
    assert "logEnabled: false  # dli-flink: disable" in fixed
    assert "intervalMinutes: 5 " in fixed
    assert 'flinkVersion: "1.20"' in fixed


def test_a_value_the_user_must_choose_stays_a_finding(cli, write) -> None:
    text = KEPT.replace("obsBucket: data-team-flink\n", "")
    path = write("job.yaml", text)
    run = cli("fix", "job.yaml")
    assert "obsBucket" not in path.read_text(encoding="utf-8")
    assert rules_found(path) == {"scaling-needs-obs-bucket": 1}
    assert run.out.endswith("; 1 left to fix by hand (dli-flink validate shows them)\n")


@pytest.mark.parametrize(
    ("bom", "newline", "final"),
    [(b"", "\r\n", True), (b"", "\n", False), (b"\xef\xbb\xbf", "\r\n", False)],
)
def test_line_endings_final_newline_and_bom_are_kept(cli, tmp_path, bom, newline, final) -> None:
    text = (
        "kind: FlinkSqlJob\nname: a\nqueue: q\nflinkVersion: '1.15'\nsql: x\nobsBucket: bkt\nagency: a\n"
        "scaling:\n  enabled: true\nlogEnabled: false" + ("\n" if final else "")
    )
    path = tmp_path / "job.yaml"
    path.write_bytes(bom + text.replace("\n", newline).encode())
    cli("fix", "job.yaml")
    raw = path.read_bytes()
    assert raw.startswith(bom)
    body = raw[len(bom) :].decode()
    expected = text.replace("obsBucket: bkt\n", "checkpoint:\n  enabled: true\nobsBucket: bkt\n")
    expected = expected.replace("logEnabled: false", "logEnabled: true")
    assert body == expected.replace("\n", newline)
    assert rules_found(path) == {}


def test_anchored_values_are_not_fixed_they_are_shared(cli, write) -> None:
    """An edit behind an anchor would change every job that uses it: the finding stays."""
    text = textwrap.dedent(
        """\
        kind: FlinkSqlJob
        name: orders
        queue: flink_q
        flinkVersion: "1.15"
        sql: SELECT 1
        resources: {cu: 8}
        checkpoint: &ckpt {enabled: true}
        obsBucket: data-team-flink
        agency: dli_flink_agency
        logEnabled: true
        scaling: &scale {enabled: true, cuMax: 4}
        """
    )
    path = write("job.yaml", text)
    run = cli("fix", "job.yaml")
    assert path.read_text(encoding="utf-8") == text
    assert run.out.startswith("0 findings fixed in 0 files; 1 left")


def test_a_fix_that_would_add_findings_is_not_made(cli, write) -> None:
    """Renaming `scalling` would switch scaling on and bring three new errors: not a fix."""
    text = "kind: FlinkSqlJob\nname: a\nqueue: q\nflinkVersion: '1.15'\nsql: x\nscalling: {enabled: true}\n"
    path = write("job.yaml", text)
    cli("fix", "job.yaml")
    assert path.read_text(encoding="utf-8") == text


def test_without_ruamel_the_command_says_what_to_install(cli, write, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ruamel.yaml", None)
    write("job.yaml", KEPT)
    run = cli("fix", "job.yaml")
    assert (run.code, run.err) == (
        2,
        "dli-flink: fix needs ruamel.yaml: pip install 'dli-flink[yaml]'\n",
    )


def test_a_v2_job_s_cu_max_is_raised_to_its_size_rounded_up(cli, write) -> None:
    """A v2 job of 0.5 + 2 CUs (a JobManager of 0.5 cores and 2 GB, a TaskManager of 2 cores and
    8 GB) may not scale below 2.5 CUs: cuMax becomes 3, the smallest whole number above it."""
    path = write(
        "job.yaml",
        'kind: FlinkSqlJob\nname: orders\nqueue: flink_q\nflinkVersion: "1.17"\n'
        "agency: dli_flink_agency\nsql: INSERT INTO sink SELECT * FROM src\n"
        "resourceConfigVersion: v2\nresourceConfig:\n"
        "  jobManager: {cpu: 0.5, memory: 2GB}\n  taskManager: {cpu: 2, memory: 8GB}\n"
        "checkpoint: {enabled: true}\nobsBucket: my-bucket\nlogEnabled: true\n"
        "scaling: {enabled: true, cuMax: 2}\n",
    )
    assert rules_found(path) == {"scaling-cu-max-below-cu": 1}
    run = cli("fix", "job.yaml")
    assert "fixed scaling-cu-max-below-cu" in run.out
    assert "scaling: {enabled: true, cuMax: 3}" in path.read_text(encoding="utf-8")
    assert rules_found(path) == {}
