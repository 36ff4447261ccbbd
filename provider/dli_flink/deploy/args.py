"""Typed arguments with snake_case attributes: a second way to write a job, for editors and type
checkers, converging on the very same job document (camelCase keys) as the YAML.

    FlinkSqlJob("orders", FlinkSqlJobArgs(name="orders", queue="flink_q", flink_version="1.15",
                sql="...", scaling=ScalingArgs(enabled=True, cu_max=16)))

Any value may be a Pulumi Input. Unset (None) attributes are left out of the document, so the
schema's defaults apply exactly as for a YAML file that does not write them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any


@dataclass(kw_only=True)
class ResourcesArgs:
    cu: Any = None
    manager_cu: Any = None
    parallelism: Any = None
    task_manager_cu: Any = None
    slots_per_task_manager: Any = None


@dataclass(kw_only=True)
class CheckpointArgs:
    enabled: Any = None
    interval_seconds: Any = None
    mode: Any = None
    path: Any = None


@dataclass(kw_only=True)
class ScalingArgs:
    enabled: Any = None
    interval_minutes: Any = None
    cu_min: Any = None
    cu_max: Any = None
    priority: Any = None


@dataclass(kw_only=True)
class JarArgs:
    entrypoint: Any
    main_class: Any = None
    args: Any = None
    dependency_jars: Any = None
    dependency_files: Any = None


@dataclass(kw_only=True)
class TimeoutsArgs:
    """Minutes."""

    create: Any = None
    update: Any = None
    delete: Any = None


@dataclass(kw_only=True)
class _JobArgs:
    name: Any
    queue: Any
    flink_version: Any
    description: Any = None
    resources: ResourcesArgs | None = None
    checkpoint: CheckpointArgs | None = None
    obs_bucket: Any = None
    log_enabled: Any = None
    restart_on_exception: Any = None
    resume_from_checkpoint: Any = None
    resume_max_times: Any = None
    smn_topic: Any = None
    scaling: ScalingArgs | None = None
    runtime_config: Any = None
    """key -> value, written as DLI names the keys."""
    tags: Any = None
    desired_state: Any = None
    timeouts: TimeoutsArgs | None = None
    adopt: Any = None


@dataclass(kw_only=True)
class FlinkSqlJobArgs(_JobArgs):
    sql: Any = None
    sql_file: Any = None
    job_type: Any = None
    idle_state_retention_seconds: Any = None
    dirty_data_strategy: Any = None


@dataclass(kw_only=True)
class FlinkJarJobArgs(_JobArgs):
    jar: JarArgs


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_document(args: Any) -> dict[str, Any]:
    """The job document of typed args: camelCase keys, None left out, user maps kept verbatim."""
    document: dict[str, Any] = {}
    for field in fields(args):
        value = getattr(args, field.name)
        if value is None:
            continue
        document[camel(field.name)] = to_document(value) if is_dataclass(value) else value
    return document
