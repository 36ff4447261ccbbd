"""What DLI reports about a job: the spec as DLI runs it (`observed`, for the lifecycle) and the
declared document patched with it (`observed_document`, refresh's inputs).

A refresh must show real drift (someone edited the job in the console) and nothing else. So the
declared document is patched only where DLI's value differs from what the declaration means (its
value, or DLI's default when it is not written), never rewritten wholesale: a perpetual diff from
defaults or key order is how the incumbent Terraform resources annoy their users (issue #10147).

- Every field DLI reports back is compared (the field table's `reported` rows), with what the
  declaration means: its value, or the value DLI holds when the document does not write it.
- DLI's own dynamic scaling changes the running CUs (`real_cu_number`), never the declared `cu_number`
  or the flink.dli.job.* keys: that is `currentCu` in the outputs, not drift.
- Keys DLI adds to runtime_config by itself are ignored; only declared keys are compared.
- A field DLI answers as null says nothing (DLI returns optional fields as null freely): it is
  neither drift nor evidence that an update was applied (`applied`).
- Tags are not in DLI's job answer: refresh reads them with the tag API into the job's `tags`
  (`JobCalls.show_tagged`, without this provider's owner mark) and compares them key by key: a tag
  changed, removed or added in the console is drift, which the next update sets back. A job read
  without them (`tags` absent) has no tag drift.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from dli_flink.deploy.status import NOT_RUNNING, RUNNING
from dli_flink.model import fields
from dli_flink.model.fields import COMPUTED, Field
from dli_flink.model.planner import Change, flatten
from dli_flink.model.spec import JobSpec, known, parse_scaling_value, scaling_default

Job = dict[str, Any]


def reported(row: Field, job: Job) -> Any:
    """What DLI's job answer holds for a row (its `reported` place: "desc", "job_config.cu_number",
    "job_config.resource_config.max_slot"), as the document writes it; None when DLI answers null."""
    value: Any = job
    for name in row.reported.split("."):  # type: ignore[union-attr]
        value = value.get(name) if isinstance(value, dict) else None
    return row.decode(value) if value is not None and row.decode is not None else value


def runtime_config(job: Job) -> dict[str, str] | None:
    """DLI's runtime_config as key -> value; None when DLI did not report it."""
    text = (job.get("job_config") or {}).get("runtime_config")
    if text is None:
        return None
    try:
        items = json.loads(text) if text else []
        return {str(i["key"]): str(i["value"]) for i in items}
    except (ValueError, TypeError, KeyError):
        return None


Drift = dict[tuple[str, ...], Any]
"""Document path -> the value DLI runs where it differs in meaning (DELETE: the key goes)."""
DELETE: Any = object()


def observed(spec: JobSpec, job: Job) -> JobSpec:
    """The job as DLI runs it: `spec` with DLI's values where they differ in meaning."""
    values = dict(spec.values)
    maps = {
        "runtimeConfig": dict(spec.runtime_config) if known(spec.runtime_config) else None,
        "tags": dict(spec.tags or ()) if known(spec.tags) else None,
    }
    touched = {"runtimeConfig"}
    for path, value in drift(spec, job).items():
        held = maps.get(path[0])
        if held is not None and len(path) == 2:
            touched.add(path[0])
            if value is DELETE:
                held.pop(path[1], None)
            else:
                held[path[1]] = value
        else:
            values[".".join(path)] = None if value is DELETE else value
    for name, held in maps.items():
        if held is not None and name in touched:
            values[name] = tuple(held.items())
    return JobSpec(spec.kind, values)


def observed_document(declared: dict[str, Any], job: Job) -> dict[str, Any]:
    """`declared` (a job document) patched with what DLI reports where it differs in meaning:
    refresh's inputs, in the shape the user wrote them."""
    doc = copy.deepcopy(declared)
    for path, value in drift(JobSpec.from_document(declared), job).items():
        if value is DELETE:
            parent: Any = doc
            for name in path[:-1]:
                parent = parent.get(name) if isinstance(parent, dict) else None
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
        else:
            _put(doc, path, value)
    return doc


def drift(spec: JobSpec, job: Job) -> Drift:
    """Where DLI's answer differs in meaning from what `spec` declares (its value, or DLI's default
    when the document does not write it)."""
    meant = flatten(spec)
    found: Drift = {}
    version = spec.resource_version
    for row in fields.TABLE.reported:
        if spec.kind not in row.kinds or not row.applies(version):
            continue
        real = reported(row, job)
        if real is None:
            continue
        default = row.unset(spec.kind)
        declared_value = meant.get(row.path, default)
        if declared_value == COMPUTED:
            continue
        if real != declared_value and not (declared_value is None and real == default):
            found[tuple(row.path.split("."))] = real
    runtime = runtime_config(job)
    if runtime is not None:
        _scaling_drift(found, spec, meant, runtime, job)
        _runtime_drift(found, spec, runtime)
    _tags_drift(found, spec, job)
    return found


def job_tags(job: Job) -> dict[str, str] | None:
    """The tags read with the job (key -> value), or None when they were not read."""
    tags = job.get("tags")
    if not isinstance(tags, list):
        return None
    return {str(t["key"]): str(t.get("value") or "") for t in tags}


def _tags_drift(found: Drift, spec: JobSpec, job: Job) -> None:
    """Every tag whose value DLI holds differs from the document's, by key; a tag the document
    does not write is DELETE, one DLI lacks is DELETE in the observed document too."""
    real = job_tags(job)
    if real is None or not known(spec.tags):
        return
    declared = dict(spec.tags or ())
    for key in declared.keys() - real.keys():
        found[("tags", key)] = DELETE
    for key, value in real.items():
        if declared.get(key) != value:
            found[("tags", key)] = value


def _scaling_drift(
    found: Drift, spec: JobSpec, meant: dict[str, Any], runtime: dict[str, str], job: Job
) -> None:
    # A default that follows another field (cuMax: the job's CUs) follows DLI's value of it.
    real_values = {row.path: reported(row, job) for row in fields.TABLE.reported}
    values = {**spec.values, **{k: v for k, v in real_values.items() if v is not None}}
    for key, row in fields.TABLE.scaling.items():
        real = _real_scaling(key, runtime, values)
        if real == meant.get(f"scaling.{key}"):
            continue
        if spec.setting(key).path[0] == "runtimeConfig":
            found[("runtimeConfig", row.runtime_key)] = runtime.get(row.runtime_key)  # type: ignore[arg-type,index]
        else:
            found[("scaling", key)] = DELETE if real is None else real


def _real_scaling(key: str, runtime: dict[str, str], values: dict[str, Any]) -> Any:
    """A scaling setting as DLI runs it: its runtime key, else DLI's default for it (a default
    that follows another field reads it from `values`)."""
    row = fields.TABLE.scaling[key]
    raw = runtime.get(row.runtime_key)  # type: ignore[arg-type]
    return parse_scaling_value(key, raw) if raw is not None else scaling_default(row, values)


def _runtime_drift(found: Drift, spec: JobSpec, runtime: dict[str, str]) -> None:
    """Declared keys only: keys DLI adds by itself are not the user's."""
    if not known(spec.runtime_config):
        return
    scaling_keys = fields.TABLE.scaling_keys.values()
    for key, _ in spec.runtime_config:
        if key in scaling_keys:
            continue
        if key not in runtime:
            found[("runtimeConfig", key)] = DELETE
        elif runtime[key] != spec.runtime_value(key):
            found[("runtimeConfig", key)] = runtime[key]


def status_drift(job: Job, running: bool) -> str | None:
    """Why DLI's job is not in its desired state (running, or stopped), or None; a transitional
    status (DLI rescaling the job, or a stop on its way) is not drift."""
    status = job.get("status")
    if running and status in NOT_RUNNING:
        reason = f" ({job['status_desc']})" if job.get("status_desc") else ""
        return (
            f"DLI reports {status}{reason} while desiredState is running: the next pulumi up "
            "starts it again, from its savepoint when it has one, else as restore says"
        )
    if not running and status == RUNNING:
        return (
            "DLI reports job_running while desiredState is stopped: the next pulumi up stops it "
            "with a savepoint"
        )
    return None


def applied(new: JobSpec, job: Job, change: Change) -> bool:
    """Whether DLI already holds every changed field with its value in `new` (an interrupted
    update's PUT went in, or someone made the same edit). Only a real value DLI reports back is
    evidence: a field answered as null, or not reported at all, counts as not applied."""
    meant = flatten(new)
    runtime = runtime_config(job)
    real_values = {row.path: reported(row, job) for row in fields.TABLE.reported}
    for changed in change.fields:
        key = changed.field
        group, _, inner = key.partition(".")
        if group in ("runtimeConfig", "scaling"):
            if runtime is None:
                return False
            real = runtime.get(inner) if group == "runtimeConfig" else None
            if group == "scaling":
                real = _real_scaling(inner, runtime, real_values)
            if real != meant.get(key):
                return False
            continue
        row = fields.TABLE.by_path.get(key)
        if row is not None and not row.applies(new.resource_version):
            continue  # a field of the other resource version: DLI is not sent it
        real = real_values.get(key)
        if row is None or real is None or real != meant.get(key, row.unset(new.kind)):
            return False
    return True


def _put(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set `path` in a document, a list field as the list the document writes."""
    value = list(value) if isinstance(value, tuple) else value
    node = doc
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value
