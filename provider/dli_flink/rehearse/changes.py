"""Which jobs a change restarts: the job documents at a git revision against the working tree.

Every job file in scope is read on both sides, with the SQL of its `sqlFile` (at the revision too), so
an edit of a .sql file alone is a change of its job. Pairs are made by job name and classified by the
change planner, exactly as `review` and `pulumi up` classify them; only restart-class changes restore
from a savepoint, so only they are rehearsed.

The git access is review's (cli/review.py); it is imported in this one place only.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from dli_flink.cli.review import GitError, _default_base, _git, _show
from dli_flink.cli.validate import check_document, collect_files, collector_paused
from dli_flink.model.findings import Severity
from dli_flink.model.planner import Change, ChangeClass, plan
from dli_flink.model.source import SourceError, load_documents, read_text
from dli_flink.model.spec import JobSpec
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
    try:
        root = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    except GitError:
        raise GitError(
            f"{Path.cwd()} is not in a git repository: rehearse compares git revisions"
        ) from None
    revision = base or _default_base(root)
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    except GitError:
        raise GitError(
            f"unknown revision '{revision}': give --base a commit, branch or tag"
        ) from None
    scope = [path.resolve().relative_to(root).as_posix() for path in paths]
    listed = _git(root, "ls-tree", "-r", "--name-only", commit, "--", *scope).splitlines()
    old_files = _show(root, commit, [name for name in listed if name.endswith((".yaml", ".yml"))])
    old_jobs = [job for name, text in old_files.items() for job in _jobs(text, name, config, None)]
    sql_files = {_sql_path(job) for job in old_jobs if _sql_path(job)}
    old_sql = _show(root, commit, sorted(sql_files))  # type: ignore[arg-type]
    old_by_name = {job.spec.name: _with_sql(job, old_sql) for job in old_jobs}
    changes = []
    for path in collect_files(paths, config):
        name = path.resolve().relative_to(root).as_posix()
        for job in _jobs(_read(path), name, config, path.parent):
            before = old_by_name.get(job.spec.name)
            if before is None:
                continue
            change = plan(before.spec, job.spec)
            if change.change_class == ChangeClass.RESTART:
                changes.append(
                    JobChange(job.spec.name, name, before.spec, job.spec, change, job.errors)
                )
    return commit, sorted(changes, key=lambda c: c.name)


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
            spec, problems = check_document(document.data, config, base_dir)
            if spec is not None and isinstance(spec.name, str):
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
