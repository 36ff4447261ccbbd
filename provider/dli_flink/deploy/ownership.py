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

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass

OWNER_TAG = "dli-flink-owner"
"""The tag every job this provider creates carries, its value the stack's mark (`stack_mark`): a
create that finds a job of its name with this stack's mark made it itself (its answer was lost, or
the provider was killed before the engine recorded it) and takes it over; one without it is someone
else's and needs `adopt`. A tag, not a marker in `desc` or runtime_config, because both are fields
the document sets and refresh compares: a marker there would be drift, or the user's to overwrite.
DLI keeps tags set at creation (dli-api.md) and list_flink_jobs filters on them."""

_lock = threading.Lock()
_adopted: set[int] = set()
_replaced: dict[str, Replaced] = {}


@dataclass(frozen=True)
class Replaced:
    """A job deleted to be replaced, and where its final savepoint is (None: none was written)."""

    job_id: int
    savepoint: str | None


def stack_mark(config: Mapping[str, object], project_dir: str) -> str:
    """This stack's mark: a digest of the stack config without its secrets, and the project's
    directory. The engine tells a dynamic provider neither the stack's name nor a resource's URN
    (the host drops both), so this is the nearest identity it has: two stacks of one project with
    the very same config share it (they deploy into the same DLI project under the same names, and
    would fight over those jobs anyway); changing the config between an interrupted create and the
    next up makes the orphan someone else's, which fails safe (adopt: true takes it over)."""
    public = {k: str(v) for k, v in config.items() if not _secret(k)}
    text = json.dumps([sorted(public.items()), project_dir])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("secret", "key", "password", "token"))


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
