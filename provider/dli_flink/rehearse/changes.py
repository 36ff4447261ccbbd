"""Which jobs a change restarts: the job documents at a git revision against the working tree.

Every job file in scope is read on both sides, with the SQL of its `sqlFile` (at the revision too), so
an edit of a .sql file alone is a change of its job. Pairs are made by job name and classified by the
change planner, exactly as `review` and `pulumi up` classify them; only restart-class changes restore
from a savepoint, so only they are rehearsed.

Both sides are read by cli/sides.py, as review reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dli_flink.cli.git import Repository
from dli_flink.cli.sides import Job, Revision, WorkTree
from dli_flink.model.files import YAML_SUFFIXES
from dli_flink.model.findings import Severity
from dli_flink.model.planner import Change, ChangeClass, plan
from dli_flink.model.source import collector_paused
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


def restarts(
    paths: Iterable[Path], config: Config, base: str | None
) -> tuple[str, list[JobChange]]:
    """The commit compared with, and the restart-class changes of the jobs under `paths`."""
    with collector_paused():
        return _restarts(list(paths), config, base)


def _restarts(paths: list[Path], config: Config, base: str | None) -> tuple[str, list[JobChange]]:
    repo = Repository.open(base, "rehearse")
    tree, revision = WorkTree.of(repo, paths, config), Revision(repo)
    listed = repo.tracked([repo.relative(path) for path in paths])
    old_files = revision.with_sql(revision.jobs(n for n in listed if n.endswith(YAML_SUFFIXES)))
    old_by_name = {job.spec.name: job for file in old_files.values() for job in file.jobs}
    changes = []
    for name, file in tree.with_sql(tree.jobs()).items():
        for job in file.jobs:
            before = old_by_name.get(job.spec.name)
            if before is None:
                continue
            change = plan(before.spec, job.spec)
            if change.change_class == ChangeClass.RESTART:
                errors = _errors(job, config)
                changes.append(
                    JobChange(job.spec.name, name, before.spec, job.spec, change, errors)
                )
    return repo.commit, sorted(changes, key=lambda c: c.name)


def _errors(job: Job, config: Config) -> int:
    """The errors validate would report on the new document: the schema's and the rules'."""
    problems = [*job.problems, *engine.check(job.spec, config)]
    return sum(1 for p in problems if config.severity_of(p) == Severity.ERROR)
