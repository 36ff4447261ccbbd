"""What `dli-flink review` found: the result a report renders (cli/review_report.py).

Per job: created, deleted or changed, the planner's change, what desiredState makes `pulumi up` do
(stop, start), the scaling envelope before and after and the findings the change introduces; per file
the change makes unreadable, why; and the files review could not compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dli_flink.cli.sides import Skipped
from dli_flink.model.findings import Finding, Severity
from dli_flink.model.planner import Change, ChangeClass
from dli_flink.model.spec import JobSpec
from dli_flink.model.starts import keeps_state

__all__ = ["Envelope", "FileReview", "JobReview", "Review", "Skipped"]

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
            cu=spec.job_cu,
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
    cu_from: str = "resources.cu"
    """Where the job's CUs come from (a v2 job's: resourceConfig), which cuMax follows."""
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
    starts_from: str | None = None
    """The state `pulumi up` starts the job from (model/starts.py, in the words of the provider's
    lastChange.startedFrom); None when it starts nothing."""
    restore_warning: str | None = None
    """Why that start may not restore: a checkpoint after a change of the job's code or
    parallelism (DLI's FAQ dli_03_0136)."""

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
        a start count as one, or as state lost: a stop without a savepoint, a start from no
        state or none at all)."""
        if self.status == "deleted":
            level = ChangeClass.REPLACE
        elif self.status in ("created", "readable again"):
            level = ChangeClass.IN_PLACE
        else:
            level = self.change.change_class
        if self.state_change:
            kept = self.savepoint if self.state_change == "stop" else keeps_state(self.starts_from)
            level = max(level, ChangeClass.RESTART if kept else ChangeClass.REPLACE)
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
