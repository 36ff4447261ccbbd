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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dli_flink.cli.git import Repository
from dli_flink.cli.sides import Files, Job, JobFile, Revision, Skipped, WorkTree
from dli_flink.model.files import is_job_file
from dli_flink.model.findings import Finding, Problem, Severity
from dli_flink.model.planner import Change, ChangeClass, plan
from dli_flink.model.source import collector_paused
from dli_flink.model.spec import JobSpec
from dli_flink.rules import engine
from dli_flink.rules.config import Config

MINUTES_A_DAY = 1440


@dataclass(frozen=True)
class Envelope:
    """How far DLI may scale a job, and how often it may restart it doing so."""

    cu: Any
    cu_min: Any
    cu_max: Any
    interval_minutes: Any
    scaling: bool

    @classmethod
    def of(cls, spec: JobSpec) -> Envelope:
        return cls(
            cu=spec.resources.cu,
            cu_min=spec.setting("cuMin").value,
            cu_max=spec.setting("cuMax").value,
            interval_minutes=spec.setting("intervalMinutes").value,
            scaling=spec.scaling_enabled is True,
        )

    @property
    def max_restarts_a_day(self) -> int:
        """1440 / interval: each scaling check may stop and restore the job."""
        interval = self.interval_minutes
        if not self.scaling or not isinstance(interval, int) or interval < 1:
            return 0
        return MINUTES_A_DAY // interval

    def describe(self) -> str:
        if not self.scaling:
            return f"{self.cu} CU, no scaling"
        return (
            f"{self.cu} CU, scaling {self.cu_min}..{self.cu_max} every {self.interval_minutes} min "
            f"(up to {self.max_restarts_a_day} restarts a day)"
        )


@dataclass
class JobReview:
    name: str
    file: str
    status: str
    """created, deleted, changed, or "readable again": its file could not be read at the base, so
    there is nothing to compare it with."""
    change: Change = field(default_factory=lambda: Change(ChangeClass.NONE))
    """The planner's change: its class, and its fields as a reviewer reads them (`_as_written`)."""
    implied: frozenset[str] = frozenset()
    """The fields of `change` neither side writes, whose values DLI derives from another field."""
    before: Envelope | None = None
    after: Envelope | None = None
    findings: list[Finding] = field(default_factory=list)
    restart_seconds: float = 0.0
    desired: tuple[str | None, str | None] = (None, None)
    """desiredState before and after: "running" or "stopped" (None on a side without the job).
    `pulumi up` stops a running job set to stopped, and starts it again when set back."""
    savepoint: bool = True
    """Whether a stop writes a savepoint: DLI writes one only to the running job's OBS bucket."""
    rehearsal: Any = None
    """With `review --rehearse`: the job's rehearsal (dli_flink.rehearse.jobs.JobRehearsal)."""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def state_change(self) -> str | None:
        """ "stop" or "start" when desiredState changes, as `pulumi up` then does."""
        return {("running", "stopped"): "stop", ("stopped", "running"): "start"}.get(self.desired)

    @property
    def restarts(self) -> bool:
        """Whether `pulumi up` restarts the job: a restart-class change while it keeps running (a
        job kept stopped is edited as it is)."""
        running = self.desired == ("running", "running")
        return running and self.change.change_class == ChangeClass.RESTART

    @property
    def risk(self) -> tuple[int, int]:
        """Sort key, riskiest first: introduced errors, then state lost, then restarts (a stop and
        a start count as one, or as state lost without a savepoint)."""
        if self.status == "deleted":
            level = ChangeClass.REPLACE
        elif self.status in ("created", "readable again"):
            level = ChangeClass.IN_PLACE
        else:
            level = self.change.change_class
        if self.state_change:
            level = max(level, ChangeClass.RESTART if self.savepoint else ChangeClass.REPLACE)
        elif level == ChangeClass.RESTART and not self.restarts:
            level = ChangeClass.IN_PLACE
        return (1 if self.errors else 0, int(level))


@dataclass(frozen=True)
class FileReview:
    """A job file the change makes unreadable: the Pulumi program stops on it, so none of its
    jobs is deployed, and none is deleted either."""

    file: str
    findings: list[Finding]
    """Why it cannot be read: errors the change introduces."""
    jobs_at_base: list[str]
    """The jobs it held at the base, which cannot be compared now."""


@dataclass
class Review:
    base: str
    """The revision compared against, as a full commit id."""
    jobs: list[JobReview]
    unreadable: list[FileReview] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(job.errors for job in self.jobs) + sum(len(f.findings) for f in self.unreadable)


def review(paths: Iterable[Path], config: Config, base: str | None = None) -> Review:
    with collector_paused():
        return _review(list(paths), config, base)


def _review(paths: list[Path], config: Config, base: str | None) -> Review:
    repo = Repository.open(base, "review")
    tree, revision = WorkTree.of(repo, paths, config), Revision(repo)
    new_files = tree.jobs()
    changed = _changed(tree, new_files, [repo.relative(path) for path in paths], config)
    new_files.update(
        tree.with_sql({name: new_files[name] for name in changed if name in new_files})
    )
    old_files = revision.with_sql(revision.jobs(sorted(changed)))
    unreadable = [
        found
        for name in sorted(changed)
        if (found := _unreadable(name, old_files.get(name), new_files.get(name)))
    ]
    new_jobs = {name: file.jobs for name, file in new_files.items()}
    old_jobs = {name: file.jobs for name, file in old_files.items()}
    # Unchanged files feed only the cross-job rules: their own findings cannot be new.
    unchanged = [job for name, jobs in new_jobs.items() if name not in changed for job in jobs]
    old_all = unchanged + [job for jobs in old_jobs.values() for job in jobs]
    new_all = [job for jobs in new_jobs.values() for job in jobs]
    old_stack, new_stack = _stack_problems(old_all, config), _stack_problems(new_all, config)

    before = _by_name(job for name in changed for job in old_jobs.get(name, []))
    after = _by_name(job for name in changed for job in new_jobs.get(name, []))
    reviews = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if new is None:
            if not new_files.get(old.file, _READABLE).unreadable:  # else listed with its file
                reviews.append(JobReview(name, old.file, "deleted", before=Envelope.of(old.spec)))
            continue
        known_before = _keys(_problems(old, config) if old else []) | old_stack.get(name, {}).keys()
        introduced = [
            _place(new, problem, severity)
            for problem in [*_problems(new, config), *new_stack.get(name, {}).values()]
            if _key(problem) not in known_before and (severity := config.severity_of(problem))
        ]
        change, implied = (
            _as_written(old.spec, new.spec) if old else (Change(ChangeClass.NONE), frozenset())
        )
        job = JobReview(
            name,
            new.file,
            "changed" if old else _new_status(old_files.get(new.file)),
            change=change,
            implied=implied,
            before=Envelope.of(old.spec) if old else None,
            after=Envelope.of(new.spec),
            findings=introduced,
            restart_seconds=config.job_restart_seconds.get(name, config.restart_seconds),
            desired=(_desired(old.spec) if old else None, _desired(new.spec)),
            savepoint=_has_bucket(old.spec) if old else True,
        )
        if job.status != "changed" or job.change.fields or introduced or job.state_change:
            reviews.append(job)
    reviews.sort(key=lambda job: (job.risk[0], job.risk[1]), reverse=True)
    return Review(repo.commit, reviews, unreadable, tree.skipped)


_READABLE = JobFile([], [])


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


def _changed(tree: WorkTree, files: Files, scope: list[str], config: Config) -> set[str]:
    """The job files the change touches: changed or deleted since the commit, new, or holding a
    job whose sqlFile is. sqlFiles outside `scope` are asked about too: a job's SQL may live
    beside the folder reviewed."""
    sql = {name: tree.sql_names(file) for name, file in files.items()}
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


def _by_name(jobs: Iterable[Job]) -> dict[str, Job]:
    return {job.spec.name: job for job in jobs}  # type: ignore[misc]


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
