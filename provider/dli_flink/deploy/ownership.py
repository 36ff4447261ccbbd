"""What one provider process knows about which resource owns a DLI job, across the calls of one
deployment.

The engine serves every resource of a `pulumi up` from one provider host, and orders its calls in
two ways that matter here (pulumi/pulumi pkg/resource/deploy/step_generator.go):
- a resource whose URN changed without an alias (renamed, other kind, new parent) is created under
  its new URN during the program, and the old URN is deleted after the whole program
  (`GenerateDeletes`). If the create adopted the job (`adopt: true`), that delete would remove the
  job the new resource now owns: `adopted` lets the delete see it and leave the job alone;
- a delete-before-replace (a kind or jobType change) deletes the old job and then creates the new
  one (`continueStepsFromDiff`): `replaced` hands the old job's final savepoint to the create, which
  names it in its outputs.

Nothing here outlives the process: a job adopted in one deployment and deleted by a stale URN in a
later one is caught by the delete's own check that DLI's job still carries this resource's name.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

_lock = threading.Lock()
_adopted: set[int] = set()
_replaced: dict[str, Replaced] = {}


@dataclass(frozen=True)
class Replaced:
    """A job deleted to be replaced, and where its final savepoint is (None: none was written)."""

    job_id: int
    savepoint: str | None


def adopt(job_id: int) -> None:
    """Record that a resource of this deployment took over DLI job `job_id`."""
    with _lock:
        _adopted.add(job_id)


def adopted(job_id: int) -> bool:
    """Whether a resource of this deployment took over DLI job `job_id`."""
    with _lock:
        return job_id in _adopted


def deleted(name: str, replaced: Replaced) -> None:
    """Record that the job named `name` was deleted (its replacement, if any, is created next)."""
    with _lock:
        _replaced[name] = replaced


def replacing(name: str) -> Replaced | None:
    """The job of this name deleted earlier in this deployment, once: a create of the same name
    after it is a delete-before-replace."""
    with _lock:
        return _replaced.pop(name, None)
