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
from collections.abc import Callable
from typing import Any

from dli_flink.model.planner import flatten
from dli_flink.model.spec import SCALING_KEYS, JobSpec, parse_scaling_value

Job = dict[str, Any]


def _config(name: str) -> Callable[[Job], Any]:
    return lambda job: (job.get("job_config") or {}).get(name)


def _top(name: str) -> Callable[[Job], Any]:
    return lambda job: job.get(name)


FIELDS: tuple[tuple[tuple[str, ...], Callable[[Job], Any], Any], ...] = (
    (("queue",), _top("queue_name"), None),
    (("description",), _top("desc"), ""),
    (("flinkVersion",), _config("flink_version"), None),
    (("sql",), _top("sql_body"), None),
    (("resources", "cu"), _config("cu_number"), 2),
    (("resources", "managerCu"), _config("manager_cu_number"), 1),
    (("resources", "parallelism"), _config("parallel_number"), 1),
    (("resources", "taskManagerCu"), _config("tm_cus"), None),
    (("resources", "slotsPerTaskManager"), _config("tm_slot_num"), None),
    (("checkpoint", "enabled"), _config("checkpoint_enabled"), False),
    (("checkpoint", "intervalSeconds"), _config("checkpoint_interval"), 10),
    (("checkpoint", "mode"), _config("checkpoint_mode"), "exactly_once"),
    (("obsBucket",), _config("obs_bucket"), None),
    (("logEnabled",), _config("log_enabled"), False),
    (("smnTopic",), _config("smn_topic"), ""),
    (("restartOnException",), _config("restart_when_exception"), False),
    (("resumeFromCheckpoint",), _config("resume_checkpoint"), False),
    (("resumeMaxTimes",), _config("resume_max_num"), -1),
    (("jar", "entrypoint"), _config("entrypoint"), None),
    (("jar", "mainClass"), _top("main_class"), None),
)
"""(document path, where DLI reports it, DLI's value when the document does not set it)."""


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
    for path, read, default in FIELDS:
        if path[0] == ("jar" if spec.is_sql else "sql"):
            continue
        real = read(job)
        if real is None:
            continue
        declared_value = meant.get(".".join(path), default)
        if real != declared_value and not (declared_value is None and real == default):
            _put(doc, path, real)
    runtime = runtime_config(job)
    if runtime is not None:
        _patch_scaling(doc, spec, meant, runtime, job)
        _patch_runtime(doc, spec, runtime)
    return doc


def _patch_scaling(
    doc: dict[str, Any], spec: JobSpec, meant: dict[str, Any], runtime: dict[str, str], job: Job
) -> None:
    cu = _config("cu_number")(job) or spec.resources.cu
    defaults = {"enabled": False, "intervalMinutes": 30, "cuMin": 2, "cuMax": cu, "priority": None}
    for key, runtime_key in SCALING_KEYS.items():
        raw = runtime.get(runtime_key)
        real = parse_scaling_value(key, raw) if raw is not None else defaults[key]
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
        if key in SCALING_KEYS.values():
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
