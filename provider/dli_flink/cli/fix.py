"""Fixing job files: the rules' own fixes for the findings `dli-flink validate` reports, applied to
the file's text and kept only when the result reads back as intended.

Per file, in rounds: every finding that is reported (its rule on, not suppressed) and whose rule
has a fix is offered; the fix's edits become splices of the text (`fix/text.py`); each fix is tried
on top of the ones already taken and kept only when the file then reads back as exactly the
expected data, its own finding is gone and no finding appears that the file did not have. A fix
can uncover another (a renamed `scalling:` block is then checked), hence the next round, until one
takes nothing. A file with nothing to fix is never rewritten. Cross-job rules have no fix.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from dli_flink.cli.placing import parse_suppressions
from dli_flink.cli.validate import display_name
from dli_flink.fix import edits
from dli_flink.fix.text import Change, FileText, Splice, UnreadableText, overlap, spliced
from dli_flink.model.files import collect_files
from dli_flink.model.findings import Problem
from dli_flink.model.source import MAX_FILE_BYTES, SourceError, collector_paused, load_documents
from dli_flink.model.spec import JobSpec
from dli_flink.rules import RULES, engine
from dli_flink.rules.config import Config

MAX_ROUNDS = 8
"""More than any chain of fixes uncovering fixes needs (a rename, then what it uncovers)."""


class Fixed(NamedTuple):
    """A finding that was fixed, where it was, and what its rule's fix did."""

    line: int
    column: int
    rule: str
    what: str


@dataclass
class FileFix:
    """One file: its bytes before, after (None: nothing fixed, the file is left alone), the
    findings fixed and how many are left for the author."""

    path: Path
    display: str
    before: bytes = b""
    after: bytes | None = None
    fixed: list[Fixed] = field(default_factory=list)
    left: int = 0


class _Found(NamedTuple):
    """A finding as validate reports it, with what its rule's fix is given."""

    document: int
    problem: Problem
    spec: JobSpec | None
    line: int
    column: int

    @property
    def identity(self) -> tuple[int, str, tuple]:
        return self.document, self.problem.rule, self.problem.path


def fix_files(
    paths: Iterable[Path], config: Config, only: frozenset[str] | None = None
) -> Iterator[FileFix]:
    """Every job file under `paths` (validate's selection), fixed in memory; the caller writes.

    `only`: the rule ids whose findings to fix (default: every rule with a fix). OSError of a file
    propagates from the iteration that reads it.
    """
    with collector_paused():
        for path in collect_files(paths, config.exclude, config.root):
            yield fix_file(path, config, only)


def fix_file(path: Path, config: Config, only: frozenset[str] | None = None) -> FileFix:
    result = FileFix(path, display_name(path))
    with path.open("rb") as handle:
        result.before = handle.read(MAX_FILE_BYTES + 1)
    try:
        if len(result.before) > MAX_FILE_BYTES:
            raise SourceError("too large")
        text = result.before.decode("utf-8-sig")
        data, found = _findings(path, text, config)
    except (UnicodeDecodeError, SourceError):  # validate reports these; there is nothing to fix
        result.left = 1
        return result
    baseline = {f.identity for f in found}
    for _ in range(MAX_ROUNDS):
        offered = sorted((f for f in found if _has_fix(f, only)), key=lambda f: f[3:])
        if not offered:
            break
        taken = _round(path, text, data, offered, found, baseline, config)
        if taken is None:
            break
        text, data, found, fixed = taken
        result.fixed += fixed
    result.left = len(found)
    if result.fixed:
        bom = codecs.BOM_UTF8 if result.before.startswith(codecs.BOM_UTF8) else b""
        result.after = bom + text.encode("utf-8")
    return result


def _round(
    path: Path,
    text: str,
    data: list[Any],
    offered: list[_Found],
    found: list[_Found],
    baseline: set[tuple],
    config: Config,
) -> tuple[str, list[Any], list[_Found], list[Fixed]] | None:
    """One pass over the `offered` findings of `text` (`found`: all of them): the text, data and
    findings after the fixes that held, and those fixes; None when none did."""
    try:
        file_text = FileText(text)
    except UnreadableText:
        return None
    if len(file_text.roots) != len(data):
        return None
    taken: list[Splice] = []
    fixed: list[Fixed] = []
    for finding in offered:
        change = _change(file_text, finding, config)
        if change is None or overlap(change.splices, taken):
            continue
        expected = list(data)
        expected[finding.document] = edits.apply(data[finding.document], list(change.data))
        trial = spliced(text, [*taken, *change.splices])
        after = _outcome(path, trial, expected, finding, found, baseline, config)
        if after is None:
            continue
        taken += change.splices
        data, found = expected, after
        rule = RULES[finding.problem.rule]
        fixed.append(Fixed(finding.line, finding.column, rule.ID, rule.FIX))
    if not fixed:
        return None
    return spliced(text, taken), data, found, fixed


def _change(file_text: FileText, finding: _Found, config: Config) -> Change | None:
    """The rule's fix for the finding as splices, or None when it has none or one edit cannot be
    made safely (then none of its edits is)."""
    rule = RULES[finding.problem.rule]
    wanted = rule.fix(finding.problem, finding.spec, config.contexts[rule.ID])
    changes = [file_text.change(finding.document, edit) for edit in wanted]
    if not changes or any(change is None for change in changes):
        return None
    splices: list[Splice] = []
    for change in changes:
        if overlap(change.splices, splices):
            return None
        splices += change.splices
    return Change(tuple(splices), tuple(edit for c in changes for edit in c.data))


def _outcome(
    path: Path,
    text: str,
    expected: list[Any],
    finding: _Found,
    found: list[_Found],
    baseline: set[tuple],
    config: Config,
) -> list[_Found] | None:
    """The findings of the fixed text, if the fix held: it reads back as `expected`, the finding
    is gone and no finding is new to the file."""
    try:
        data, after = _findings(path, text, config)
    except SourceError:
        return None
    if data != expected or any(f.identity not in baseline for f in after):
        return None
    counts = Counter(f.identity for f in after)
    if counts[finding.identity] >= Counter(f.identity for f in found)[finding.identity]:
        return None
    return after


def _findings(path: Path, text: str, config: Config) -> tuple[list[Any], list[_Found]]:
    """Each document's data, and the per-job findings `dli-flink validate` reports in `text`: the
    configuration's severities and the file's suppressions applied, as cli/validate applies them."""
    suppressions = parse_suppressions(text) if "dli-flink:" in text else {}
    data: list[Any] = []
    found: list[_Found] = []
    for index, document in enumerate(load_documents(path, text)):
        data.append(document.data)
        spec, problems = engine.parse(document.data, path.parent)
        if spec is not None:
            problems += engine.check(spec, config)
        for problem in problems:
            if config.severity_of(problem) is None:
                continue
            line, column = document.position(problem.path, problem.on_key, problem.anchor)
            nearby = (suppressions.get(at, ((), None)) for at in (line, line - 1))
            if any(problem.rule in rules and reason for rules, reason in nearby):
                continue
            found.append(_Found(index, problem, spec, line, column))
    return data, found


def _has_fix(finding: _Found, only: frozenset[str] | None) -> bool:
    rule = finding.problem.rule
    return hasattr(RULES[rule], "fix") and (only is None or rule in only)
