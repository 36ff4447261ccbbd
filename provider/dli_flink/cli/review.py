"""The code-review report: what a change to job documents will do to the running jobs.

Compares the job documents at a git revision with the working tree, job by job (by name): created,
deleted, or changed, with the change planner's class for each change, so a reviewer reads exactly what
`pulumi up` will do; the scaling envelope before and after; the findings the change introduces (not
those already there); and an estimate of the time each restart keeps the job offline.

Both sides are read by cli/sides.py, as rehearse reads them, a job's SQL from its sqlFile on the same
side. Only files the change touches (a job file, or the sqlFile of one of its jobs) are parsed on the
old side (one `git cat-file --batch` for all) and run through the per-job rules; the working tree is
parsed whole, because the cross-job rules need every job.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dli_flink.cli.git import Repository
from dli_flink.cli.review_model import Envelope, FileReview, JobReview, Review
from dli_flink.cli.sides import Files, Job, JobFile, Revision, WorkTree, sql_names
from dli_flink.model import starts
from dli_flink.model.fields import V2
from dli_flink.model.files import is_job_file
from dli_flink.model.findings import Finding, Problem, Severity
from dli_flink.model.planner import Change, ChangeClass, plan
from dli_flink.model.source import collector_paused
from dli_flink.model.spec import JobSpec
from dli_flink.rules import engine
from dli_flink.rules.config import Config


def review(paths: Iterable[Path], config: Config, base: str | None = None) -> Review:
    """What the change from `base` (default: the merge base with the default branch) to the work
    tree does to the jobs under `paths`."""
    with collector_paused():
        return _review(list(paths), config, base)


def _review(paths: list[Path], config: Config, base: str | None) -> Review:
    repo = Repository.open(base, "review")
    tree, revision = WorkTree.of(repo, paths, config), Revision(repo)
    new_files = tree.jobs()
    sql = {name: sql_names(file) for name, file in new_files.items()}
    changed = _changed(tree, sql, [repo.relative(path) for path in paths], config)
    new_files.update(
        tree.with_sql({name: new_files[name] for name in changed if name in new_files})
    )
    ahead = {s for name in changed for s in sql.get(name, ())}
    old_files = revision.with_sql(revision.jobs(sorted(changed), ahead=ahead))
    sides = _Sides(old_files, new_files, changed, config)
    unreadable = [
        found
        for name in sorted(changed)
        if (found := _unreadable(name, sides.old.get(name), new_files.get(name)))
    ]
    before, after = sides.touched(sides.old), sides.touched(new_files)
    reviews = [
        job
        for name in sorted(before.keys() | after.keys())
        if (job := sides.review(name, before.get(name), after.get(name)))
    ]
    reviews.sort(key=lambda job: job.risk, reverse=True)
    return Review(repo.commit, reviews, unreadable, tree.skipped)


class _Sides:
    """The files at the base that the change touches, every file of the work tree, and the
    cross-job problems on each side: what each job's review is made from."""

    def __init__(self, old: Files, new: Files, changed: set[str], config: Config) -> None:
        self.old, self.new, self.changed, self.config = old, new, changed, config
        # Unchanged files feed only the cross-job rules: their own findings cannot be new.
        unchanged = [job for name, file in new.items() if name not in changed for job in file.jobs]
        self.old_stack = _stack_problems([*unchanged, *_jobs(old.values())], config)
        self.new_stack = _stack_problems(_jobs(new.values()), config)

    def touched(self, files: Files) -> dict[str, Job]:
        """The jobs, by name, of the files in `files` that the change touches."""
        return {
            str(job.spec.name): job for name in self.changed for job in _jobs([files.get(name)])
        }

    def review(self, name: str, old: Job | None, new: Job | None) -> JobReview | None:
        """What the change does to job `name`; None when nothing a reviewer needs to read."""
        if new is None:
            if old is None or self.new.get(old.file, _READABLE).unreadable:
                return None  # listed with its unreadable file
            return JobReview(name, old.file, "deleted", before=Envelope.of(old.spec))
        config = self.config
        known = _keys(_problems(old, config) if old else []) | self.old_stack.get(name, {}).keys()
        introduced = [
            _place(new, problem, severity)
            for problem in [*_problems(new, config), *self.new_stack.get(name, {}).values()]
            if _key(problem) not in known and (severity := config.severity_of(problem))
        ]
        change, implied = _as_written(old.spec, new.spec) if old else (_NO_CHANGE, frozenset())
        job = JobReview(
            name,
            new.file,
            "changed" if old else _new_status(self.old.get(new.file)),
            change=change,
            implied=implied,
            cu_from="resourceConfig" if new.spec.resource_version == V2 else "resources.cu",
            before=Envelope.of(old.spec) if old else None,
            after=Envelope.of(new.spec),
            findings=introduced,
            restart_seconds=config.job_restart_seconds.get(name, config.restart_seconds),
            desired=(_desired(old.spec) if old else None, _desired(new.spec)),
            savepoint=_has_bucket(old.spec) if old else True,
        )
        planned = starts.Planned.of(
            job.status, change, old.spec if old else None, new.spec, job.desired
        )
        job.starts_from = starts.starts_from(planned)
        job.restore_warning = starts.may_not_restore(planned, job.starts_from)
        if job.status != "changed" or change.fields or introduced or job.state_change:
            return job
        return None


_READABLE = JobFile([], [])
_NO_CHANGE = Change(ChangeClass.NONE)


def _jobs(files: Iterable[JobFile | None]) -> list[Job]:
    return [job for file in files if file is not None for job in file.jobs]


def _unreadable(name: str, old: JobFile | None, new: JobFile | None) -> FileReview | None:
    """The file, if the change makes it unreadable (or unreadable for another reason than at the
    base): the reasons it introduces, and the jobs it held."""
    if new is None or not new.unreadable:
        return None
    known = {(f.rule, f.message) for f in old.unreadable} if old else set()
    findings = [f for f in new.unreadable if (f.rule, f.message) not in known]
    if not findings:
        return None
    return FileReview(name, findings, [str(job.spec.name) for job in old.jobs] if old else [])


def _as_written(old: JobSpec, new: JobSpec) -> tuple[Change, frozenset[str]]:
    """The planner's change with its fields in the order a reviewer reads them, and those of them
    that are implied.

    A scaling key neither side writes has the value DLI derives (cuMax: the job's CUs): with
    scaling off on both sides it means nothing and is left out; otherwise it comes after the
    fields written, which are what the author changed. The class stays the planner's.
    """
    change = plan(old, new)
    scaling_off = old.scaling_enabled is False and new.scaling_enabled is False
    implied = frozenset(
        f.field
        for f in change.fields
        if f.field.startswith("scaling.")
        and not old.setting(key := f.field.partition(".")[2]).explicit
        and not new.setting(key).explicit
    )
    written = [f for f in change.fields if f.field not in implied]
    derived = [] if scaling_off else [f for f in change.fields if f.field in implied]
    return Change(change.change_class, (*written, *derived)), implied


def _desired(spec: JobSpec) -> str:
    """The job's desiredState as the provider reads it: anything but stopped runs."""
    return "stopped" if spec.desired_state == "stopped" else "running"


def _has_bucket(spec: JobSpec) -> bool:
    return spec.obs_bucket not in (None, "")


def _new_status(old: JobFile | None) -> str:
    """A job with no namesake at the base is created, unless its file could not be read there."""
    return "readable again" if old is not None and old.unreadable else "created"


def _changed(
    tree: WorkTree, sql: dict[str, set[str]], scope: list[str], config: Config
) -> set[str]:
    """The job files the change touches: changed or deleted since the commit, new, or holding a
    job whose sqlFile (`sql`, by job file) is. sqlFiles outside `scope` are asked about too: a
    job's SQL may live beside the folder reviewed."""
    beside = sorted({s for names in sql.values() for s in names if not _within(s, scope)})
    diff = set(tree.repo.changed(scope + beside))
    tracked = set(tree.repo.tracked(scope + beside))
    touched_sql = {s for names in sql.values() for s in names if s in diff or s not in tracked}
    root = tree.repo.root
    return (
        {name for name in diff if name in tree.files or _deleted_job_file(root, name, config)}
        | {name for name in tree.files if name not in tracked}
        | {name for name, names in sql.items() if names & touched_sql}
    )


def _within(name: str, scope: list[str]) -> bool:
    """Whether git's pathspecs `scope` (literal paths) take in the file `name`."""
    return any(top in (".", name) or name.startswith(top + "/") for top in scope)


def _problems(job: Job, config: Config) -> list[Problem]:
    """A job's schema problems and its rules': run only on the jobs of files the change touches."""
    return [*job.problems, *engine.check(job.spec, config)]


def _stack_problems(jobs: list[Job], config: Config) -> dict[str, dict[tuple, Problem]]:
    """Cross-job problems, per job name, keyed as `_key` keys them."""
    found: dict[str, dict[tuple, Problem]] = {}
    for index, problem in engine.check_stack([job.spec for job in jobs], config):
        found.setdefault(jobs[index].spec.name, {})[_key(problem)] = problem
    return found


def _key(problem: Problem) -> tuple:
    return (problem.rule, problem.path, problem.message)


def _keys(problems: list[Problem]) -> set[tuple]:
    return {_key(p) for p in problems}


def _place(job: Job, problem: Problem, severity: Severity) -> Finding:
    line, column = job.document.position(problem.path, problem.on_key, problem.anchor)
    return Finding(job.file, line, column, problem.rule, severity, problem.message, job.spec.name)


def _deleted_job_file(root: Path, name: str, config: Config) -> bool:
    """A file gone from the working tree that validate would have checked as a job file."""
    path = root / name
    return not path.exists() and is_job_file(path, root, config.exclude, config.root)
