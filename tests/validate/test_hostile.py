"""Hostile input (issue 2): every kind of file a user, a bad merge or an attacker can put in a job folder.

What a user relies on: `dli-flink validate` says clearly what is wrong with *that* file (a `yaml-syntax`
or `schema` error at a useful line), exits 1 (2 is only for usage and I/O problems), never prints a
traceback, finishes in bounded time and memory, and still checks every other file of the run.

The CLI runs in a child process: a segfault in libyaml, a runaway allocation or a hang must show up as
one failed test, not take pytest down with it. Each run is capped at 1 GiB of address space (over what
the child starts with) and a wall-clock timeout, and every hostile file is checked between a clean job
file and a job with a known finding. The child is forked from a fork server whose modules are loaded
already (a run then costs tens of milliseconds, not an interpreter's start of a third of a second),
and which, unlike pytest's process, never has threads whose locks a fork could copy held.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dli_flink.cli import main

MEMORY_LIMIT = 1 << 30
"""Address space of one CLI run; real job folders need a few tens of MiB."""
TIME_LIMIT = 120.0
"""A hang guard, not a speed target: a CLI run that has not ended after this many seconds never will
(a normal run takes well under one second, and a busy shared machine may stretch that tenfold).
How fast the hostile inputs are checked is measured against check-jsonschema by
bench/hostile_bench.py, never by a wall-clock bound in a test."""

GOOD = "good.yaml"
GOOD_JOB = """\
kind: FlinkSqlJob
name: good-neighbour
queue: flink_q
flinkVersion: "1.15"
sql: INSERT INTO sink SELECT * FROM src
"""

FLAWED = "flawed.yaml"
FLAWED_JOB = """\
kind: FlinkSqlJob
name: flawed-neighbour
queue: flink_q
flinkVersion: "1.15"
sql: INSERT INTO sink SELECT * FROM src
resources:
  cu: 500
"""
FLAWED_RULE, FLAWED_LINE = "resources-range", 7

HOSTILE = "hostile.yaml"
FILE_RULES = {"yaml-syntax", "schema"}
MAX_LISTED = 1000
"""Findings listed per file (the rest are counted in the summary)."""
"""The rules that may report a file that is not a readable job document."""


_CHILD_MODULES = (
    "dli_flink.cli.commands.validate",
    "dli_flink.cli.validate",
    "dli_flink.cli.formats.json",
    "dli_flink.cli.formats.text",
    "jsonschema",
)
"""What a validate run imports: the fork server imports them once, and each run starts with them."""
_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload([*_CHILD_MODULES, __name__])
"""Every run is forked from the standard library's fork server: a process of its own, started from a
fresh interpreter on the first run, that never has other threads. Forking pytest itself was only safe
while it had no threads, and the full suite leaves some behind (the Huawei SDK signs each request on a
thread pool of its client), so every run then paid for a fresh interpreter."""


def _limit_resources(already_mapped: int) -> None:
    """Runs in the child: cap its memory at MEMORY_LIMIT over what it has mapped already (a forked
    child starts with its parent's address space), and keep a crash from writing a core file."""
    limit = already_mapped + MEMORY_LIMIT
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _mapped_bytes() -> int:
    """This process's address space (VmSize), what a forked child starts with."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass(frozen=True)
class Run:
    """One finished `dli-flink validate --format json` run."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def findings(self, file: str) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if f["file"] == file]


def run_cli(directory: Path, *args: str, output: str = "json", timeout: float = TIME_LIMIT) -> Run:
    """Run the real command line in `directory`, bounded in memory and time."""
    argv = ["validate", "--format", output, *args]
    with tempfile.TemporaryDirectory() as streams:
        out, err = Path(streams, "stdout"), Path(streams, "stderr")
        child = _FORKSERVER.Process(
            target=_forked_child, args=(directory, argv, out, err, dict(os.environ))
        )
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            pytest.fail(
                f"dli-flink validate {' '.join(args)} did not finish within {timeout:.0f} s"
            )
        stdout = out.read_bytes().decode(errors="replace") if out.exists() else ""
        stderr = err.read_bytes().decode(errors="replace") if err.exists() else ""
    return _finished(child.exitcode, stdout, stderr)


def _forked_child(
    directory: Path, argv: list[str], out: Path, err: Path, environ: dict[str, str]
) -> None:
    """The forked child: `dli-flink` with `argv` as a fresh process would run it, in this test's
    environment (the cache folder it set), its output into `out` and `err`; never returns. An
    uncaught exception is printed as the interpreter prints it."""
    code = 1
    try:
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(directory)
        _limit_resources(_mapped_bytes())
        for path, descriptor in ((out, 1), (err, 2)):
            opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(opened, descriptor)
            os.close(opened)
        # The streams a fresh interpreter would have (stderr escapes what it cannot encode).
        encoding, errors = sys.__stdout__.encoding, sys.__stdout__.errors
        sys.stdout = open(1, "w", encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding=encoding, errors="backslashreplace", closefd=False)  # noqa: SIM115
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _finished(returncode: int, stdout: str, stderr: str) -> Run:
    """What holds for every run: not killed by a signal, no traceback."""
    assert returncode >= 0, f"killed by signal {-returncode}: {stderr[-2000:]}"
    for stream in (stdout, stderr):
        assert "Traceback" not in stream, stream[-3000:]
    return Run(returncode, stdout, stderr)


def check_beside_neighbours(
    directory: Path, content: bytes | str, timeout: float = TIME_LIMIT
) -> list[dict[str, Any]]:
    """Validate `content` as hostile.yaml between two ordinary job files; its findings.

    Asserts what holds for every hostile file: exit 1 (an error, not a usage problem), no traceback,
    and both neighbours checked as if the hostile file were not there.
    """
    raw = content.encode() if isinstance(content, str) else content
    (directory / HOSTILE).write_bytes(raw)
    (directory / GOOD).write_text(GOOD_JOB)
    (directory / FLAWED).write_text(FLAWED_JOB)
    run = run_cli(directory, GOOD, HOSTILE, FLAWED, timeout=timeout)
    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert run.findings(GOOD) == []
    flawed = [(f["rule"], f["line"]) for f in run.findings(FLAWED)]
    assert flawed == [(FLAWED_RULE, FLAWED_LINE)]
    assert run.report["summary"]["files"] == 3
    return run.findings(HOSTILE)


def assert_file_error(findings: list[dict[str, Any]], rule: str, line: int, phrase: str) -> None:
    """The hostile file is reported as an error of a file-level rule, with one finding as expected.

    The message is matched loosely (a key phrase, case-insensitive), so wording can improve freely.
    """
    assert findings, "the hostile file has no finding"
    for finding in findings:
        assert finding["severity"] == "error", finding
        assert finding["rule"] in FILE_RULES, finding
    wanted = [
        f
        for f in findings
        if f["rule"] == rule and f["line"] == line and phrase.lower() in f["message"].lower()
    ]
    assert wanted, f"no {rule} finding at line {line} mentioning {phrase!r}: {findings}"


def job(*extra: str, name: str = "hostile-job") -> str:
    """A valid SQL job (lines 1-5) followed by `extra` lines (line 6 onwards)."""
    head = ["kind: FlinkSqlJob", f"name: {name}", "queue: flink_q", 'flinkVersion: "1.15"']
    return "\n".join([*head, "sql: SELECT 1", *extra]) + "\n"


# --- Files that hold no job at all -------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n   \n", b"# only a comment\n  # and another\n\n", b"...\n"],
    ids=["empty", "blank-lines", "comments", "bare-end-marker"],
)
def test_file_without_documents_is_an_error(tmp_path: Path, content: bytes) -> None:
    """A job file that holds no job is a mistake (a truncated commit), not a pass."""
    findings = check_beside_neighbours(tmp_path, content)
    assert len(findings) == 1
    assert findings[0]["rule"] in FILE_RULES and findings[0]["line"] == 1


def test_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    """The message names the actual problem."""
    assert_file_error(check_beside_neighbours(tmp_path, b""), "schema", 1, "empty")


def test_binary_file(tmp_path: Path) -> None:
    """Random bytes (a stray archive or image named .yaml) are refused as binary at the NUL's line."""
    raw = bytearray(random.Random(20261123).randbytes(64 * 1024))
    raw[5000] = 0
    first_nul = raw.index(0)
    line = raw[:first_nul].count(b"\n") + 1
    assert_file_error(check_beside_neighbours(tmp_path, bytes(raw)), "yaml-syntax", line, "binary")


@pytest.mark.parametrize(
    "content",
    ["- kind: FlinkSqlJob\n- name: x\n", "just a sentence\n", "null\n", "~\n", "42\n", "[]\n"],
    ids=["list", "scalar", "null", "tilde", "number", "empty-list"],
)
def test_non_mapping_document(tmp_path: Path, content: str) -> None:
    """A document that is not a mapping is a schema error at line 1 that says a mapping is needed."""
    assert_file_error(check_beside_neighbours(tmp_path, content), "schema", 1, "mapping")


@pytest.mark.parametrize("content", ["- a\n- b\n", "just a sentence\n", "null\n"])
def test_non_mapping_document_gets_one_clear_finding(tmp_path: Path, content: str) -> None:
    """One finding, about the document: no empty quoted path ("'' must be a mapping") and no
    requirement of SQL jobs (the schema's if/then once applied to non-objects too)."""
    findings = check_beside_neighbours(tmp_path, content)
    assert len(findings) == 1, findings
    assert "''" not in findings[0]["message"]
    assert "FlinkSqlJob" not in findings[0]["message"]


@pytest.mark.parametrize(
    "content", ["---\n", "--- # one\n---\n", job() + "---\n"], ids=["alone", "two", "after-a-job"]
)
def test_empty_document_is_reported_on_an_existing_line(tmp_path: Path, content: str) -> None:
    """Whatever is said about an empty document is said at a line the file has (an annotation on
    a line past the end is lost), and a file of nothing but separators still holds no job."""
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE)
    findings = run.findings(HOSTILE)
    assert all(1 <= f["line"] <= content.count("\n") for f in findings), findings
    if "kind:" not in content:
        assert run.returncode == 1 and findings


# --- Wrong types everywhere --------------------------------------------------------------------

WRONG_TOP_LEVEL = [
    "kind: 5",
    "name: 42",
    "description: [a, b]",
    "queue: {name: flink_q}",
    "flinkVersion: 1.15",
    "jobType: true",
    "sql: 7",
    "sqlFile: [x.sql]",
    "jar: obs://bucket/app.jar",
    "resources: 8",
    "checkpoint: true",
    "obsBucket: 3",
    'logEnabled: "yes"',
    "restartOnException: 1",
    'resumeFromCheckpoint: "no"',
    'resumeMaxTimes: "3"',
    "smnTopic: [alerts]",
    "idleStateRetentionSeconds: 1.5",
    "dirtyDataStrategy: 0",
    "scaling: [enabled]",
    "runtimeConfig: a=b",
    "tags: [team]",
]


def test_wrong_type_for_every_top_level_key(tmp_path: Path) -> None:
    """Every key of the issue's job document with a wrong type: one schema error each, at its line."""
    findings = check_beside_neighbours(tmp_path, "\n".join(WRONG_TOP_LEVEL) + "\n")
    assert all(f["rule"] == "schema" for f in findings), findings
    assert sorted(f["line"] for f in findings) == list(range(1, len(WRONG_TOP_LEVEL) + 1))
    for finding in findings:
        key = WRONG_TOP_LEVEL[finding["line"] - 1].split(":")[0]
        assert key in finding["message"], finding


WRONG_NESTED = """\
kind: FlinkJarJob
name: wrong-nested
queue: flink_q
flinkVersion: "1.15"
jar:
  entrypoint: 5
  mainClass: [Main]
  args: --window
  dependencyJars: {a: b}
  dependencyFiles: 3
resources:
  cu: eight
  managerCu: [1]
  parallelism: 1.5
  taskManagerCu: true
  slotsPerTaskManager: {}
checkpoint:
  enabled: "true"
  intervalSeconds: "60"
  mode: 1
  path: [obs]
scaling:
  enabled: 1
  intervalMinutes: "30"
  cuMin: 2.5
  cuMax: null
  priority: high
runtimeConfig:
  table.exec.state.ttl: [1h]
tags:
  team: {name: data}
"""


def test_wrong_type_for_every_nested_key(tmp_path: Path) -> None:
    """Nested keys too; and no rule builds a finding on a value the schema rejected."""
    findings = check_beside_neighbours(tmp_path, WRONG_NESTED)
    lines = WRONG_NESTED.splitlines()
    wrong = [n for n, text in enumerate(lines, 1) if text.startswith("  ")]
    assert all(f["rule"] == "schema" for f in findings), findings
    assert sorted(f["line"] for f in findings) == wrong


# --- Huge numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "rule", "phrase"),
    [
        ("resumeMaxTimes: 1e999", "schema", "whole number"),
        ("resumeMaxTimes: -1e999", "schema", "whole number"),
        ("resumeMaxTimes: .nan", "schema", "whole number"),
        (f"idleStateRetentionSeconds: {'9' * 5000}", "yaml-syntax", "digits"),
        (f"obsBucket: {2**70}", "schema", "string"),
        (f"smnTopic: {-(2**70)}", "schema", "string"),
    ],
    ids=["1e999", "-1e999", "nan", "5000-digits", "2**70", "-2**70"],
)
def test_huge_number(tmp_path: Path, extra: str, rule: str, phrase: str) -> None:
    """Numbers past float and int limits are reported at their line, never an OverflowError."""
    findings = check_beside_neighbours(tmp_path, job(extra))
    assert_file_error(findings, rule, 6, phrase)


def test_huge_integer_where_a_number_is_expected(tmp_path: Path) -> None:
    """2**70 CUs is a valid integer to the schema, and out of range for DLI: reported at its line."""
    (tmp_path / HOSTILE).write_text(job("resources:", f"  cu: {2**70}"))
    run = run_cli(tmp_path, HOSTILE)
    assert run.returncode == 1
    assert [(f["rule"], f["line"]) for f in run.findings(HOSTILE)] == [("resources-range", 7)]


# --- Size and depth ----------------------------------------------------------------------------


def test_ten_megabyte_file(tmp_path: Path) -> None:
    """A 10 MB file (here: a job with an enormous inline SQL) is refused at line 1, unparsed."""
    sql = "".join(f"  INSERT INTO sink_{n} SELECT * FROM src_{n};\n" for n in range(250_000))
    content = job().replace("sql: SELECT 1\n", "sql: |\n" + sql)
    assert len(content) > 10_000_000
    assert_file_error(check_beside_neighbours(tmp_path, content), "yaml-syntax", 1, "KiB")


DEEP = {
    "flow-sequences": "[" * 200_000 + "]" * 200_000 + "\n",
    "flow-mappings": "{a: " * 100_000 + "b" + "}" * 100_000 + "\n",
    "dash-sequences": "- " * 100_000 + "x\n",
    "block-sequences": "".join(" " * (2 * n) + "-\n" for n in range(900)) + " " * 1800 + "x\n",
    "block-mappings-top": "".join(" " * n + "k:\n" for n in range(1300)),
    "flow-under-key": job("tags: " + "[" * 150_000 + "]" * 150_000),
}


@pytest.mark.parametrize("content", DEEP.values(), ids=DEEP.keys())
def test_deeply_nested_document(tmp_path: Path, content: str) -> None:
    """Nesting far beyond a job document's four levels is an error, not a C stack overflow."""
    findings = check_beside_neighbours(tmp_path, content)
    assert findings
    assert all(f["rule"] in FILE_RULES and f["severity"] == "error" for f in findings)


def test_deep_flow_nesting_says_nesting(tmp_path: Path) -> None:
    """The message tells the user what is wrong (nesting), at the line where it happens."""
    findings = check_beside_neighbours(tmp_path, job("tags: " + "[" * 150_000 + "]" * 150_000))
    assert_file_error(findings, "yaml-syntax", 6, "nesting")


def test_deep_block_mapping_under_a_typed_key(tmp_path: Path) -> None:
    """Block-style nesting (indentation only, no indicator characters) under `name:`, < 1 MiB."""
    deep = "".join(" " * n + "k:\n" for n in range(1, 1300))
    content = job(name="deep").replace("name: deep\n", "name:\n" + deep)
    assert len(content) < 1024 * 1024
    findings = check_beside_neighbours(tmp_path, content)
    assert findings
    assert all(f["rule"] in FILE_RULES for f in findings)


# --- Aliases -----------------------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: `levels` anchors, each a list of `width` aliases of the previous."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "content",
    [billion_laughs(), job("tags:", "  bomb: *a8").replace("kind", billion_laughs() + "kind", 1)],
    ids=["bare", "inside-a-job"],
)
def test_billion_laughs(tmp_path: Path, content: str) -> None:
    """9**9 (387 million) nodes by aliases: refused as an alias bomb within the memory cap."""
    findings = check_beside_neighbours(tmp_path, content)
    assert findings and all(f["rule"] == "yaml-syntax" for f in findings), findings
    assert "alias" in findings[0]["message"]


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        ("a: &a\n  b: *a\n", {1, 2}),
        ("a: 1\nb: &x [*x]\n", {2}),
        (job("tags: &t", "  self: *t"), {6, 7}),
    ],
    ids=["mapping", "flow-sequence", "inside-a-job"],
)
def test_recursive_alias(tmp_path: Path, content: str, lines: set[int]) -> None:
    """A node that contains itself is reported, not walked forever."""
    findings = check_beside_neighbours(tmp_path, content)
    assert len(findings) == 1 and findings[0]["rule"] == "yaml-syntax", findings
    assert findings[0]["line"] in lines
    assert "itself" in findings[0]["message"] or "recursive" in findings[0]["message"]


def test_alias_repeating_a_long_string_is_refused_in_few_bytes(tmp_path: Path) -> None:
    """A 50,000-character string aliased 2,000 times: 103 KB that once printed 100 MB (every
    finding quoted it). Aliases may repeat only so much text in a file: one finding, short output."""
    content = (
        job(
            f"description: &big {'x' * 50_000}",
            "jar: {entrypoint: obs://b/a.jar, dependencyJars: ["
            + ", ".join(["*big"] * 2000)
            + "]}",
        )
        .replace("FlinkSqlJob", "FlinkJarJob")
        .replace("sql: SELECT 1\n", "")
    )
    assert len(content) < 110_000
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE, output="text")
    assert run.returncode == 1
    assert len(run.stdout) < 1000, run.stdout[:1000]
    [finding] = run_cli(tmp_path, HOSTILE).findings(HOSTILE)
    assert (finding["rule"], finding["line"]) == ("yaml-syntax", 6)
    assert "aliases repeat" in finding["message"] and "text" in finding["message"]


def test_small_alias_trees_in_many_documents_are_refused(tmp_path: Path) -> None:
    """Each document under the per-document budget, 55 of them in under 1 MiB: what aliases add is
    counted over the whole file, which the check refuses once (it ran 300 s at 1.48 GB)."""
    document = (
        job(
            "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
            "jar: {entrypoint: obs://b/a.jar, args: [" + ",".join(["*a"] * 4500) + "]}",
        )
        .replace("FlinkSqlJob", "FlinkJarJob")
        .replace("sql: SELECT 1\n", "")
    )
    content = "---\n".join([document] * 55)
    assert len(content) < 1024 * 1024
    findings = check_beside_neighbours(tmp_path, content)
    assert [f["rule"] for f in findings if f["rule"] == "yaml-syntax"] == ["yaml-syntax"]
    assert_file_error(
        [f for f in findings if f["rule"] == "yaml-syntax"],
        "yaml-syntax",
        content.count("\n", 0, content.index("[*a", len(document))) + 1,
        "aliases repeat",
    )


def test_a_large_file_without_aliases_is_not_an_alias_bomb(tmp_path: Path) -> None:
    """Only what aliases add counts: 60,000 nodes written out, and an '&' in the SQL, are no bomb
    (the one finding is DLI's limit of tags, not an alias bomb)."""
    tags = "".join(f"  t{n}: v\n" for n in range(30_000))
    content = job("description: a && b", "tags:").replace("\ntags:\n", "\ntags:\n" + tags)
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE)
    findings = run.findings(HOSTILE)
    assert run.returncode == 1
    assert [(f["rule"], "at most 19 tags" in f["message"]) for f in findings] == [("schema", True)]


# --- Encoding and syntax -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"kind: FlinkSqlJob\nname: x\nqueue: caf\xe9\nflinkVersion: '1.15'\n", 3),
        (b"\xff\xfekind: FlinkSqlJob\n", 1),
        (b"kind: FlinkSqlJob\nname: x\nqueue: q\n# truncated \xe2\x82", 4),
        (b"kind: FlinkSqlJob\nname: \xed\xa0\x80\n", 2),
    ],
    ids=["latin-1", "utf-16-bom", "truncated-sequence", "surrogate"],
)
def test_invalid_utf8(tmp_path: Path, content: bytes, line: int) -> None:
    """The finding names the encoding problem at the line of the bad byte."""
    assert_file_error(check_beside_neighbours(tmp_path, content), "yaml-syntax", line, "UTF-8")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    """Windows editors write a BOM: the file is read normally, lines and columns unshifted."""
    (tmp_path / HOSTILE).write_bytes(b"\xef\xbb\xbf" + FLAWED_JOB.replace("flawed", "bom").encode())
    (tmp_path / GOOD).write_bytes(b"\xef\xbb\xbf" + GOOD_JOB.encode())
    run = run_cli(tmp_path, GOOD, HOSTILE)
    assert run.returncode == 1
    assert run.findings(GOOD) == []
    findings = run.findings(HOSTILE)
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [(FLAWED_RULE, 7, 7)]
    assert run.report["summary"]["jobs"] == 2


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
@pytest.mark.parametrize(
    "line6",
    ["description: {}", 'description: "a{}b"', "description: x # a comment{}b"],
    ids=["plain", "quoted", "comment"],
)
def test_unicode_line_separators_are_not_line_breaks(tmp_path: Path, char: str, line6: str) -> None:
    """Text pasted from a word processor carries U+2028; line numbers must still match the editor."""
    content = job(line6.format(char), "resources:", "  cu: 500")
    (tmp_path / HOSTILE).write_text(content, encoding="utf-8")
    run = run_cli(tmp_path, HOSTILE)
    assert [(f["rule"], f["line"]) for f in run.findings(HOSTILE)] == [(FLAWED_RULE, 8)]


def test_tab_indentation(tmp_path: Path) -> None:
    """A tab where YAML needs spaces is a syntax error at the tab's line."""
    content = "kind: FlinkSqlJob\nname: tabs\n\tqueue: flink_q\n"
    assert_file_error(check_beside_neighbours(tmp_path, content), "yaml-syntax", 3, "tab")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (job("name: second-name"), 6),
        (job("resources:", "  cu: 4", "  cu: 500"), 8),
    ],
    ids=["top-level", "nested"],
)
def test_duplicate_key(tmp_path: Path, content: str, line: int) -> None:
    """YAML forbids duplicate keys; silently keeping the last hides what the author meant."""
    assert_file_error(check_beside_neighbours(tmp_path, content), "yaml-syntax", line, "duplicate")


def test_multi_document_file_with_one_broken_document(tmp_path: Path) -> None:
    """The broken document is a syntax error at its line; the documents before it are still checked."""
    first = FLAWED_JOB.replace("flawed", "multi-one")
    broken = "kind: FlinkSqlJob\nname: multi-two\nqueue: a: b\n"
    content = first + "---\n" + broken
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE)
    assert run.returncode == 1
    found = {(f["rule"], f["line"]) for f in run.findings(HOSTILE)}
    assert (FLAWED_RULE, FLAWED_LINE) in found
    assert ("yaml-syntax", 11) in found
    assert check_beside_neighbours(tmp_path, content)


# --- YAML tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        '!!python/object/apply:os.system ["touch pwned"]',
        "!Ref SomeParameter",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
    ],
    ids=["python-object", "unknown-tag", "binary", "set"],
)
def test_foreign_tags(tmp_path: Path, extra: str) -> None:
    """Tags from other tools are an error at their line, and never run code."""
    findings = check_beside_neighbours(tmp_path, job(f"smnTopic: {extra}"))
    assert findings and all(f["line"] == 6 for f in findings), findings
    assert not (tmp_path / "pwned").exists()


def test_str_tag_is_honoured(tmp_path: Path) -> None:
    """`!!str 1.15` is the string "1.15": a valid flinkVersion, no finding."""
    content = job().replace('flinkVersion: "1.15"', "flinkVersion: !!str 1.15")
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE)
    assert (run.returncode, run.findings(HOSTILE)) == (0, [])


@pytest.mark.parametrize(
    "extra",
    ["resumeMaxTimes: !!float abc", "logEnabled: !!bool maybe", "smnTopic: !!timestamp garbage"],
    ids=["float", "bool", "timestamp"],
)
def test_explicit_tag_with_impossible_value(tmp_path: Path, extra: str) -> None:
    """`!!float abc` cannot be a float: a finding at its line (the constructor's ValueError,
    KeyError or AttributeError once escaped as a traceback and stopped the whole run)."""
    findings = check_beside_neighbours(tmp_path, job(extra))
    assert findings and all(f["line"] == 6 for f in findings), findings


def test_explicit_int_tag_on_a_word(tmp_path: Path) -> None:
    """The message must not send the user looking for a long number that is not there."""
    findings = check_beside_neighbours(tmp_path, job("resumeMaxTimes: !!int abc"))
    assert findings and all(f["line"] == 6 for f in findings), findings
    assert not any("too long" in f["message"] for f in findings), findings


# --- Inputs under the size cap that were once quadratic (speed: bench/hostile_bench.py) --------


def test_many_unknown_keys_placed_and_counted(tmp_path: Path) -> None:
    """20,000 unknown keys (~190 KB) are 20,000 findings in seconds; placing each finding by a
    scan of the whole mapping made this quadratic (about 17 s here, minutes at the 1 MiB cap).
    Every one is placed and counted; the first MAX_LISTED are listed."""
    content = "".join(f"k{n}: 1\n" for n in range(20_000))
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE)
    listed = run.findings(HOSTILE)
    assert len(listed) == MAX_LISTED  # four missing keys at line 1, then the unknown ones in order
    unknown = [f for f in listed if "unknown key" in f["message"]]
    assert [f["line"] for f in unknown] == list(range(1, MAX_LISTED - 4 + 1))
    summary = run.report["summary"]
    assert (summary["errors"], summary["unlisted"]) == (20_000 + 4, 20_004 - MAX_LISTED)


def test_many_rejected_values_counted(tmp_path: Path) -> None:
    """80,000 tag values the schema rejects: setting each aside once copied the tags each time
    (quadratic: about 45 s here). One more error: DLI's limit of tags."""
    content = job("tags:") + "".join(f"  k{n}: ~\n" for n in range(80_000))
    (tmp_path / HOSTILE).write_text(content)
    run = run_cli(tmp_path, HOSTILE, output="text")
    assert run.returncode == 1
    assert run.stdout.splitlines()[-1] == (
        "80001 errors, 0 warnings in 1 file (1 job); 79001 not listed (at most 1000 a file)"
    )


def _peak_rss_kib(directory: Path, *args: str) -> int:
    """Peak resident memory of one CLI run (from wait4, as the benchmark measures it)."""
    command = [sys.executable, "-m", "dli_flink", "validate", "--format", "json", *args]
    with open(os.devnull, "w") as sink:
        child = subprocess.Popen(command, cwd=directory, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode in (0, 1), child.returncode
    return usage.ru_maxrss


def test_memory_does_not_grow_with_the_number_of_findings(tmp_path: Path) -> None:
    """Two files of the same size, one clean and one with 80,000 findings. The findings kept are a
    file's first MAX_LISTED; the rest cost only while their document is checked (its Problems, about
    150 bytes each, bounded by the 1 MiB file cap). It was about 1.3 KiB a finding, kept to the end
    (2.3 KiB in JSON): 105 MiB more for these in text, 180 MiB in JSON."""
    findings = 80_000
    # Both on the node path (an "&" sends a file there): the same parse, only the findings differ.
    tags = "# & \n" + "".join(f"  k{n}: ~\n" for n in range(findings))
    (tmp_path / "clean.yaml").write_text(job("tags:") + tags.replace("~", "1"))
    (tmp_path / "dirty.yaml").write_text(job("tags:") + tags)
    clean = _peak_rss_kib(tmp_path, "clean.yaml")
    dirty = _peak_rss_kib(tmp_path, "dirty.yaml")
    assert (dirty - clean) * 1024 / findings < 400, (clean, dirty)


@pytest.mark.parametrize("tail", ["!", "-- ", "x" * 5000 + "!"], ids=["bang", "dashes", "word"])
def test_suppression_comment_with_long_whitespace(tmp_path: Path, tail: str) -> None:
    """A long suppression comment must not hang the pre-commit hook (the regex once backtracked
    cubically: 3,200 spaces took 75 s); the finding on that line is still reported."""
    content = job("smnTopic: 5  # dli-flink: disable=" + " " * 5000 + tail)
    findings = check_beside_neighbours(tmp_path, content)
    assert ("schema", 6) in {(f["rule"], f["line"]) for f in findings}, findings


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "sparse-4GiB"])
def test_sql_file_that_never_ends(tmp_path: Path, target: str) -> None:
    """sqlFile naming something endless is a sql-file finding at its line, not a hung hook."""
    if target == "fifo":
        os.mkfifo(tmp_path / "pipe.sql")
        target = "pipe.sql"
    elif target == "sparse-4GiB":
        with (tmp_path / "huge.sql").open("wb") as handle:
            handle.truncate(4 << 30)
        target = "huge.sql"
    content = job().replace("sql: SELECT 1", f"sqlFile: {target}")
    findings = check_beside_neighbours(tmp_path, content)
    assert [(f["rule"], f["line"]) for f in findings] == [("sql-file", 5)]


# --- Paths that are not job files ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_named_pipe_or_device_is_refused_unread(tmp_path: Path, kind: str) -> None:
    """A FIFO named on the command line once blocked the hook forever (open waits for a writer): it
    is refused unread, in one line naming it, and the other files are still checked."""
    if kind == "fifo":
        os.mkfifo(tmp_path / HOSTILE)
    else:
        (tmp_path / HOSTILE).symlink_to("/dev/zero")
    (tmp_path / GOOD).write_text(GOOD_JOB)
    (tmp_path / FLAWED).write_text(FLAWED_JOB)
    run = run_cli(tmp_path, GOOD, HOSTILE, FLAWED)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"dli-flink: {HOSTILE}: ") and "not a regular file" in run.stderr
    assert [(f["rule"], f["line"]) for f in run.findings(FLAWED)] == [(FLAWED_RULE, FLAWED_LINE)]
    assert run.findings(GOOD) == []


def test_symlink_loop_named_explicitly_is_named_as_a_loop(tmp_path: Path) -> None:
    """A symlink pointing at itself exists; "no such file" sent the user looking for a missing file."""
    (tmp_path / HOSTILE).symlink_to(HOSTILE)
    run = run_cli(tmp_path, HOSTILE)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"dli-flink: {HOSTILE}: a symbolic link loop"), run.stderr
    assert "no such file" not in run.stderr


# --- Output integrity --------------------------------------------------------------------------


def test_key_with_newline_cannot_forge_a_finding_line(tmp_path: Path) -> None:
    """Every text line names a real finding; a crafted key must not inject another one."""
    (tmp_path / HOSTILE).write_text(job('"x\\nforged.yaml:1:1: error schema injected": 1'))
    run = run_cli(tmp_path, HOSTILE, output="text")
    assert run.returncode == 1
    assert "\nforged.yaml:" not in run.stdout
    assert len(run.stdout.splitlines()) == 2  # one finding and the summary


def test_file_name_with_newline_cannot_forge_a_finding_line(tmp_path: Path) -> None:
    """A file name is repository content too: one text line per finding, whatever it is called."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "x\nforged.yaml:9:9: error schema injected\ny.yaml").write_text("kind: 5\n")
    findings = run_cli(tmp_path, "jobs").report["findings"]
    run = run_cli(tmp_path, "jobs", output="text")
    assert run.returncode == 1
    assert not any(line.startswith("forged.yaml:") for line in run.stdout.splitlines())
    assert len(run.stdout.splitlines()) == len(findings) + 1  # the findings and the summary


HOSTILE_FOLDER: dict[str, bytes] = {
    "empty.yaml": b"",
    "binary.yaml": bytes(range(256)) * 4,
    "list.yaml": b"- a\n- b\n",
    "latin1.yaml": b"kind: FlinkSqlJob\nname: caf\xe9\n",
    "bomb.yaml": billion_laughs().encode(),
    "deep.yml": b"[" * 100_000 + b"]" * 100_000,
    "types.yaml": ("\n".join(WRONG_TOP_LEVEL) + "\n").encode(),
    "numbers.yaml": job("resumeMaxTimes: 1e999", f"obsBucket: {2**70}").encode(),
}


@pytest.mark.parametrize("output", ["text", "json", "github", "sarif"])
def test_hostile_folder_in_every_format(tmp_path: Path, output: str) -> None:
    """A folder of hostile files, walked recursively: every format renders, every file is reported."""
    jobs = tmp_path / "jobs"
    (jobs / "nested").mkdir(parents=True)
    for name, raw in HOSTILE_FOLDER.items():
        (jobs / "nested" / name).write_bytes(raw)
    (jobs / GOOD).write_text(GOOD_JOB)
    (jobs / FLAWED).write_text(FLAWED_JOB)
    run = run_cli(tmp_path, "jobs", output=output)
    assert run.returncode == 1, run.stderr
    for name in [*HOSTILE_FOLDER, FLAWED]:
        assert name in run.stdout, f"{name} not reported in {output}"
    assert GOOD not in run.stdout.replace("good-neighbour", "")
    if output in ("json", "sarif"):
        json.loads(run.stdout)
