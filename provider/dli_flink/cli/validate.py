"""Validating job files: every finding of every file, placed at its line and column.

The pipeline of docs/architecture.md for YAML: source -> schema -> JobSpec -> rules -> findings. Files are
checked one by one and nothing stops at the first problem; cross-job rules run once all are read.
Positions are looked up only for the problems found, so clean files cost a parse and a few checks;
each file's problems are placed as they are found (cli/placing.py), so memory follows the files, not
the number of findings.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dli_flink.cli.placing import FileLevel, PlacedFile
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
from dli_flink.rules import engine, yaml_syntax
from dli_flink.rules.config import Config


@dataclass
class _Job:
    """A job of the run, kept for the cross-job rules: its spec, and where to place their problems."""

    spec: JobSpec
    document: Document
    file: PlacedFile


def validate(paths: Iterable[Path], config: Config) -> Report:
    with collector_paused():
        return _validate(paths, config)


def _validate(paths: Iterable[Path], config: Config) -> Report:
    report = Report()
    files: list[PlacedFile] = []
    jobs: list[_Job] = []
    for path in collect_files(paths, config.exclude, config.root):
        checked = PlacedFile(path, display_name(path), config, report)
        try:
            _check_file(checked, jobs, config)
        except OSError as error:
            report.unreadable.append(f"{one_line(checked.display)}: cannot read: {error.strerror}")
            continue
        files.append(checked)
    for index, problem in engine.check_stack([job.spec for job in jobs], config):
        jobs[index].file.add(jobs[index].document, problem)
    for checked in files:
        report.findings.extend(checked.listed())
    report.findings.sort(key=Finding.sort_key)
    report.files = len(files) + len(report.unreadable)
    report.jobs = len(jobs)
    return report


def _check_file(checked: PlacedFile, jobs: list[_Job], config: Config) -> None:
    """Read, parse and check one file, placing its problems; OSError if it cannot be read."""
    try:
        text = read_text(checked.path)
        checked.read_suppressions(text)
        empty = True
        for document in load_documents(checked.path, text):
            empty = False
            spec, problems = engine.parse(document.data, checked.path.parent)
            if spec is not None:
                problems += engine.check(spec, config)
                jobs.append(_Job(spec, document, checked))
            for problem in problems:
                checked.add(document, problem)
        if empty:
            problem = Problem(schema.RULE, (), "the file is empty: a job file holds job documents")
            checked.add(FileLevel(), problem)
    except SourceError as error:
        checked.add(FileLevel(error.line, error.column), Problem(yaml_syntax.ID, (), error.message))


def display_name(path: Path) -> str:
    """The path as the user gave it (relative), or relative to the working directory.

    Kept as it is, newlines and all: each format escapes it its own way (the text format on one
    line, GitHub's commands with their escapes, SARIF as a URI), so an annotation finds the file.
    """
    if path.is_absolute():
        with contextlib.suppress(ValueError):  # outside the working directory: keep it absolute
            path = path.resolve().relative_to(Path.cwd().resolve())
    return path.as_posix()
