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
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

OWNER_TAG = "dli-flink-owner"
"""The tag every job this provider creates carries, its value the owning resource's mark
(`resource_mark`: project:stack:resource): a create that finds a job of its name marked by this
stack made it itself (its answer was lost, or the provider was killed before the engine recorded
it, or the resource was renamed without an alias) and takes it over; one without it is someone
else's and needs `adopt`. A tag, not a marker in `desc` or runtime_config, because both are fields
the document sets and refresh compares: a marker there would be drift, or the user's to overwrite.
DLI keeps tags set at creation, its tag API reads and sets them (API reference dli_02_0501,
dli_02_0396), and list_flink_jobs filters on them."""
_MARK_CHARS = re.compile(r"[\w.:+@-]{1,255}")
"""What a DLI tag value holds (API reference dli_02_0396: up to 255 letters, digits, spaces and
_ . : + - @)."""

_lock = threading.Lock()
_adopted: set[int] = set()
_replaced: dict[str, Replaced] = {}


@dataclass(frozen=True)
class Replaced:
    """A job deleted to be replaced, and where its final savepoint is (None: none was written)."""

    job_id: int
    savepoint: str | None


def resource_mark(project: str, stack: str, resource: str) -> str:
    """The owner mark of a resource: "project:stack:resource" (Pulumi's project and stack names
    are letters, digits, "-", "_" and "."; neither holds a ":"). A resource name DLI's tag value
    cannot hold, or one too long, is written as a digest of it, so the stack part stays readable."""
    mark = f"{project}:{stack}:{resource}"
    if _MARK_CHARS.fullmatch(mark):
        return mark
    digest = hashlib.sha256(resource.encode()).hexdigest()[:32]
    return f"{project}:{stack}:sha256-{digest}"


def stack_of(mark: str) -> str | None:
    """The "project:stack" of a resource mark; None for a legacy mark (`stack_mark`)."""
    project, colon, rest = mark.partition(":")
    stack, colon2, _ = rest.partition(":")
    return f"{project}:{stack}" if colon and colon2 else None


def resource_of(mark: str) -> str | None:
    """The resource part of a resource mark; None for a legacy mark."""
    return mark.split(":", 2)[2] if stack_of(mark) else None


def same_stack(held: str | None, mark: str, legacy: str) -> bool:
    """Whether a job's owner tag `held` is this stack's: a resource mark of this project and stack
    (`mark`, any resource of it: a rename without an alias is the same stack's job), or the
    legacy mark this provider's config gives (a job created before resource marks existed)."""
    if not held:
        return False
    if held == legacy:
        return True
    ours = stack_of(mark)
    return ours is not None and stack_of(held) == ours


def stack_mark(config: Mapping[str, object], project_dir: str) -> str:
    """The legacy mark: a digest of the stack config without its secrets, and the project's
    directory, which jobs carried before the resource classes sent their mark (inputs.MARK_KEY). Still written
    for a resource registered without the input, and recognised on a job's owner tag, so an orphan
    from before is found; the next update of such a job writes its resource mark instead. Its
    limits are why it was replaced: two stacks of one project with the very same config share it,
    and changing the config between an interrupted create and the next up makes the orphan look
    like someone else's (which fails safe: adopt: true takes it over)."""
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
