"""The two sides of a change to job files, read alike: the files at a git revision, and the work tree.

review and rehearse compare the jobs of a revision with those of the work tree. Both read them here,
so the sides differ only in where the bytes come from, and are decoded and parsed by the same rules
(a file unreadable on disk is unreadable in git too).

A job's SQL is part of the job: a `sqlFile` is read on the same side as the YAML file that names it,
relative to that file, as validate and the Pulumi resources read it; at the revision from git, one
`git cat-file` for all. A sqlFile outside the repository is not versioned: both sides read it from
disk, since it is the same file. Documents are parsed first and their SQL read after, for the files a
caller compares only: a review of one changed file among a thousand reads one SQL file per side.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from dli_flink.cli.git import Repository
from dli_flink.model.files import collect_files
from dli_flink.model.findings import Problem
from dli_flink.model.source import Document, SourceError, load_documents, read_text, text_of
from dli_flink.model.spec import JobSpec, read_sql, sql_of
from dli_flink.rules import engine
from dli_flink.rules.config import Config

Files = dict[str, list["Job"]]
"""Jobs by the file (as git names it) that holds them."""


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
        """The jobs of every file, their SQL not read yet (`with_sql`)."""
        return {name: parse(_read(path), name) for name, path in self.files.items()}

    def sql_names(self, jobs: list[Job]) -> set[str]:
        """The sqlFiles of `jobs` as git names them (those in the repository): a change to one is
        a change to its job."""
        return {
            name
            for job in jobs
            if (where := _sql_file(job)) is not None
            and (name := self.repo.inside(self.files[job.file].parent / where)) is not None
        }

    def with_sql(self, files: Files) -> Files:
        """`files` with each job's sqlFile read from disk, relative to the file it was found at."""
        return {
            name: [
                _with(job, read_sql(self.files[name].parent / where))
                if (where := _sql_file(job)) is not None
                else job
                for job in jobs
            ]
            for name, jobs in files.items()
        }


@dataclass(frozen=True)
class Revision:
    """The job files at the commit a command compares the work tree with."""

    repo: Repository

    def jobs(self, names: Iterable[str]) -> Files:
        """The jobs of the files `names` at the commit (files it lacks are left out), their SQL not
        read yet (`with_sql`); one git process."""
        return {
            name: parse(_decoded(raw), name) for name, raw in self.repo.show(list(names)).items()
        }

    def with_sql(self, files: Files) -> Files:
        """`files` with each job's sqlFile read at the commit, relative to the file that names it
        (one git process for all); from disk where it leads out of the repository."""
        places = {
            id(job): self._place(job.file, where)
            for jobs in files.values()
            for job in jobs
            if (where := _sql_file(job)) is not None
        }
        names = sorted({name for name, _ in places.values() if name is not None})
        texts = self.repo.show(names)
        return {
            name: [
                job
                if (place := places.get(id(job))) is None
                else _with(job, _sql_at(texts, *place))
                for job in jobs
            ]
            for name, jobs in files.items()
        }

    def _place(self, file: str, sql_file: str) -> tuple[str | None, Path]:
        """Where a sqlFile is, relative to `file`: its name in git (None outside the repository)
        and its path on disk."""
        path = self.repo.root / posixpath.dirname(file) / sql_file
        return self.repo.inside(path), path


def parse(text: str | None, file: str) -> list[Job]:
    """The named jobs of one file with the schema's problems; a file that is not readable YAML has
    none (validate reports why)."""
    jobs: list[Job] = []
    if text is None:
        return jobs
    try:
        for document in load_documents(Path(file), text):
            spec, problems = engine.parse(document.data)
            if spec is not None and isinstance(spec.name, str):
                jobs.append(Job(spec, document, file, problems))
    except SourceError:
        return []
    return jobs


def _read(path: Path) -> str | None:
    """A work-tree file's text; None when it cannot be read as YAML."""
    try:
        return read_text(path)
    except (OSError, SourceError):
        return None


def _decoded(raw: bytes) -> str | None:
    """A file's text at the revision; None when it cannot be read as YAML (as `_read` on disk)."""
    try:
        return text_of(raw)
    except SourceError:
        return None


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


def _with(job: Job, sql: str | None) -> Job:
    """The job with the SQL of its sqlFile; as it is when that cannot be read (the sql-file rule
    reports it)."""
    if sql is None:
        return job
    return replace(job, spec=JobSpec(job.spec.kind, {**job.spec.values, "sql": sql}))
