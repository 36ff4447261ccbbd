"""Validating job files: every finding of every file, placed at its line and column.

The pipeline of docs/architecture.md for YAML: source -> schema -> JobSpec -> rules -> findings. Files are
checked one by one and nothing stops at the first problem; cross-job rules run once all are read.
Positions are looked up only for the problems found, so clean files cost a parse and a few checks.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dli_flink.model import schema
from dli_flink.model.files import collect_files
from dli_flink.model.findings import Finding, Problem, Report, one_line
from dli_flink.model.source import (
    Document,
    SourceError,
    collector_paused,
    load_documents,
    read_text,
)
from dli_flink.model.spec import JobSpec
from dli_flink.rules import RULES, engine, yaml_syntax
from dli_flink.rules import suppression as suppression_rule
from dli_flink.rules.config import Config

_SUPPRESSION = re.compile(r"#[ \t]*dli-flink:[ \t]*disable=")


@dataclass
class _Job:
    spec: JobSpec
    document: Document
    file: _File


@dataclass(frozen=True)
class _FileLevel:
    """Where a problem of the whole file is (no document to ask: it could not be read)."""

    line: int = 1
    column: int = 1
    data: None = None

    def position(self, *_: object) -> tuple[int, int]:
        return self.line, self.column


@dataclass
class _File:
    path: Path
    display: str
    text: str = ""
    problems: list[tuple[Document | _FileLevel, Problem]] = field(default_factory=list)


def validate(paths: Iterable[Path], config: Config) -> Report:
    with collector_paused():
        return _validate(paths, config)


def _validate(paths: Iterable[Path], config: Config) -> Report:
    report = Report()
    files: list[_File] = []
    jobs: list[_Job] = []
    for path in collect_files(paths, config.exclude, config.root):
        checked = _File(path, _display(path))
        try:
            _check_file(checked, jobs, config)
        except OSError as error:
            report.unreadable.append(f"{one_line(checked.display)}: cannot read: {error.strerror}")
            continue
        files.append(checked)
    specs = [job.spec for job in jobs]
    for index, problem in engine.check_stack(specs, config):
        jobs[index].file.problems.append((jobs[index].document, problem))
    for checked in files:
        report.findings.extend(_place(checked, config, report))
    report.findings.sort(key=Finding.sort_key)
    report.files = len(files) + len(report.unreadable)
    report.jobs = len(jobs)
    return report


def _check_file(checked: _File, jobs: list[_Job], config: Config) -> None:
    try:
        checked.text = read_text(checked.path)
        empty = True
        for document in load_documents(checked.path, checked.text):
            empty = False
            spec, problems = engine.parse(document.data, checked.path.parent)
            if spec is not None:
                problems += engine.check(spec, config)
                jobs.append(_Job(spec, document, checked))
            checked.problems.extend((document, problem) for problem in problems)
        if empty:
            problem = Problem(schema.RULE, (), "the file is empty: a job file holds job documents")
            checked.problems.append((_FileLevel(), problem))
    except SourceError as error:
        problem = Problem(yaml_syntax.ID, (), error.message)
        checked.problems.append((_FileLevel(error.line, error.column), problem))


def _place(checked: _File, config: Config, report: Report) -> Iterator[Finding]:
    suppressions = _suppressions(checked.text) if "dli-flink:" in checked.text else {}
    for where, problem in checked.problems:
        severity = config.severity_of(problem)
        if severity is None:
            continue
        line, column = where.position(problem.path, problem.on_key, problem.anchor)
        nearby = (suppressions.get(at, ((), None)) for at in (line, line - 1))
        if any(problem.rule in rules and reason for rules, reason in nearby):
            report.suppressed += 1
            continue
        name = where.data.get("name") if isinstance(where.data, dict) else None
        yield Finding(
            checked.display,
            line,
            column,
            problem.rule,
            severity,
            one_line(problem.message),
            name if isinstance(name, str) else None,
        )
    severity = config.severity(suppression_rule.ID, suppression_rule.SEVERITY)
    for line, (rules, reason) in suppressions.items():
        unknown = [rule for rule in rules if rule not in RULES]
        message = None
        if unknown:
            message = (
                f"unknown rule id {', '.join(unknown)} in the suppression: see dli-flink rules"
            )
        elif not reason:
            message = "a suppression needs a reason: # dli-flink: disable=RULE -- why"
        if message and severity is not None:
            yield Finding(checked.display, line, 1, suppression_rule.ID, severity, message)


def _suppressions(text: str) -> dict[int, tuple[tuple[str, ...], str | None]]:
    """Line -> (rule ids, reason) of every `# dli-flink: disable=RULE[,RULE] -- reason` comment.

    Split by hand after one anchored search: a regex with optional groups around the reason
    backtracks badly on long runs of spaces.
    """
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "dli-flink:" in line and (match := _SUPPRESSION.search(line)):
            rules, _, reason = line[match.end() :].partition("--")
            ids = tuple(rule.strip() for rule in rules.split(",") if rule.strip())
            found[number] = (ids, reason.strip() or None)
    return found


def _display(path: Path) -> str:
    """The path as the user gave it (relative), or relative to the working directory.

    Kept as it is, newlines and all: each format escapes it its own way (the text format on one
    line, GitHub's commands with their escapes, SARIF as a URI), so an annotation finds the file.
    """
    if path.is_absolute():
        with contextlib.suppress(ValueError):  # outside the working directory: keep it absolute
            path = path.resolve().relative_to(Path.cwd().resolve())
    return path.as_posix()
