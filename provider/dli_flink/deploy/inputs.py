"""Pulumi inputs and outputs as the job document: what the provider reads from the engine's values.

The engine hands the provider property bags: the job document's camelCase keys, the provider options
(desiredState, timeouts, adopt, restore), and in outputs our own keys (jobId, status, ...). Every
number arrives as a float and, during preview, values that depend on other resources arrive as `pulumi.output.Unknown`
objects. This module turns a bag into a clean document (whole floats -> ints, Unknowns -> spec.UNKNOWN)
and reads the options, so check, diff and the lifecycle all see the same thing.

No pulumi import here: Unknown objects are recognised by their class, so the module stays testable and
cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dli_flink.model.schema import load_schema
from dli_flink.model.starts import is_directory, newly_named
from dli_flink.model.values import UNKNOWN, Unknown, whole

PROVIDER_KEY = "__provider"
MARK_KEY = "ownerMark"
"""The input the resource classes add: ownership.resource_mark of the program's project, stack and
resource name, for the job's owner tag. The engine tells a dynamic provider neither the stack nor
the URN (the host drops both), but the program knows them (pulumi.get_project(), get_stack()). Not
part of the job document: check() and diff() never see it, so it changes nothing on its own (a
rename through an alias is no update); the next update writes it to the job's owner tag."""
OPTION_KEYS = ("desiredState", "timeouts", "adopt", "restore")
OUTPUT_KEYS = ("jobId", "status", "currentCu", "restartTimes", "savepointPath", "lastChange")
"""What the provider adds to the inputs in its outputs."""
STATUS_DRIFT = "statusDrift"
"""The input a refresh adds when DLI has the job in another state than desiredState says, with why:
the next preview shows it as a change (the engine prints old inputs against new ones) and the next
up brings the job back to its desired state."""
RPC_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's wire sentinel for an unknown value (pulumi.runtime.rpc.UNKNOWN)."""

RESTORE: tuple[str, ...] = tuple(load_schema()["properties"]["restore"]["anyOf"][0]["enum"])
"""The policies of the `restore` option, as the schema lists them; its other value is an OBS
directory, for one run. previous-job is a replacement's (model/starts.PREVIOUS_JOB); a job not
created in place of another treats it as savepoint."""
DEFAULT_MINUTES = {"create": 20.0, "update": 30.0, "delete": 20.0}
"""The schema's defaults for `timeouts`."""


def is_pulumi_unknown(value: Any) -> bool:
    kind = type(value)
    return (kind.__name__ == "Unknown" and kind.__module__ == "pulumi.output") or (
        value == RPC_UNKNOWN if isinstance(value, str) else False
    )


def normalise(value: Any) -> Any:
    """A plain copy of `value`: Unknowns as spec.UNKNOWN, whole floats as ints (Pulumi sends 2.0)."""
    if is_pulumi_unknown(value) or isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return whole(value)


def document(props: Mapping[str, Any]) -> dict[str, Any]:
    """The job document of an input or output bag, options included (the schema knows them); the
    owner mark the resource classes add (`MARK_KEY`) is no part of it."""
    return {
        key: normalise(value)
        for key, value in props.items()
        if key not in (PROVIDER_KEY, MARK_KEY) and key not in OUTPUT_KEYS
    }


def job_document(props: Mapping[str, Any]) -> dict[str, Any]:
    """The job document without the provider options and a refresh's statusDrift: what JobSpec
    and DLI care about."""
    return {k: v for k, v in document(props).items() if k not in OPTION_KEYS and k != STATUS_DRIFT}


@dataclass(frozen=True)
class Options:
    """The per-resource provider options of the spec, with the schema's defaults."""

    desired_state: str = "running"
    create_seconds: float = DEFAULT_MINUTES["create"] * 60
    update_seconds: float = DEFAULT_MINUTES["update"] * 60
    delete_seconds: float = DEFAULT_MINUTES["delete"] * 60
    adopt: bool = False
    restore: str = "savepoint"
    """What a job found stopped without a reported savepoint starts from: a policy of RESTORE, or
    an OBS directory (the schema's pattern)."""
    restore_from: str | None = None
    """The OBS directory `restore` names, in the deployment that sets it (the previous one did not):
    the state a job found stopped, or created, starts from in this run only. A directory already
    deployed is not used again: the job's state has moved on since, and starting from it twice
    would rewind the job."""
    owner: str = ""
    """The resource's owner mark (`MARK_KEY`); "" when it was registered without one."""

    @property
    def running(self) -> bool:
        return self.desired_state != "stopped"

    @classmethod
    def of(cls, props: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> Options:
        """The options of `props`; `previous`, the inputs last deployed (an update's olds), tells
        whether a `restore` directory is new in this deployment."""
        doc = document(props)
        restore = doc.get("restore")
        timeouts = doc.get("timeouts") if isinstance(doc.get("timeouts"), dict) else {}
        seconds = {
            name: float(minutes) * 60
            if isinstance(minutes := timeouts.get(name), int | float) and minutes > 0
            else default * 60
            for name, default in DEFAULT_MINUTES.items()
        }
        state = doc.get("desiredState")
        return cls(
            desired_state=state if state in ("running", "stopped") else "running",
            create_seconds=seconds["create"],
            update_seconds=seconds["update"],
            delete_seconds=seconds["delete"],
            adopt=doc.get("adopt") is True,
            restore=restore if restore in RESTORE or is_directory(restore) else "savepoint",
            restore_from=newly_named((previous or {}).get("restore"), restore),
            owner=mark if isinstance(mark := props.get(MARK_KEY), str) else "",
        )


def touches_unknown(doc: Any, path: tuple[str | int, ...]) -> bool:
    """Whether `path` in `doc` is, or runs through, an unknown value (preview: not checkable yet)."""
    node = doc
    for key in path:
        if isinstance(node, Unknown):
            return True
        inside = (isinstance(node, Mapping) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        )
        if not inside:
            return False
        node = node[key]
    return isinstance(node, Unknown)
