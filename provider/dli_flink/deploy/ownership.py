"""What one provider process knows about which resource owns a DLI job, across the calls of one
deployment.

The engine serves every resource of a `pulumi up` from one provider host, and a delete-before-replace
(a kind or jobType change) deletes the old job and then creates the new one (pulumi/pulumi
pkg/resource/deploy/step_generator.go `continueStepsFromDiff`): `deleted` / `replacing` hand the old
job's final savepoint to the create, which names it in its outputs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

_lock = threading.Lock()
_replaced: dict[str, Replaced] = {}


@dataclass(frozen=True)
class Replaced:
    """A job deleted to be replaced, and where its final savepoint is (None: none was written)."""

    job_id: int
    savepoint: str | None


def deleted(name: str, replaced: Replaced) -> None:
    """Record that the job named `name` was deleted (its replacement, if any, is created next)."""
    with _lock:
        _replaced[name] = replaced


def replacing(name: str) -> Replaced | None:
    """The job of this name deleted earlier in this deployment, once: a create of the same name
    after it is a delete-before-replace."""
    with _lock:
        return _replaced.pop(name, None)
