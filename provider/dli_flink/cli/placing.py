"""One file's findings: problems placed at their line and column as they are found, suppressions
applied, and the first `MAX_LISTED` kept.

Placing a problem when it is found, rather than once every file is read, keeps nothing of a file but
its listed findings (and, for the cross-job rules, its jobs' node trees): memory does not grow with
the number of findings, and a file's text is dropped once read. Every finding is still counted, so
the summary and the exit code stay exact.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import NamedTuple

from dli_flink.model.findings import MAX_LISTED, Finding, Problem, Report, one_line, shown
from dli_flink.model.source import Document
from dli_flink.rules import RULES
from dli_flink.rules import suppression as suppression_rule
from dli_flink.rules.config import Config


@functools.cache
def _suppression() -> re.Pattern[str]:
    """Compiled when first needed: only a file that mentions `dli-flink:` is searched."""
    return re.compile(r"#[ \t]*dli-flink:[ \t]*disable=")


Suppressions = dict[int, tuple[tuple[str, ...], str | None]]
"""Line -> (rule ids, reason) of the suppression comments of a file."""


class FileLevel(NamedTuple):
    """Where a problem of the whole file is (no document to ask: it could not be read)."""

    line: int = 1
    column: int = 1
    data: None = None

    def position(self, *_: object) -> tuple[int, int]:
        return self.line, self.column


class PlacedFile:
    """The findings of one file, placed as its problems come (see the module docstring).

    A plain class, as FileLevel is a NamedTuple: see model/findings.py's Problem."""

    def __init__(self, path: Path, display: str, config: Config, report: Report) -> None:
        self.path = path
        self.display = display
        self.config = config
        self.report = report
        self.suppressions: Suppressions = {}
        self.findings: list[Finding] = []
        self.whole: list[Finding] = []
        """Findings about the whole file (why it could not be read on): always listed, since they
        explain the rest, wherever they are."""

    def read_suppressions(self, text: str) -> None:
        if "dli-flink:" in text:
            self.suppressions = parse_suppressions(text)

    def add(self, where: Document | FileLevel, problem: Problem) -> None:
        """Place `problem`, unless the configuration turns it off or a comment suppresses it."""
        severity = self.config.severity_of(problem)
        if severity is None:
            return
        line, column = where.position(problem.path, problem.on_key, problem.anchor)
        nearby = (self.suppressions.get(at, ((), None)) for at in (line, line - 1))
        if any(problem.rule in rules and reason for rules, reason in nearby):
            self.report.suppressed += 1
            return
        name = where.data.get("name") if isinstance(where.data, dict) else None
        finding = Finding(
            self.display,
            line,
            column,
            problem.rule,
            severity,
            one_line(problem.message),
            name if isinstance(name, str) else None,
        )
        if isinstance(where, FileLevel):
            self.whole.append(finding)
        else:
            self._keep(finding)

    def listed(self) -> list[Finding]:
        """The file's first MAX_LISTED findings by position, its suppression comments' included,
        and those about the whole file; call once, after the cross-job rules."""
        severity = self.config.severity(suppression_rule.ID, suppression_rule.SEVERITY)
        for line, (rules, reason) in self.suppressions.items():
            message = _suppression_mistake(rules, reason)
            if message and severity is not None:
                self._keep(Finding(self.display, line, 1, suppression_rule.ID, severity, message))
        self._trim()
        return self.findings + self.whole

    def _keep(self, finding: Finding) -> None:
        self.findings.append(finding)
        if len(self.findings) >= 2 * MAX_LISTED:  # trimmed in batches: sorting is the cost
            self._trim()

    def _trim(self) -> None:
        """Keep the first MAX_LISTED findings by position and count the others."""
        self.findings.sort(key=Finding.sort_key)
        for dropped in self.findings[MAX_LISTED:]:
            self.report.unlisted[dropped.severity] += 1
        del self.findings[MAX_LISTED:]


def _suppression_mistake(rules: tuple[str, ...], reason: str | None) -> str | None:
    unknown = [rule for rule in rules if rule not in RULES]
    if unknown:
        return (
            f"unknown rule id {shown(', '.join(unknown))} in the suppression: see dli-flink rules"
        )
    if not reason:
        return "a suppression needs a reason: # dli-flink: disable=RULE -- why"
    return None


def parse_suppressions(text: str) -> Suppressions:
    """Line -> (rule ids, reason) of every `# dli-flink: disable=RULE[,RULE] -- reason` comment.

    Split by hand after one anchored search: a regex with optional groups around the reason
    backtracks badly on long runs of spaces.
    """
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "dli-flink:" in line and (match := _suppression().search(line)):
            rules, _, reason = line[match.end() :].partition("--")
            ids = tuple(rule.strip() for rule in rules.split(",") if rule.strip())
            found[number] = (ids, reason.strip() or None)
    return found
