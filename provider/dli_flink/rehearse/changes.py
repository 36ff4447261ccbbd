"""Which jobs a change restarts: the job documents at a git revision against the working tree.

Every job file in scope is read on both sides, with the SQL of its `sqlFile` (at the revision too), so
an edit of a .sql file alone is a change of its job. Pairs are made by job name and classified by the
change planner, exactly as `review` and `pulumi up` classify them; only restart-class changes restore
from a savepoint, so only they are rehearsed.

The git access is cli/git.py's, shared with review.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from dli_flink.cli.git import Repository
from dli_flink.model.files import YAML_SUFFIXES, collect_files
from dli_flink.model.findings import Severity
from dli_flink.model.planner import Change, ChangeClass, plan
from dli_flink.model.source import SourceError, collector_paused, load_documents, read_text
from dli_flink.model.spec import JobSpec
from dli_flink.rules import engine
from dli_flink.rules.config import Config


@dataclass(frozen=True)
class JobChange:
    """A job whose change restarts it from a savepoint."""

    name: str
    file: str
    old: JobSpec
    new: JobSpec
    change: Change
    errors: int
    """Errors the rules find in the new document (validate's business, only counted here)."""


@dataclass(frozen=True)
class _Job:
    spec: JobSpec
    file: str
    errors: int


def restarts(
    paths: Iterable[Path], config: Config, base: str | None
) -> tuple[str, list[JobChange]]:
    """The commit compared with, and the restart-class changes of the jobs under `paths`."""
    with collector_paused():
        return _restarts(list(paths), config, base)


def _restarts(paths: list[Path], config: Config, base: str | None) -> tuple[str, list[JobChange]]:
    repo = Repository.open(base, "rehearse")
    scope = [repo.relative(path) for path in paths]
    listed = repo.tracked(scope)
    old_files = repo.show([name for name in listed if name.endswith(YAML_SUFFIXES)])
    old_jobs = [job for name, text in old_files.items() for job in _jobs(text, name, config, None)]
    sql_files = {_sql_path(job) for job in old_jobs if _sql_path(job)}
    old_sql = repo.show(sorted(sql_files))  # type: ignore[arg-type]
    old_by_name = {job.spec.name: _with_sql(job, old_sql) for job in old_jobs}
    changes = []
    for path in collect_files(paths, config.exclude, config.root):
        name = repo.relative(path)
        for job in _jobs(_read(path), name, config, path.parent):
            before = old_by_name.get(job.spec.name)
            if before is None:
                continue
            change = plan(before.spec, job.spec)
            if change.change_class == ChangeClass.RESTART:
                changes.append(
                    JobChange(job.spec.name, name, before.spec, job.spec, change, job.errors)
                )
    return repo.commit, sorted(changes, key=lambda c: c.name)


def _read(path: Path) -> str | None:
    try:
        return read_text(path)
    except (OSError, SourceError):
        return None


def _jobs(text: str | None, file: str, config: Config, base_dir: Path | None) -> list[_Job]:
    """The named jobs of one file; a file that is not readable YAML has none (validate says why)."""
    if text is None:
        return []
    jobs = []
    try:
        for document in load_documents(Path(file), text):
            spec, problems = engine.parse(document.data, base_dir)
            if spec is not None and isinstance(spec.name, str):
                problems += engine.check(spec, config)
                errors = sum(1 for p in problems if config.severity_of(p) == Severity.ERROR)
                jobs.append(_Job(spec, file, errors))
    except SourceError:
        return []
    return jobs


def _sql_path(job: _Job) -> str | None:
    """A job's sqlFile as a path in the repository."""
    sql_file = job.spec.sql_file
    if job.spec.sql is not None or not isinstance(sql_file, str):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(job.file), sql_file))


def _with_sql(job: _Job, texts: dict[str, str]) -> _Job:
    path = _sql_path(job)
    if path is None or path not in texts:
        return job
    return replace(job, spec=JobSpec(job.spec.kind, {**job.spec.values, "sql": texts[path]}))
