"""The two sides of a change to job files, read alike: the files at a git revision, and the work tree.

review and rehearse compare the jobs of a revision with those of the work tree. Both read them here,
so the sides differ only in where the bytes come from, and are decoded and parsed by the same rules
(a file unreadable on disk is unreadable in git too).

A file is read whole or not at all: a YAML error, or a document that is not a named job, makes the
file unreadable, with the reasons as errors, because `load_jobs` stops the Pulumi program on it (so
none of its jobs is deployed, changed or deleted).

A job's SQL is part of the job: a `sqlFile` is read on the same side as the YAML file that names it,
relative to that file, as validate and the Pulumi resources read it; at the revision from git, in the
`git cat-file` that reads the job files when the work tree names the same sqlFile, else in one more
for all. A sqlFile outside the repository is not versioned: both sides read it from disk, since it
is the same file. Documents are parsed first and their SQL read after, for the files a
caller compares only: a review of one changed file among a thousand reads one SQL file per side.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dli_flink.cli.git import Repository
from dli_flink.model.files import UsageError, collect_files
from dli_flink.model.findings import Finding, Problem, Severity
from dli_flink.model.source import Document, SourceError, load_documents, read_text, text_of
from dli_flink.model.spec import JobSpec, read_sql, sql_of
from dli_flink.rules import engine, yaml_syntax
from dli_flink.rules.config import Config

Files = dict[str, "JobFile"]
"""Job files by their names in git."""


@dataclass(frozen=True)
class Job:
    """A named job document of a file, on one side."""

    spec: JobSpec
    document: Document
    file: str
    """The file as git names it."""
    problems: list[Problem]
    """The schema's problems with the document; the caller runs the rules it needs."""


@dataclass(frozen=True)
class JobFile:
    """The jobs of one file on one side, or why it cannot be read."""

    jobs: list[Job]
    """Empty for a file that cannot be read."""
    unreadable: list[Finding]
    """Why it cannot be read (errors, placed); empty for a file whose documents are all jobs."""


@dataclass(frozen=True)
class Skipped:
    """A job file that cannot be compared, and why."""

    file: str
    reason: str


@dataclass(frozen=True)
class WorkTree:
    """The job files under the paths a command was given, as they are on disk."""

    repo: Repository
    files: dict[str, Path]
    """Each job file by its name in git, with the path it was found at."""
    skipped: list[Skipped]

    @classmethod
    def of(cls, repo: Repository, paths: Iterable[Path], config: Config) -> WorkTree:
        """The job files validate would check under `paths`; those that lead out of the repository
        are skipped (a symbolic link: git versions the link, not what it points to)."""
        files, skipped = {}, []
        for path in collect_files(paths, config.exclude, config.root):
            name = repo.inside(path)
            if name is None:
                reason = (
                    f"a symbolic link out of the repository (to {path.resolve()}): git does not "
                    "version what it points to"
                )
                skipped.append(Skipped(path.as_posix(), reason))
            else:
                files[name] = path
        return cls(repo, files, skipped)

    def jobs(self) -> Files:
        """Every file's jobs, their SQL not read yet (`with_sql`); UsageError for a file that
        cannot be opened, which no run can review."""
        files = {}
        for name, path in self.files.items():
            try:
                files[name] = _decoded(lambda path=path: read_text(path), name)
            except OSError as error:
                raise UsageError(f"{path}: cannot be read: {error.strerror or error}") from None
        return files

    def with_sql(self, files: Files) -> Files:
        """`files` with each job's sqlFile read from disk, relative to the file it was found at."""
        return {
            name: _with_sql(file, lambda job, where: read_sql(self.files[job.file].parent / where))
            for name, file in files.items()
        }


@dataclass(frozen=True)
class Revision:
    """The job files at the commit a command compares the work tree with."""

    repo: Repository
    _fetched: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)
    """Files read ahead: the sqlFiles `with_sql` will likely ask for."""

    def jobs(self, names: Iterable[str], ahead: Iterable[str] = ()) -> Files:
        """The jobs of the files `names` at the commit (files it lacks are left out), their SQL not
        read yet (`with_sql`). The files `ahead` (the sqlFiles the work tree names) are read in the
        same git process, which saves `with_sql` one when they are the ones it needs."""
        names = list(names)
        shown = self.repo.show(names + sorted(set(ahead) - set(names)))
        self._fetched.update(shown)
        return {
            name: _decoded(lambda raw=raw: text_of(raw), name)
            for name in names
            if (raw := shown.get(name)) is not None
        }

    def with_sql(self, files: Files) -> Files:
        """`files` with each job's sqlFile read at the commit, relative to the file that names it
        (one git process for all); from disk where it leads out of the repository."""
        places = {
            id(job): self._place(job.file, where)
            for file in files.values()
            for job in file.jobs
            if (where := _sql_file(job)) is not None
        }
        wanted = {name for name, _ in places.values() if name is not None}
        texts = {name: raw for name in wanted if (raw := self._fetched.get(name)) is not None}
        texts.update(self.repo.show(sorted(wanted - self._fetched.keys())))
        return {
            name: _with_sql(file, lambda job, _: _sql_at(texts, *places[id(job)]))
            for name, file in files.items()
        }

    def _place(self, file: str, sql_file: str) -> tuple[str | None, Path]:
        """Where a sqlFile is, relative to `file`: its name in git (None outside the repository)
        and its path on disk."""
        path = self.repo.root / posixpath.dirname(file) / sql_file
        return self.repo.inside(path), path


def sql_names(file: JobFile) -> set[str]:
    """The sqlFiles of the jobs of `file` as git names them, those inside the repository: a change
    to one is a change to its job. Worked out from the names alone, with no look at the disk for
    each job: a path through a symbolic link is a name git does not track, which only makes its job
    compared."""
    names = set()
    for job in file.jobs:
        where = _sql_file(job)
        if where is None:
            continue
        name = posixpath.normpath(posixpath.join(posixpath.dirname(job.file), where))
        if not name.startswith(("/", "../")) and name != "..":
            names.add(name)
    return names


def _decoded(text: Callable[[], str], file: str) -> JobFile:
    """The jobs of `file` whose text `text()` gives (or SourceError for what cannot be YAML)."""
    try:
        return _parse(text(), file)
    except SourceError as error:
        problem = Problem(yaml_syntax.ID, (), error.message)
        return JobFile([], [_error(file, (error.line, error.column), problem)])


def _parse(text: str, file: str) -> JobFile:
    """The named jobs of one file with the schema's problems, or why it cannot be read: the
    schema's problems with each document that is not a named job."""
    jobs, unreadable = [], []
    for document in load_documents(Path(file), text):
        spec, problems = engine.parse(document.data)
        if spec is not None and isinstance(spec.name, str):
            jobs.append(Job(spec, document, file, problems))
        else:
            unreadable.extend(
                _error(file, document.position(p.path, p.on_key, p.anchor), p) for p in problems
            )
    return JobFile([], unreadable) if unreadable else JobFile(jobs, [])


def _error(file: str, position: tuple[int, int], problem: Problem) -> Finding:
    """A reason a file cannot be read: an error whatever the configuration says of its rule, since
    the Pulumi program stops on it."""
    return Finding(file, *position, problem.rule, Severity.ERROR, problem.message)


def _sql_file(job: Job) -> str | None:
    """The sqlFile the job's SQL is to be read from; None when the SQL is inline."""
    sql_file = job.spec.sql_file
    return sql_file if job.spec.sql is None and isinstance(sql_file, str) else None


def _sql_at(texts: Mapping[str, bytes], name: str | None, path: Path) -> str | None:
    """A sqlFile's SQL at the revision: from git, or from disk where git does not version it."""
    if name is None:
        return read_sql(path)
    raw = texts.get(name)
    return None if raw is None else sql_of(raw)


def _with_sql(file: JobFile, read: Callable[[Job, str], str | None]) -> JobFile:
    """`file` with each job's SQL as `read(job, sqlFile)` gives it; a job whose sqlFile cannot be
    read is left as it is (the sql-file rule reports it)."""
    jobs = []
    for job in file.jobs:
        where = _sql_file(job)
        sql = None if where is None else read(job, where)
        if sql is not None:
            job = replace(job, spec=JobSpec(job.spec.kind, {**job.spec.values, "sql": sql}))
        jobs.append(job)
    return replace(file, jobs=jobs)
