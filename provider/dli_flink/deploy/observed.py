"""What DLI reports about a job, as the job document: refresh's view of the real configuration.

A refresh must show real drift (someone edited the job in the console) and nothing else. So the
declared document is patched only where DLI's value differs from what the declaration means (its
value, or DLI's default when it is not written), never rewritten wholesale: a perpetual diff from
defaults or key order is how the incumbent Terraform resources annoy their users (issue #10147).

- DLI's own dynamic scaling changes the running CUs (`real_cu_number`), never the declared `cu_number`
  or the flink.dli.job.* keys: that is `currentCu` in the outputs, not drift.
- Keys DLI adds to runtime_config by itself are ignored; only declared keys are compared.
- A field DLI answers as null says nothing (DLI returns optional fields as null freely).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from dli_flink.model import fields
from dli_flink.model.fields import Field
from dli_flink.model.planner import flatten
from dli_flink.model.spec import JobSpec, parse_scaling_value, scaling_default

Job = dict[str, Any]


def reported(row: Field, job: Job) -> Any:
    """What DLI's job answer holds for a row (its `reported` place: "desc", "job_config.cu_number")."""
    head, _, inner = row.reported.partition(".")  # type: ignore[union-attr]
    return (job.get(head) or {}).get(inner) if inner else job.get(head)


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


def observed_document(declared: dict[str, Any], job: Job) -> dict[str, Any]:
    """`declared` (a job document) patched with what DLI reports where it differs in meaning."""
    spec = JobSpec.from_document(declared)
    meant = flatten(spec)
    doc = copy.deepcopy(declared)
    for row in fields.TABLE.reported:
        if spec.kind not in row.kinds:
            continue
        real = reported(row, job)
        if real is None:
            continue
        default = row.default_for(spec.kind) if row.dli_default is None else row.dli_default
        declared_value = meant.get(row.path, default)
        if real != declared_value and not (declared_value is None and real == default):
            _put(doc, tuple(row.path.split(".")), real)
    runtime = runtime_config(job)
    if runtime is not None:
        _patch_scaling(doc, spec, meant, runtime, job)
        _patch_runtime(doc, spec, runtime)
    return doc


def _patch_scaling(
    doc: dict[str, Any], spec: JobSpec, meant: dict[str, Any], runtime: dict[str, str], job: Job
) -> None:
    # A default that follows another field (cuMax: the job's CUs) follows DLI's value of it.
    real_values = {row.path: reported(row, job) for row in fields.TABLE.reported}
    values = {**spec.values, **{k: v for k, v in real_values.items() if v is not None}}
    for key, row in fields.TABLE.scaling.items():
        runtime_key = row.runtime_key
        raw = runtime.get(runtime_key)  # type: ignore[arg-type]
        real = parse_scaling_value(key, raw) if raw is not None else scaling_default(row, values)
        if real == meant.get(f"scaling.{key}"):
            continue
        if spec.setting(key).path[0] == "runtimeConfig":
            doc.setdefault("runtimeConfig", {})[runtime_key] = raw
        elif real is not None:
            doc.setdefault("scaling", {})[key] = real
        else:
            doc.get("scaling", {}).pop(key, None)


def _patch_runtime(doc: dict[str, Any], spec: JobSpec, runtime: dict[str, str]) -> None:
    declared = doc.get("runtimeConfig")
    if not isinstance(declared, dict):
        return
    for key in list(declared):
        if key in fields.TABLE.scaling_keys.values():
            continue
        if key not in runtime:
            del declared[key]
        elif runtime[key] != spec.runtime_value(key):
            declared[key] = runtime[key]


def _put(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = doc
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value
