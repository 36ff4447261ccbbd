"""Validating job files: every finding of every file, placed at its line and column.

The pipeline of docs/architecture.md for YAML: source -> schema -> JobSpec -> rules -> findings. Files are
checked one by one and nothing stops at the first problem; cross-job rules run once all are read.
Positions are looked up only for the problems found, so clean files cost a parse and a few checks;
each file's problems are placed as they are found (cli/placing.py), so memory follows the files, not
the number of findings. With a cache (cli/cache.py), a file unchanged since the last run is not read:
its findings and specs come from its entry, and only a cross-job problem on it parses it again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from dli_flink.cli.cache import (
    Cache,
    Entry,
    Outcome,
    file_digest,
    finding_fields,
    stamp,
    text_digest,
)
from dli_flink.cli.placing import FileLevel, PlacedFile
from dli_flink.cli.workers import Workers
from dli_flink.model import schema
from dli_flink.model.files import collect_files
from dli_flink.model.findings import Finding, Problem, Report, Severity, one_line
from dli_flink.model.source import (
    Document,
    LazyDocument,
    SourceError,
    collector_paused,
    fast_data,
    load_documents,
    read_text,
)
from dli_flink.model.spec import JobSpec
from dli_flink.rules import engine, yaml_syntax
from dli_flink.rules.config import Config


class _Job:
    """A job of the run, kept for the cross-job rules: its spec, and where to place their problems.
    A plain class: see model/findings.py's Problem."""

    __slots__ = ("document", "file", "spec")

    def __init__(self, spec: JobSpec, document: Document | LazyDocument, file: PlacedFile) -> None:
        self.spec = spec
        self.document = document
        self.file = file


def validate(paths: Iterable[Path], config: Config, cache: Cache | None = None) -> Report:
    """Every finding of every job file under `paths`; with `cache`, reading and writing its
    entries (the command line does, unless --no-cache)."""
    with collector_paused():
        return _validate(paths, config, cache)


def _validate(paths: Iterable[Path], config: Config, cache: Cache | None) -> Report:
    report = Report()
    files: list[PlacedFile] = []
    jobs: list[_Job] = []
    found = collect_files(paths, config.exclude, config.root)
    cached = [cache.lookup(path) if cache else None for path in found]
    pending = [path for path, entry in zip(found, cached, strict=True) if entry is None]
    checked_apart = functools.partial(_check_apart, pending, config, cache)
    with Workers(len(pending), checked_apart) as workers:
        here = {
            index: _check_here(pending[index], config, report, cache) for index in workers.own()
        }
        done = 0
        for path, entry in zip(found, cached, strict=True):
            if entry is not None:
                checked = PlacedFile(path, display_name(path), config, report)
                _restore(checked, entry.outcome, jobs)
                files.append(checked)
                cache.entries.append((str(path), entry))  # type: ignore[union-attr]
                continue
            mine = here.pop(done, None)
            apart = workers.result(done)
            done += 1
            if apart is not None:  # checked in a worker (cli/workers.py)
                checked = PlacedFile(path, display_name(path), config, report)
                _merge(checked, apart, files, jobs, cache)
            elif isinstance(mine, str):
                report.unreadable.append(mine)
                if cache is not None:
                    cache.complete = False
            elif mine is not None:
                files.append(mine.checked)
                jobs.extend(mine.jobs)
                if cache is None:
                    continue
                if mine.entry is None:
                    cache.complete = False
                else:
                    cache.entries.append((str(path), mine.entry))
    for index, problem in engine.check_stack([job.spec for job in jobs], config):
        jobs[index].file.add(jobs[index].document, problem)
    if cache is not None:  # after the cross-job rules: the bundle keeps where their problems are
        cache.finish()
    for checked in files:
        report.findings.extend(checked.listed())
    report.findings.sort(key=Finding.sort_key)
    report.files = len(files) + len(report.unreadable)
    report.jobs = len(jobs)
    return report


class _Here:
    """A file the parent checked itself, kept until its turn in file order comes: its findings, its
    jobs and its cache entry (stored already; None without a cache or when it cannot be cached).
    A plain class, as `_Job`."""

    __slots__ = ("checked", "entry", "jobs")

    def __init__(self, checked: PlacedFile, jobs: list[_Job], entry: Entry | None) -> None:
        self.checked = checked
        self.jobs = jobs
        self.entry = entry


def _check_here(path: Path, config: Config, report: Report, cache: Cache | None) -> _Here | str:
    """Check the file `path` in the parent, its problems explained and placed: what the run
    merges in file order, or why the file could not be read."""
    checked = PlacedFile(path, display_name(path), config, report)
    jobs: list[_Job] = []
    recorded, read_ns = _stamp(path, cache)
    suppressed, unlisted = report.suppressed, report.unlisted.copy()
    try:
        text = _check_file(checked, jobs, config)
    except OSError as error:
        return _unreadable(checked, error)
    if cache is None:
        _forget_data(jobs)
        return _Here(checked, jobs, None)
    outcome = _outcome(checked, jobs, suppressed, unlisted)
    entry = _entry(checked, text, jobs, outcome, recorded, read_ns)
    if entry is not None:
        cache.store(entry)
        _forget_nodes(checked, entry.outcome, jobs)
    return _Here(checked, jobs, entry)


Apart = str | tuple[Outcome, Entry | None]
"""A file checked in a worker: why it could not be read, or its outcome and cache entry (None
without a cache, or when the file cannot be cached)."""


def _check_apart(
    pending: list[Path], config: Config, cache: Cache | None, index: int
) -> Apart | None:
    """Check the file `pending[index]` on its own, as a worker does: what the run must merge; None
    for a file with any problem, or one the fast path does not read, which the parent checks: only
    the parent then imports what placing problems needs (PyYAML), once."""
    path = pending[index]
    checked = PlacedFile(path, display_name(path), config, Report())
    jobs: list[_Job] = []
    recorded, read_ns = _stamp(path, cache)
    try:
        text = read_text(path)
    except OSError as error:
        return _unreadable(checked, error)
    except SourceError:
        return None
    checked.read_suppressions(text)
    if not _checked_fast(checked, text, jobs, config, in_worker=True):
        return None
    outcome = _outcome(checked, jobs, 0, Counter())
    if cache is None:
        return outcome, None
    entry = _entry(checked, text, jobs, outcome, recorded, read_ns)
    if entry is not None:
        cache.store(entry)
    return outcome, entry


def _stamp(path: Path, cache: Cache | None) -> tuple[tuple[int, int, int] | None, int]:
    """The file's stamp and the time, before it is read: what its cache entry records; a stat
    call a run without the cache does without."""
    return (stamp(path), time.time_ns()) if cache is not None else (None, 0)


def _merge(
    checked: PlacedFile,
    apart: Apart,
    files: list[PlacedFile],
    jobs: list[_Job],
    cache: Cache | None,
) -> None:
    """Count a file checked in a worker into the run, as one served by the cache is."""
    if isinstance(apart, str):
        checked.report.unreadable.append(apart)
        if cache is not None:
            cache.complete = False
        return
    outcome, entry = apart
    _restore(checked, outcome, jobs)
    files.append(checked)
    if cache is None:
        return
    if entry is None:
        cache.complete = False
    else:
        cache.entries.append((str(checked.path), entry))


def _unreadable(checked: PlacedFile, error: OSError) -> str:
    return f"{one_line(checked.display)}: cannot read: {error.strerror}"


def _check_file(checked: PlacedFile, jobs: list[_Job], config: Config) -> str | None:
    """Read, parse and check one file, placing its problems; OSError if it cannot be read.

    Returns the text read, or None if it was not text.
    """
    text = None
    try:
        text = read_text(checked.path)
        checked.read_suppressions(text)
        if _checked_fast(checked, text, jobs, config):
            return text
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
    return text


def _checked_fast(
    checked: PlacedFile, text: str, jobs: list[_Job], config: Config, in_worker: bool = False
) -> bool:
    """Whether the fast path (model.source.fast_data) read the file: its job is then the run's and
    its problems are placed, on a document that reads the file on the node path only for the
    positions they need (the fast path reads only files whose data both paths read alike: see
    model/source.py), so a file with findings is parsed and checked once, not again on the node
    path. `in_worker`: a file with any problem is left to the parent (False), which alone imports
    what placing problems costs (PyYAML) and explains them; a document the schema's gate rejects
    is not explained but only refused, and the gate is asked once."""
    data = fast_data(text)
    if data is None:
        return False
    valid = in_worker and schema.is_valid(data)
    if in_worker and not valid:
        return False
    spec, problems = engine.parse(data, checked.path.parent, valid=valid)
    if spec is not None:
        problems += engine.check(spec, config)
    if problems and in_worker:
        return False
    document = LazyDocument(checked.path, 0, data, text)
    if spec is not None:
        jobs.append(_Job(spec, document, checked))
    for problem in problems:
        checked.add(document, problem)
    return True


def _outcome(
    checked: PlacedFile, jobs: list[_Job], suppressed: int, unlisted: Counter[Severity]
) -> Outcome:
    """What checking a file added to the run (its findings, counts and `jobs`), given the run's
    counts before it was checked."""
    outcome_jobs = []
    for job in jobs:
        name = job.document.data.get("name")
        outcome_jobs.append((job.document.index, name if isinstance(name, str) else None, job.spec))
    report = checked.report
    return Outcome(
        findings=[finding_fields(finding) for finding in checked.findings],
        whole=[finding_fields(finding) for finding in checked.whole],
        suppressions=checked.suppressions,
        suppressed=report.suppressed - suppressed,
        unlisted=dict(report.unlisted - unlisted),
        jobs=outcome_jobs,
    )


def _entry(
    checked: PlacedFile,
    text: str | None,
    jobs: list[_Job],
    outcome: Outcome,
    recorded: tuple[int, int, int] | None,
    read_ns: int,
) -> Entry | None:
    """The cache entry of a file just checked, with its `jobs` and `outcome`: its stamp before it
    was read; None when it cannot be told unchanged later (not a regular file, or a sqlFile that
    is not what its job read: being written, or unreadable)."""
    if recorded is None:
        return None
    sql_files = []
    for job in jobs:
        sql_file = job.document.data.get("sqlFile")
        if isinstance(sql_file, str):
            sql_path = os.path.abspath(checked.path.parent / sql_file)
            sql_stamp, digest = stamp(sql_path), file_digest(sql_path)
            if sql_stamp is not None and (
                not isinstance(job.spec.sql, str) or digest != text_digest(job.spec.sql)
            ):
                return None
            sql_files.append((sql_path, sql_stamp, digest))
    digest = text_digest(text) if text is not None else b""
    return Entry(os.path.abspath(checked.path), recorded, read_ns, digest, sql_files, outcome)


def _forget_nodes(checked: PlacedFile, outcome: Outcome, jobs: list[_Job]) -> None:
    """Let a cached file's node trees go, as a run served by the cache never holds them: peak
    memory then stays below that of a run without the cache, which keeps every tree to the end."""
    for position, (index, name, _) in enumerate(outcome.jobs, len(jobs) - len(outcome.jobs)):
        jobs[position].document = LazyDocument(
            checked.path, index, {"name": name}, positions=outcome.positions
        )


def _forget_data(jobs: list[_Job]) -> None:
    """Keep of a document the fast path read only its job's name, as of a file a worker checked:
    a position a cross-job rule needs reads the file again. Its data held to the end of the run
    was most of the run's peak memory (5 KiB a file, four times its text)."""
    for job in jobs:
        if isinstance(job.document, LazyDocument):
            name = job.document.data.get("name")
            job.document = LazyDocument(job.document.path, job.document.index, {"name": name})


def _restore(checked: PlacedFile, outcome: Outcome, jobs: list[_Job]) -> None:
    """Put a cached file's findings, counts and jobs where a cold run would have put them."""
    checked.findings = [Finding(checked.display, *fields) for fields in outcome.findings]
    checked.whole = [Finding(checked.display, *fields) for fields in outcome.whole]
    checked.suppressions = outcome.suppressions
    checked.report.suppressed += outcome.suppressed
    checked.report.unlisted.update(outcome.unlisted)
    for index, name, spec in outcome.jobs:
        document = LazyDocument(checked.path, index, {"name": name}, positions=outcome.positions)
        jobs.append(_Job(spec, document, checked))


def display_name(path: Path) -> str:
    """The path as the user gave it (relative), or relative to the working directory.

    Kept as it is, newlines and all: each format escapes it its own way (the text format on one
    line, GitHub's commands with their escapes, SARIF as a URI), so an annotation finds the file.
    """
    if path.is_absolute():
        with contextlib.suppress(ValueError):  # outside the working directory: keep it absolute
            path = path.resolve().relative_to(Path.cwd().resolve())
    return path.as_posix()
