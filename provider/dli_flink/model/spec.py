"""JobSpec: the one typed model of a DLI Flink job, and the only place that converts it.

A spec comes from a job document (a YAML document, or Pulumi inputs of the same shape) and becomes a DLI
request body. Every front end, and every rule, reads jobs through it.

Values the checker cannot trust are UNKNOWN rather than guessed: a value the schema rejected, a
required key that is missing, or a Pulumi input not yet known during preview. Rules skip what they
cannot know, so a finding is never built on a default the user did not write.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Final, TypeVar

from dli_flink.model.findings import Path as DocPath

T = TypeVar("T")


class Unknown:
    """A value that is not known (yet): see the module docstring."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
Maybe = T | Unknown


def known(*values: object) -> bool:
    """True when none of `values` is UNKNOWN."""
    return not any(isinstance(v, Unknown) for v in values)


SQL_KIND = "FlinkSqlJob"
JAR_KIND = "FlinkJarJob"
OPENSOURCE_SQL = "flink_opensource_sql_job"
DEFAULT_CU = 2
DEFAULT_MANAGER_CU = 1
DEFAULT_PARALLELISM = 1
DEFAULT_SCALE_INTERVAL = 30
DEFAULT_CU_MIN = 2
CHECKPOINT_MODES = {"exactly_once": 1, "at_least_once": 2}

SCALING_KEYS: Final = {
    "enabled": "flink.dli.job.scale.enable",
    "intervalMinutes": "flink.dli.job.scale.interval",
    "cuMin": "flink.dli.job.cu.min",
    "cuMax": "flink.dli.job.cu.max",
    "priority": "flink.dli.job.priority",
}
"""The scaling block's keys and the DLI runtime keys they become."""


@dataclass(frozen=True)
class Setting:
    """A scaling setting as DLI will see it: its value and where the document sets it."""

    value: Any
    path: DocPath
    explicit: bool
    """False when the value is DLI's default."""


@dataclass(frozen=True)
class Resources:
    cu: Maybe[int] = DEFAULT_CU
    manager_cu: Maybe[int] = DEFAULT_MANAGER_CU
    parallelism: Maybe[int] = DEFAULT_PARALLELISM
    task_manager_cu: Maybe[int | None] = None
    slots_per_task_manager: Maybe[int | None] = None


@dataclass(frozen=True)
class Checkpoint:
    enabled: Maybe[bool] = False
    interval_seconds: Maybe[int] = 10
    mode: Maybe[str | None] = None
    path: Maybe[str | None] = None


@dataclass(frozen=True)
class Jar:
    entrypoint: Maybe[str]
    main_class: Maybe[str | None] = None
    args: Maybe[tuple[str, ...]] = ()
    dependency_jars: Maybe[tuple[str, ...]] = ()
    dependency_files: Maybe[tuple[str, ...]] = ()


@dataclass(frozen=True)
class Scaling:
    """The scaling block as written: None where a key is not set."""

    enabled: Maybe[bool | None] = None
    interval_minutes: Maybe[int | None] = None
    cu_min: Maybe[int | None] = None
    cu_max: Maybe[int | None] = None
    priority: Maybe[int | None] = None


@dataclass(frozen=True)
class JobSpec:
    """One Flink job, SQL or Jar, as declared."""

    kind: str
    name: Maybe[str]
    queue: Maybe[str]
    flink_version: Maybe[str]
    description: Maybe[str | None] = None
    job_type: Maybe[str] = OPENSOURCE_SQL
    sql: Maybe[str | None] = None
    sql_file: Maybe[str | None] = None
    jar: Maybe[Jar | None] = None
    resources: Resources = Resources()
    checkpoint: Checkpoint = Checkpoint()
    obs_bucket: Maybe[str | None] = None
    log_enabled: Maybe[bool] = False
    restart_on_exception: Maybe[bool | None] = None
    resume_from_checkpoint: Maybe[bool | None] = None
    resume_max_times: Maybe[int | None] = None
    smn_topic: Maybe[str | None] = None
    idle_state_retention_seconds: Maybe[int | None] = None
    dirty_data_strategy: Maybe[str | None] = None
    scaling: Scaling = Scaling()
    runtime_config: Maybe[tuple[tuple[str, str], ...]] = ()
    """Other runtime keys, values as the strings DLI receives, in document order."""
    tags: Maybe[tuple[tuple[str, str], ...]] = ()

    @property
    def is_sql(self) -> bool:
        return self.kind == SQL_KIND

    @classmethod
    def from_document(cls, document: Mapping[str, Any], base_dir: Path | None = None) -> JobSpec:
        """Build from a document the schema accepted; values it rejected must already be UNKNOWN.

        `base_dir` is where a relative `sqlFile` is read from; without it the SQL stays unread.
        """
        doc = _Doc(document)
        kind = doc.get("kind")
        resources, checkpoint, scaling = (
            doc.sub("resources"),
            doc.sub("checkpoint"),
            doc.sub("scaling"),
        )
        jar = doc.sub("jar")
        sql, sql_file = doc.get("sql"), doc.get("sqlFile")
        if sql is None and isinstance(sql_file, str) and base_dir is not None:
            sql = read_sql(base_dir / sql_file)
        return cls(
            kind=kind,
            name=doc.required("name"),
            queue=doc.required("queue"),
            flink_version=doc.required("flinkVersion"),
            description=doc.get("description"),
            job_type=doc.get("jobType", OPENSOURCE_SQL) if kind == SQL_KIND else "flink_jar_job",
            sql=sql,
            sql_file=sql_file,
            jar=None
            if jar.absent
            else (
                UNKNOWN
                if jar.unknown
                else Jar(
                    entrypoint=jar.required("entrypoint"),
                    main_class=jar.get("mainClass"),
                    args=jar.strings("args"),
                    dependency_jars=jar.strings("dependencyJars"),
                    dependency_files=jar.strings("dependencyFiles"),
                )
            ),
            resources=Resources(
                cu=resources.number("cu", DEFAULT_CU),
                manager_cu=resources.number("managerCu", DEFAULT_MANAGER_CU),
                parallelism=resources.number("parallelism", DEFAULT_PARALLELISM),
                task_manager_cu=resources.number("taskManagerCu"),
                slots_per_task_manager=resources.number("slotsPerTaskManager"),
            ),
            checkpoint=Checkpoint(
                enabled=checkpoint.get("enabled", False),
                interval_seconds=checkpoint.number("intervalSeconds", 10),
                mode=checkpoint.get("mode"),
                path=checkpoint.get("path"),
            ),
            obs_bucket=doc.get("obsBucket"),
            log_enabled=doc.get("logEnabled", False),
            restart_on_exception=doc.get("restartOnException"),
            resume_from_checkpoint=doc.get("resumeFromCheckpoint"),
            resume_max_times=doc.number("resumeMaxTimes"),
            smn_topic=doc.get("smnTopic"),
            idle_state_retention_seconds=doc.number("idleStateRetentionSeconds"),
            dirty_data_strategy=doc.get("dirtyDataStrategy"),
            scaling=Scaling(
                enabled=scaling.get("enabled"),
                interval_minutes=scaling.number("intervalMinutes"),
                cu_min=scaling.number("cuMin"),
                cu_max=scaling.number("cuMax"),
                priority=scaling.number("priority"),
            ),
            runtime_config=doc.pairs("runtimeConfig"),
            tags=doc.pairs("tags"),
        )

    def setting(self, key: str) -> Setting:
        """The effective value of a scaling key ("enabled", "cuMax", ...) and where it is set.

        The scaling block wins; a `flink.dli.job.*` key written in runtimeConfig counts too (DLI reads
        it just the same), and otherwise DLI's documented default applies.
        """
        return self._settings[key]

    @cached_property
    def _settings(self) -> dict[str, Setting]:
        """Every scaling setting, worked out once: each rule asks for several of them."""
        settings = {}
        for key, runtime_key in SCALING_KEYS.items():
            declared = getattr(self.scaling, _SNAKE[key])
            raw = self.runtime_value(runtime_key)
            if declared is not None:
                settings[key] = Setting(declared, ("scaling", key), True)
            elif raw is not None:
                value = raw if isinstance(raw, Unknown) else parse_scaling_value(key, raw)
                settings[key] = Setting(value, ("runtimeConfig", runtime_key), True)
            else:
                settings[key] = Setting(self._scaling_default(key), ("scaling", key), False)
        return settings

    def runtime_value(self, key: str) -> Maybe[str | None]:
        return self._runtime.get(key)

    @cached_property
    def _runtime(self) -> dict[str, Any]:
        if not known(self.runtime_config):
            return {}
        runtime: dict[str, Any] = {}
        for key, value in self.runtime_config:
            runtime.setdefault(key, value)
        return runtime

    def _scaling_default(self, key: str) -> Any:
        return {
            "enabled": False,
            "intervalMinutes": DEFAULT_SCALE_INTERVAL,
            "cuMin": DEFAULT_CU_MIN,
            "cuMax": self.resources.cu,
            "priority": None,
        }[key]

    @cached_property
    def scaling_enabled(self) -> Maybe[bool]:
        value = self.setting("enabled").value
        return value if isinstance(value, Unknown) else value is True

    def effective_runtime_config(self) -> list[dict[str, str]]:
        """runtime_config as DLI receives it: the scaling block as flink.dli.job.* keys, then the rest."""
        entries = (
            {key: value for key, value in self.runtime_config} if known(self.runtime_config) else {}
        )
        for key, runtime_key in SCALING_KEYS.items():
            value = getattr(self.scaling, _SNAKE[key])
            if value is not None and known(value):
                entries[runtime_key] = _wire_string(value)
        return [{"key": key, "value": value} for key, value in entries.items()]

    def to_dli_body(self, *, for_update: bool = False) -> dict[str, Any]:
        """The create (or update) request body, with DLI's wire names; unset fields are left out.

        Only a known spec converts: preview never calls DLI.
        """
        if not _all_known(self):
            raise ValueError(f"job {self.name!r} has values that are not known yet")
        r, c = self.resources, self.checkpoint
        body: dict[str, Any] = {
            "name": self.name,
            "desc": self.description,
            "queue_name": self.queue,
            "cu_number": r.cu,
            "manager_cu_number": r.manager_cu,
            "parallel_number": r.parallelism,
            "tm_cus": r.task_manager_cu,
            "tm_slot_num": r.slots_per_task_manager,
            "checkpoint_enabled": c.enabled,
            "checkpoint_mode": CHECKPOINT_MODES[c.mode] if c.mode else None,
            "checkpoint_interval": c.interval_seconds,
            "obs_bucket": self.obs_bucket,
            "log_enabled": self.log_enabled,
            "smn_topic": self.smn_topic,
            "restart_when_exception": self.restart_on_exception,
            "resume_checkpoint": self.resume_from_checkpoint,
            "resume_max_num": self.resume_max_times,
            "flink_version": self.flink_version,
            "runtime_config": json.dumps(self.effective_runtime_config(), separators=(",", ":")),
        }
        if not for_update:
            body["tags"] = [{"key": k, "value": v} for k, v in self.tags] or None
        if self.is_sql:
            body.update(
                sql_body=self.sql,
                idle_state_retention=self.idle_state_retention_seconds,
                dirty_data_strategy=self.dirty_data_strategy,
            )
            if not for_update:
                body["job_type"] = self.job_type
        else:
            jar = self.jar
            assert isinstance(jar, Jar)
            body.update(
                entrypoint=jar.entrypoint,
                main_class=jar.main_class,
                entrypoint_args=" ".join(jar.args) or None,
                dependency_jars=list(jar.dependency_jars) or None,
                dependency_files=list(jar.dependency_files) or None,
                checkpoint_path=c.path,
            )
            if for_update:
                body["job_type"] = self.job_type
        return {key: value for key, value in body.items() if value is not None}


_SNAKE = {
    "enabled": "enabled",
    "intervalMinutes": "interval_minutes",
    "cuMin": "cu_min",
    "cuMax": "cu_max",
    "priority": "priority",
}


def parse_scaling_value(key: str, raw: str) -> Any:
    """A runtimeConfig string for a scaling key as the type DLI reads; UNKNOWN when it cannot be."""
    text = raw.strip().lower()
    if key == "enabled":
        return {"true": True, "false": False}.get(text, UNKNOWN)
    try:
        return int(text)
    except ValueError:
        return UNKNOWN


def _wire_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_SQL_BYTES = 1024 * 1024
"""A sqlFile larger than this is not read (a device or a runaway file must not exhaust memory)."""


def read_sql(path: Path) -> str | None:
    """The SQL of a regular UTF-8 file up to MAX_SQL_BYTES; None for anything else.

    A FIFO would block and /dev/zero never ends, so only regular files are opened.
    """
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            raw = handle.read(MAX_SQL_BYTES + 1)
        return None if len(raw) > MAX_SQL_BYTES else raw.decode("utf-8")
    except (OSError, ValueError):  # unreadable, not UTF-8, or a NUL in the path
        return None


def _all_known(value: Any) -> bool:
    if isinstance(value, Unknown):
        return False
    if isinstance(value, tuple):
        return all(_all_known(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return all(_all_known(getattr(value, name)) for name in value.__dataclass_fields__)
    return True


class _Doc:
    """Read access to one mapping of a document, UNKNOWN-aware, numbers normalised.

    Pulumi sends every number as a float (8 -> 8.0): a whole float becomes an int here, once.
    """

    def __init__(self, data: Any) -> None:
        self.unknown = isinstance(data, Unknown)
        self.absent = data is None
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}

    def get(self, key: str, default: Any = None) -> Any:
        if self.unknown:
            return UNKNOWN
        return self.data.get(key, default)

    def required(self, key: str) -> Any:
        value = self.get(key)
        return UNKNOWN if value is None else value

    def number(self, key: str, default: Any = None) -> Any:
        value = self.get(key, default)
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        return value

    def sub(self, key: str) -> _Doc:
        return _Doc(self.get(key))

    def strings(self, key: str) -> Maybe[tuple[str, ...]]:
        value = self.get(key)
        if isinstance(value, Unknown):
            return UNKNOWN
        return tuple(_wire_string(v) for v in value or ())

    def pairs(self, key: str) -> Maybe[tuple[tuple[str, str], ...]]:
        value = self.get(key)
        if isinstance(value, Unknown):
            return UNKNOWN
        if not value:
            return ()
        return tuple(
            (str(k), v if isinstance(v, Unknown) else _wire_string(v)) for k, v in value.items()
        )
