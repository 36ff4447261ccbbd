"""The change planner: what changing a job from one spec to another makes DLI do.

`plan(old, new)` classifies every changed field, the way the Flink Kubernetes Operator classifies spec
changes before an upgrade. The provider's diff and update and the review report all call it, so what a
reviewer is told is exactly what `pulumi up` does.

Each field's class is declared on its row of the field table (`fields.py`), from DLI's rules
(shared/docs/dli-api.md):
- in place: the "hot" fields DLI accepts while the job runs (smnTopic, restartOnException,
  resumeFromCheckpoint, resumeMaxTimes, obsBucket, a Jar job's checkpoint.path), and tags, which
  DLI's tag API sets and removes on a job in any state;
- restart with savepoint: everything else, the scaling keys first of all: DLI refuses other edits
  while the job runs, so it is stopped with a savepoint, edited and resumed from that savepoint;
- replace: what DLI cannot edit at all (kind, jobType): a new job, whose state starts empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dli_flink.model import fields
from dli_flink.model.fields import ChangeClass
from dli_flink.model.spec import JobSpec, Unknown

__all__ = [
    "Change",
    "ChangeClass",
    "FieldChange",
    "classify",
    "describe",
    "flatten",
    "plan",
    "show",
    "unclearable_removals",
]


@dataclass(frozen=True)
class FieldChange:
    """One document field whose value changes, and what that alone makes DLI do."""

    field: str
    """The document key, dotted: "scaling.cuMax", "runtimeConfig.table.exec.state.ttl"."""
    old: Any
    new: Any
    change_class: ChangeClass


@dataclass(frozen=True)
class Change:
    """Everything that differs between two specs of one job, and the class of the whole change."""

    change_class: ChangeClass
    fields: tuple[FieldChange, ...] = ()

    def of_class(self, change_class: ChangeClass) -> tuple[FieldChange, ...]:
        return tuple(f for f in self.fields if f.change_class == change_class)


def plan(old: JobSpec, new: JobSpec) -> Change:
    """Classify the change from `old` to `new` (same job). UNKNOWN new values count as changed."""
    before, after = flatten(old), flatten(new)
    changes = []
    for key in sorted(before.keys() | after.keys(), key=_order):
        was, now = before.get(key), after.get(key)
        if was == now and not isinstance(now, Unknown):
            continue
        changes.append(FieldChange(key, was, now, classify(key)))
    if not changes:
        return Change(ChangeClass.NONE)
    return Change(max(c.change_class for c in changes), tuple(changes))


def unclearable_removals(old: JobSpec, new: JobSpec) -> tuple[FieldChange, ...]:
    """The fields `old` writes and `new` does not that DLI cannot be told to clear.

    DLI's update is a partial PUT: a field left out keeps its value. A field whose row `clears` is
    sent with its clear value; one with a default is always sent; the rest (no documented value
    clears them) would stay in DLI while the stack says they are gone. None for a replace: the new
    job gets only what `new` writes.
    """
    if plan(old, new).change_class == ChangeClass.REPLACE:
        return ()
    removed = []
    for row in fields.TABLE.rows:
        if (
            row.clears
            or row.required
            or row.change is None
            or row.shape == "map"
            or row.default_for(new.kind) is not None
            or not row.sent(new.kind, for_update=True)
            or not row.applies(new.resource_version)
        ):
            continue
        was, now = old.values.get(row.path), new.values.get(row.path)
        unset = (None, (), row.dli_default)
        if was not in unset and not isinstance(was, Unknown) and now in (None, ()):
            removed.append(FieldChange(row.path, was, None, row.change))
    return tuple(removed)


def classify(key: str) -> ChangeClass:
    """What a change of document field `key` alone makes DLI do: its row's class (a runtimeConfig
    or tags entry takes the class of its map's row)."""
    table = fields.TABLE
    row = table.by_path.get(key) or table.by_path.get(key.split(".", 1)[0])
    return row.change if row is not None and row.change is not None else ChangeClass.RESTART


def flatten(spec: JobSpec) -> dict[str, Any]:
    """The spec as dotted document keys and the values DLI acts on.

    Scaling is compared as DLI reads it (the block or a flink.dli.job.* runtime key, else DLI's
    default), so moving a key from runtimeConfig into the scaling block, same value, is no change.
    So is a field that DLI gives a value when it is not sent (its `dli_default`): writing that value
    or leaving the field out is the same job, as refresh's drift compares them (and as a document
    exported from DLI, which leaves such values out, must deploy as no change). A field of the other
    resource configuration version (the v1 CU fields of a v2 job) is left out: DLI is not sent it.
    """
    table = fields.TABLE
    version = spec.resource_version
    flat: dict[str, Any] = {
        row.path: _or_dli_default(row, spec.values.get(row.path))
        for row in table.rows
        if row.change is not None
        and not row.runtime_key
        and row.shape != "map"
        and row.applies(version)
    }
    for key in table.scaling:
        flat[f"scaling.{key}"] = spec.setting(key).value
    runtime = spec.runtime_config
    if isinstance(runtime, Unknown):
        flat["runtimeConfig"] = runtime
    else:
        scaling_keys = table.scaling_keys.values()
        for key, value in runtime:
            if key not in scaling_keys:
                flat[f"runtimeConfig.{key}"] = value
    tags = spec.tags
    if isinstance(tags, Unknown):
        flat["tags"] = tags
    else:
        flat.update((f"tags.{key}", value) for key, value in tags)
    return {key: value for key, value in flat.items() if value is not None and value != ()}


def _or_dli_default(row: fields.Field, value: Any) -> Any:
    return row.dli_default if value is None and row.dli_default is not None else value


_FIRST = ("kind", "jobType", "scaling.")


def _order(key: str) -> tuple[int, str]:
    """Replacing fields, then scaling keys, then the rest alphabetically: the reading order."""
    return next((i for i, prefix in enumerate(_FIRST) if key.startswith(prefix)), len(_FIRST)), key


def describe(change: Change) -> Iterator[str]:
    """One line a field: `scaling.cuMax: 16 -> 32 (restart with savepoint)`."""
    for field in change.fields:
        yield f"{field.field}: {show(field.old)} -> {show(field.new)} ({field.change_class.label})"


def show(value: Any, width: int = 60) -> str:
    """A field value on one line, at most `width` characters, for people to read."""
    if value is None:
        return "(unset)"
    if isinstance(value, Unknown):
        return "(known after apply)"
    text = str(value).lower() if isinstance(value, bool) else " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 3] + "..."
