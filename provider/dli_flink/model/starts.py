"""Which state a planned change starts a job from, and where that state may not restore: what
`dli-flink review` and the provider's preview (diff, check) say before `pulumi up`.

The words are those of the provider's progress lines and `lastChange.startedFrom` (deploy/restore.py,
deploy/lifecycle.py): "savepoint ...", "the OBS directory restore names, ...", "no state (...)"; a
start `pulumi up` refuses begins "nothing:". No DLI call here: the validator's import path stays
light.

Where a start may not restore, after DLI's FAQ "How Can I Check if a Flink Job Can Be Restored From
a Checkpoint After Restarting It?" (dli_03_0136): restoring from a checkpoint is "Not supported"
after "Adjust or increase the number of concurrent tasks" (the parallelism) or "Modify Flink SQL
statements and Flink Jar jobs" (the job's code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dli_flink.model.planner import Change, ChangeClass
from dli_flink.model.spec import JobSpec

PREVIOUS_JOB = "previous-job"
"""The `restore` policy of a replacement (a kind change): start from the final savepoint the
delete of the job it replaces just took. A job not created in place of another treats it as
savepoint (deploy/restore.py)."""
FROM_DIRECTORY = "the OBS directory restore names,"
"""How startedFrom begins when a start imports the `restore` directory (deploy/restore.py and the
lifecycle use these words too, so review and preview say what lastChange will)."""
RESTORE_NONE = "no state (restore: none)"
"""A start the document asks to be empty (deploy/restore.py uses it too)."""
STOP_SAVEPOINT = "the savepoint its stop takes"
STOPPED_SAVEPOINT = "the savepoint it was stopped with"
NO_BUCKET = "no state (no obsBucket: no savepoint possible)"
NO_BUCKET_STATE = "no state (no obsBucket: DLI keeps no savepoint or checkpoint for it)"
"""A start of a job that has no obsBucket (nor a Jar job's own checkpoint.path) and no `restore`
saying otherwise (deploy/restore.py says it too)."""
NEVER_RAN = "no state (a job that never ran)"
"""The start of a job DLI reports in job_init: created stopped, never run, so it holds no state
(deploy/restore.py says it too)."""
NO_STATE = "no state"
"""How every start without the job's state begins."""
NEW_JOB = "no state (a new job)"
REPLACED_NO_SOURCE = (
    "no state (a replacement without a restore source: restore: previous-job starts it from the "
    "replaced job's final savepoint)"
)
NOTHING = "nothing:"
"""How a start that `pulumi up` will refuse begins (a replacement with nothing to start from)."""
FAQ = "DLI's FAQ dli_03_0136"
CODE_FIELDS = ("sql", "jar.entrypoint", "jar.mainClass", "jar.dependencyJars")
"""The job's code: "Modify Flink SQL statements and Flink Jar jobs" (FAQ dli_03_0136)."""
PARALLELISM_FIELDS = ("resources.parallelism", "resourceConfig.parallelism")
""""Adjust or increase the number of concurrent tasks" (FAQ dli_03_0136)."""


def is_directory(restore: Any) -> bool:
    """Whether `restore` names an OBS directory (the schema's pattern) rather than a policy."""
    return isinstance(restore, str) and restore.startswith("obs://")


def newly_named(old: Any, new: Any) -> str | None:
    """The directory `restore` names in a deployment whose predecessor (`old`) did not name it. A
    directory is used only by the deployment that sets it: the job's state moves on after that,
    and starting from it twice would rewind the job."""
    return new if is_directory(new) and new != old else None


def replaced_start(restore: Any, savepoint: str | None, *, used: bool = True) -> str:
    """What a replacement's create starts from, as its lastChange.startedFrom says it. `used`:
    whether this deployment uses a `restore` directory (one the replaced job's deployment already
    named is not used again: Planned.new_directory, inputs.Options.restore_from)."""
    if is_directory(restore) and used:
        return f"{FROM_DIRECTORY} {restore}"
    if restore == PREVIOUS_JOB and savepoint:
        return (
            f"savepoint {savepoint} (the replaced job's final savepoint, restore: {PREVIOUS_JOB})"
        )
    return REPLACED_NO_SOURCE


@dataclass(frozen=True)
class Planned:
    """A job's change as `pulumi up` will carry it out, with what decides its start."""

    status: str
    """created, changed, deleted (review's words)."""
    change: Change
    desired: tuple[str | None, str | None]
    """desiredState before and after ("running", "stopped"; None on a side without the job)."""
    restore: tuple[Any, Any]
    """The `restore` option before and after (None: not written, a savepoint policy)."""
    savepoint: bool
    """Whether the running job's stop writes a savepoint (it has an obsBucket)."""
    checkpoint_path: str | None
    """The old side's own checkpoint.path (a Jar job), where DLI's docs say it checkpoints."""
    final_savepoint: bool
    """Whether deleting the old job takes a final savepoint (an obsBucket and checkpointing)."""
    found_stopped: bool = False
    """Whether the job is stopped while the last deployment wanted it running (stopped by hand or
    by a failure, as a refresh found it): DLI may report no savepoint for it."""
    never_ran: bool = False
    """Whether DLI reports the job as never run (job_init: created stopped). Only the provider's
    preview knows it; `dli-flink review` reads git, not DLI."""

    @classmethod
    def of(
        cls,
        status: str,
        change: Change,
        old: JobSpec | None,
        new: JobSpec | None,
        desired: tuple[str | None, str | None],
        *,
        found_stopped: bool = False,
        never_ran: bool = False,
    ) -> Planned:
        """The plan of a job from its specs on both sides (None: no job on that side)."""
        path = old.checkpoint.path if old else None
        return cls(
            status,
            change,
            desired,
            (old.restore if old else None, new.restore if new else None),
            savepoint=bool(old and old.obs_bucket),
            checkpoint_path=path if isinstance(path, str) else None,
            final_savepoint=bool(old and old.obs_bucket and old.checkpoint.enabled is True),
            found_stopped=found_stopped,
            never_ran=never_ran,
        )

    @property
    def new_directory(self) -> str | None:
        """The directory `restore` names for this deployment: one it newly names (a directory
        already deployed is not used again, deploy/inputs.Options.restore_from)."""
        return newly_named(*self.restore)


def starts_from(job: Planned) -> str | None:
    """The state `pulumi up` starts the job from, or None when it starts nothing (an in-place
    edit, a stop, a job kept or created stopped, a deletion)."""
    if job.status == "deleted" or job.desired[1] == "stopped":
        return None
    restore = job.restore[1]
    if job.status != "changed":
        return f"{FROM_DIRECTORY} {restore}" if is_directory(restore) else NEW_JOB
    change_class = job.change.change_class
    if change_class == ChangeClass.REPLACE:
        if restore == PREVIOUS_JOB and not job.final_savepoint:
            return (
                f"{NOTHING} restore: previous-job, but the replaced job takes no final savepoint "
                "(no obsBucket or checkpointing off), so the create stops before it creates"
            )
        if restore == PREVIOUS_JOB:
            return f"the replaced job's final savepoint (restore: {PREVIOUS_JOB})"
        return replaced_start(restore, None, used=job.new_directory is not None)
    if job.desired[0] == "stopped":  # a start
        return _start(job)
    if change_class == ChangeClass.RESTART:
        return STOP_SAVEPOINT if job.savepoint else NO_BUCKET
    return None


def _start(job: Planned) -> str:
    """What a stopped job starts from, as deploy/restore.start_from picks it: the directory
    `restore` newly names; else the savepoint DLI reports for the job, whatever the `restore`
    policy (a stop writes it after the job's last checkpoint); else, by the policy, what OBS holds.

    A job stopped by desiredState has that savepoint when it has an obsBucket (the stop took it);
    without one DLI wrote no state for it, unless a Jar job checkpoints to its own checkpoint.path
    (FAQ dli_03_0038). A job found stopped (`found_stopped`) may have none: either is said."""
    restore = job.restore[1]
    if job.new_directory:
        return f"{FROM_DIRECTORY} {job.new_directory}"
    if job.never_ran:
        return NEVER_RAN
    if job.found_stopped:
        return f"the savepoint DLI reports for it, else {_without_savepoint(job, restore)}"
    if not job.savepoint:
        return _without_savepoint(job, restore)
    if restore in ("none", "latest-checkpoint"):
        return (
            f"{STOPPED_SAVEPOINT}, which DLI reports: restore: {restore} applies only to a job "
            "stopped without one"
        )
    return STOPPED_SAVEPOINT


def _without_savepoint(job: Planned, restore: Any) -> str:
    """What a stopped job without a reported savepoint starts from, by `restore`."""
    if restore == "none":
        return RESTORE_NONE
    if job.checkpoint_path:
        return (
            f"the newest complete checkpoint OBS holds in {job.checkpoint_path} (none there: "
            "`pulumi up` starts nothing)"
        )
    if not job.savepoint:
        if restore == "latest-checkpoint":
            return (
                f"{NOTHING} restore: latest-checkpoint, but the job has no obsBucket: DLI keeps "
                "no checkpoint for it, so `pulumi up` starts nothing"
            )
        return NO_BUCKET_STATE
    if restore == "latest-checkpoint":
        return (
            "the newest complete checkpoint OBS holds (restore: latest-checkpoint; none there: "
            "`pulumi up` starts nothing)"
        )
    return (
        "the newest checkpoint or savepoint OBS holds (none there: `pulumi up` starts nothing "
        "if the job checkpoints)"
    )


def keeps_state(started: str | None) -> bool:
    """Whether a start restores the job's state: neither "no state (...)" nor refused."""
    return bool(started) and not str(started).startswith((NO_STATE, NOTHING))


def may_not_restore(job: Planned, started: str | None) -> str | None:
    """A warning when a change of the job's code or parallelism meets a start from a checkpoint,
    which DLI's FAQ dli_03_0136 says cannot restore then; None otherwise.

    Two ways a start uses a checkpoint: `restore` names a directory that is not a savepoint's (a
    `chk-N` one, or any the name does not mark as a savepoint: Flink writes both in one format,
    so only the path tells), used by this start; or `restore: latest-checkpoint`, used should the
    job be found stopped or failed without a savepoint. `dli-flink rehearse` proves a restore from
    a savepoint on real Flink, so the warning names it where the start is from a savepoint."""
    if started is not None and started.startswith(NOTHING):
        if job.restore[1] != PREVIOUS_JOB:
            return (
                f"{started.removeprefix(NOTHING).strip()}; set restore: none to start it empty, "
                "or restore to a directory of its state"
            )
        return (
            f"restore: {PREVIOUS_JOB}, but the replaced job takes no final savepoint: `pulumi up` "
            "deletes it and creates nothing; set restore to a directory of its state, or none"
        )
    changed = [
        f.field
        for f in job.change.fields
        if f.field in CODE_FIELDS or f.field in PARALLELISM_FIELDS
    ]
    if started is None or not changed:
        return None
    what = f"{', '.join(f'`{name}`' for name in changed)} changed"
    cannot = (
        f"{FAQ} says a job cannot be restored from a checkpoint after its SQL statements, "
        "Jar or parallelism change"
    )
    restore = job.restore[1]
    if started.startswith(FROM_DIRECTORY) and "savepoint" not in str(restore).lower():
        return (
            f"{what}, and this start imports {restore}, a checkpoint's directory: {cannot}; "
            "name a savepoint's directory (`dli-flink rehearse` proves a savepoint restores "
            "after such a change), or restore: none to start it empty"
        )
    if restore == "latest-checkpoint":
        savepoint = next(
            (words for words in (STOP_SAVEPOINT, STOPPED_SAVEPOINT) if started.startswith(words)),
            None,
        )
        rehearse = (
            f"; this start is from {savepoint}, which `dli-flink rehearse` can prove restores"
            if savepoint
            else ""
        )
        return (
            f"{what}, and restore: latest-checkpoint starts the job from its latest checkpoint "
            f"should it be found stopped or failed without a savepoint: {cannot}{rehearse}"
        )
    return None
