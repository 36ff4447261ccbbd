"""JobSpec: the one typed model of a DLI Flink job, and the only place that converts it.

A spec comes from a job document (a YAML document, or Pulumi inputs of the same shape) and becomes a DLI
request body. Every front end, and every rule, reads jobs through it. What it reads and what it sends
is the field table (`fields.py`): a spec holds one value per row, by the row's document path, and
knows nothing of individual fields but the scaling block's DLI semantics and the job's size: its CUs
(`job_cus`, which the scaling limits are measured against) and its `parallelism`, each read by its
resource configuration version.

Values the checker cannot trust are UNKNOWN (see `values.py`): a rule never builds a finding on a
default the user did not write.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, NamedTuple

from dli_flink.model import fields
from dli_flink.model.fields import (
    CHECKPOINT_MODES,
    JAR_KIND,
    KINDS,
    OPENSOURCE_SQL,
    SQL_KIND,
    Field,
    FollowField,
)
from dli_flink.model.findings import Path as DocPath
from dli_flink.model.values import (
    UNKNOWN,
    Maybe,
    Unknown,
    java_int,
    known,
    whole,
    wire_string,
)

__all__ = [
    "CHECKPOINT_MODES",
    "DEFAULT_CU_MIN",
    "JAR_KIND",
    "OPENSOURCE_SQL",
    "SQL_KIND",
    "UNKNOWN",
    "JobSpec",
    "Maybe",
    "Setting",
    "Unknown",
    "camel",
    "known",
    "parse_scaling_value",
    "read_sql",
    "sql_of",
]

DEFAULT_CU_MIN: Final = 2
"""The smallest DLI job, and DLI's default for flink.dli.job.cu.min."""


@functools.cache
def camel(name: str) -> str:
    """A snake_case attribute as its document key: manager_cu -> managerCu."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class Setting(NamedTuple):
    """A scaling setting as DLI will see it: its value and where the document sets it."""

    value: Any
    path: DocPath
    explicit: bool
    """False when the value is DLI's default."""


class _Field:
    """`spec.flink_version`, `spec.resources.cu`: a document attribute, read once, then kept on the
    instance (a spec never changes, and the rules read the same few attributes of every job).

    Put on the class by `__getattr__` the first time a name is asked for, so the next spec's
    read is a plain descriptor call rather than a failed lookup, an AttributeError and
    `__getattr__` (about a third of what the per-job rules cost the policy pack,
    bench/policy_bench.py). Each read asks the field table in use (`fields.TABLE`, which a test
    may replace) through the instance's `_lookup`; a name that is no row there raises
    AttributeError, and Python asks `__getattr__`, which raises it again.
    """

    __slots__ = ("key", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = camel(name)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        state = instance.__dict__
        values = state.get("values")  # a JobSpec's top-level rows are read here, not by a call
        if values is not None and self.key in values:
            found = state[self.name] = values[self.key]
        else:
            found = state[self.name] = instance._lookup(self.key, self.name)
        return found


def _field_attribute(instance: Any, name: str) -> Any:
    """What `__getattr__` answers for `name`: the value of the row (or the block) it names, and
    the name's `_Field` on the class for every later instance."""
    if name.startswith("_"):
        raise AttributeError(name)
    field = _Field(name)
    found = field.__get__(instance)  # AttributeError if the name is no row
    setattr(type(instance), name, field)
    return found


class Group:
    """A block of the document (`spec.resources`): its fields as snake_case attributes."""

    def __init__(self, spec: JobSpec, path: str) -> None:
        self._spec = spec
        self._path = path

    def _lookup(self, key: str, name: str) -> Any:
        path = f"{self._path}.{key}"
        values = self._spec.values
        if path in values:  # every row of a spec from a document: the table is asked only after
            return values[path]
        return (
            Group(self._spec, path) if path in fields.TABLE.blocks else self._spec.value(path, name)
        )

    __getattr__ = _field_attribute


class _kept:
    """functools.cached_property without its lock: Python 3.11's takes an RLock for every first
    read, a few microseconds each, paid four times per job the policy pack checks (3.12 dropped
    the lock for the same reason). Two threads reading one spec at once may both work the value
    out; it depends only on the spec's values, so either result is the same."""

    def __init__(self, func: Any) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        found = instance.__dict__[self.name] = self.func(instance)
        return found


ACCEPTED = "_dli_accepted"
"""The attribute in which rules/accepted.py keeps a spec with what the value rules reject in it
made UNKNOWN: worked out once per spec, and pickled with it (`_PICKLED`)."""
_PICKLED = frozenset(
    {"kind", "values", ACCEPTED}
    | {"name", "queue", "desired_state", "scaling_enabled", "job_cu", "_settings"}
)
"""What a pickled spec keeps (`__getstate__`): its values, what the value rules rejected in it,
and what the cross-job rules (job-name, queue-capacity) ask of every job, worked out while it was
checked: a run of a thousand cached files with one changed loads them all and runs those rules,
which spent 15 ms working them out again."""


class JobSpec:
    """One Flink job, SQL or Jar, as declared: a value per field-table row, by document path.

    `spec.value("resources.cu")`, or as attributes: `spec.resources.cu`, `spec.flink_version`.
    Never changed once made (what it works out from its values is kept on it). A plain class, not
    a frozen dataclass: see model/findings.py's Problem.
    """

    kind: str
    values: Mapping[str, Any]

    def __init__(self, kind: str, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "values", values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a JobSpec is not changed: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a JobSpec is not changed: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.kind, self.values) == (other.kind, other.values)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.kind, self.values))

    def __repr__(self) -> str:
        return f"JobSpec(kind={self.kind!r}, values={self.values!r})"

    def value(self, path: str, attribute: str | None = None) -> Any:
        """The value at a document path; AttributeError for a path that is not a row."""
        try:
            return self.values[path]
        except KeyError:
            if path in fields.TABLE.by_path:
                return None
            raise AttributeError(attribute or path) from None

    def _lookup(self, key: str, name: str) -> Any:
        values = self.values
        if key in values:  # every row of a spec from a document: the table is asked only after
            return values[key]
        return Group(self, key) if key in fields.TABLE.blocks else self.value(key, name)

    __getattr__ = _field_attribute

    def __getstate__(self) -> dict[str, Any]:
        """What a pickled spec (validate's cache) keeps: its values, what the value rules
        rejected in it (rules/accepted.py) and the few attributes every cross-job rule asks
        (`_PICKLED`). The others worked out from the values are left out, worked out again if
        asked: a cached spec pickled with all of them took three times as long to load."""
        return {key: value for key, value in self.__dict__.items() if key in _PICKLED}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Defined, so that unpickling a spec does not look for `__setstate__` through
        `__getattr__`, which raises an AttributeError for every spec loaded."""
        self.__dict__.update(state)

    @property
    def is_sql(self) -> bool:
        return self.kind == SQL_KIND

    @property
    def resource_version(self) -> Any:
        """The resource configuration version DLI runs the job with: resourceConfigVersion, else
        DLI's default, v1."""
        version = self.values.get("resourceConfigVersion")
        return fields.V1 if version is None else version

    @property
    def parallelism(self) -> Any:
        """The parallelism DLI runs the job with: its resource configuration version's
        (resourceConfig.parallelism under v2, resources.parallelism under v1)."""
        if self.resource_version == fields.V2:
            return self.value("resourceConfig.parallelism")
        return self.value("resources.parallelism")

    @_kept
    def job_cu(self) -> Any:
        """The job's CUs, as scaling and queue capacity count them (`job_cus`)."""
        return job_cus(self.values)

    @property
    def job_cu_source(self) -> str:
        """Where `job_cu` comes from, for a message."""
        if self.resource_version == fields.V2:
            return "resourceConfig, at 1 CU per core or 4 GB"
        return "resources.cu"

    @classmethod
    def from_document(cls, document: Mapping[str, Any], base_dir: Path | None = None) -> JobSpec:
        """Build from a document the schema accepted; values it rejected must already be UNKNOWN.

        `base_dir` is where a relative `sqlFile` is read from; without it the SQL stays unread.
        """
        kind = document.get("kind")
        known_kind = kind if isinstance(kind, str) and kind in KINDS else None
        missing, blocks = _readers(fields.TABLE, known_kind)
        values = dict(missing)  # every row, in table order; the document's keys then override
        for names, readers, paths in blocks:
            block: Any = document  # the block at `names`: UNKNOWN where one on the way is
            # unknown, None where one is missing or not a mapping (walked here, not by a call per
            # block: nine a job, which the policy pack pays for every resource)
            for name in names:
                if isinstance(block, Unknown):
                    break
                block = (
                    block.get(name) if type(block) is dict or isinstance(block, Mapping) else None
                )
            if isinstance(block, Unknown):
                values.update(dict.fromkeys(paths, UNKNOWN))
                continue
            if type(block) is not dict and not isinstance(block, Mapping):
                continue
            for key, value in block.items():  # the keys written: fewer than the block's rows
                reader = readers.get(key)
                if reader is None or value is None:
                    continue
                path, shape = reader
                if shape is None:
                    values[path] = whole(value) if type(value) is float else value
                else:
                    values[path] = _shaped(shape, value)
        sql_file = values.get("sqlFile")
        if values.get("sql") is None and isinstance(sql_file, str) and base_dir is not None:
            values["sql"] = read_sql(base_dir / sql_file)
        return cls(kind, values)

    def without(self, paths: Iterable[DocPath]) -> JobSpec:
        """This spec with the values at `paths` (document paths, runtimeConfig keys included) made
        UNKNOWN: what rules that relate values see of a value another rule rejected."""
        values = dict(self.values)
        runtime_keys = set()
        for path in paths:
            if path[0] == "runtimeConfig":
                runtime_keys.add(path[1])
            else:
                values[".".join(map(str, path))] = UNKNOWN
        if runtime_keys and known(self.runtime_config):
            values["runtimeConfig"] = tuple(
                (key, UNKNOWN if key in runtime_keys else value)
                for key, value in self.runtime_config
            )
        return JobSpec(self.kind, values)

    def setting(self, key: str) -> Setting:
        """The effective value of a scaling key ("enabled", "cuMax", ...) and where it is set.

        The scaling block wins; a `flink.dli.job.*` key written in runtimeConfig counts too (DLI reads
        it just the same), and otherwise DLI's documented default applies.
        """
        settings = self._settings
        found = settings.get(key)
        if found is None:
            found = settings[key] = self._setting(key)
        return found

    @_kept
    def _settings(self) -> dict[str, Setting]:
        """The scaling settings worked out so far, each once: the per-job rules ask for several,
        and the cross-job rules, over a thousand specs loaded from the cache, for one or two."""
        return {}

    def _setting(self, key: str) -> Setting:
        row = fields.TABLE.scaling[key]
        declared = self.values.get(row.path)
        if declared is not None:
            return Setting(declared, ("scaling", key), True)
        raw = self.runtime_value(row.runtime_key)  # type: ignore[arg-type]
        if raw is not None:
            value = raw if isinstance(raw, Unknown) else parse_scaling_value(key, raw)
            return Setting(value, ("runtimeConfig", row.runtime_key), True)
        return Setting(scaling_default(row, self.values), ("scaling", key), False)

    def runtime_value(self, key: str) -> Maybe[str | None]:
        return self._runtime.get(key)

    @_kept
    def _runtime(self) -> dict[str, Any]:
        if not known(self.runtime_config):
            return {}
        runtime: dict[str, Any] = {}
        for key, value in self.runtime_config:
            runtime.setdefault(key, value)
        return runtime

    @_kept
    def scaling_enabled(self) -> Maybe[bool]:
        value = self.setting("enabled").value
        return value if isinstance(value, Unknown) else value is True

    def effective_runtime_config(self) -> list[dict[str, str]]:
        """runtime_config as DLI receives it: the scaling block as flink.dli.job.* keys, then the rest."""
        entries = (
            {key: value for key, value in self.runtime_config} if known(self.runtime_config) else {}
        )
        for row in fields.TABLE.scaling.values():
            value = self.values.get(row.path)
            if value is not None and known(value):
                entries[row.runtime_key] = wire_string(value)  # type: ignore[index]
        return [{"key": key, "value": value} for key, value in entries.items()]

    def to_dli_body(self, *, for_update: bool = False) -> dict[str, Any]:
        """The create (or update) request body, with DLI's wire names.

        A create leaves unset fields out. DLI's update is a partial PUT, so an update body sends
        an unset field's clear value where its row `clears` (a field removed from the document
        must not keep its old value in DLI); the other unset fields are left out.
        Only a known spec converts: preview never calls DLI.
        """
        if not _all_known(self.values):
            raise ValueError(f"job {self.name!r} has values that are not known yet")
        body: dict[str, Any] = {}
        version = self.resource_version
        for row in fields.TABLE.rows:
            if not row.sent(self.kind, for_update=for_update) or not row.applies(version):
                continue
            if row.path == "runtimeConfig":
                import json  # here: validate's start-up does without it

                value: Any = json.dumps(self.effective_runtime_config(), separators=(",", ":"))
            else:
                value = self.values.get(row.path)
                if value is None or value == ():
                    if not (for_update and row.clears):
                        continue
                    value = row.dli_default
                if row.encode is not None:
                    value = row.encode(value)
            *outer, key = row.wire.split(".")  # type: ignore[union-attr]
            place = body
            for name in outer:  # resource_config.jobmanager_resource_spec.cpu: nested objects
                place = place.setdefault(name, {})
            place[key] = value
        return body


Blocks = tuple[tuple[tuple[str, ...], dict[str, tuple[str, str | None]], tuple[str, ...]], ...]
"""Per block of the document (its keys: (), ("resourceConfig", "jobManager")): its rows read from
the document, by key, as (document path, list/map shape or None), and the paths of all its rows."""


@functools.cache
def _readers(table: fields.FieldTable, kind: str | None) -> tuple[dict[str, Any], Blocks]:
    """How a job of `kind` is read, worked out once per table and kind (every file of a validate
    run reads the same rows): each row's value when the document does not write it, in table
    order, and each block's rows by the key that writes them (a row no document writes, such as a
    Jar job's job_type, has only its value)."""
    missing = {row.path: _missing(row, kind) for rows in table.groups.values() for row in rows}
    blocks = tuple(
        (
            tuple(group.split(".")) if group else (),
            {key: (row.path, _shape(row)) for row in rows if (key := _key(row, kind)) is not None},
            tuple(row.path for row in rows),
        )
        for group, rows in table.groups.items()
    )
    return missing, blocks


def _key(row: Field, kind: str | None) -> str | None:
    """The key to read; None for a value fixed by the kind (a Jar job's job_type), which no
    document writes."""
    fixed = kind is not None and kind not in row.kinds and row.default_for(kind) is not None
    return None if fixed else row.key


def _shape(row: Field) -> str | None:
    return None if row.shape == "scalar" else row.shape


def _missing(row: Field, kind: str | None) -> Any:
    """A row's value when the document does not write it: the default; UNKNOWN where the schema
    requires it; nothing for another kind's field, except a fixed per-kind value (a Jar job's
    job_type)."""
    if kind is not None and kind not in row.kinds:
        return row.default_for(kind)
    if row.shape != "scalar":
        return ()
    return UNKNOWN if row.required else row.default_for(kind)


def _shaped(shape: str, value: Any) -> Any:
    """A list as a tuple of DLI strings; a map as (key, DLI string) pairs in document order."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if shape == "list":
        return tuple(wire_string(v) for v in value) if isinstance(value, list) else UNKNOWN
    if type(value) is not dict and not isinstance(value, Mapping):
        return UNKNOWN
    return tuple(
        (str(k), v if isinstance(v, Unknown) else wire_string(v)) for k, v in value.items()
    )


def scaling_default(row: Field, values: Mapping[str, Any]) -> Any:
    """DLI's value for a scaling key the job does not set (cuMax: the job's own CUs)."""
    default = row.dli_default
    return job_cus(values) if isinstance(default, FollowField) else default


def job_cus(values: Mapping[str, Any]) -> Any:
    """The job's CUs, as flink.dli.job.cu.min and cu.max are measured against; UNKNOWN where a
    value it needs is not known, None where memory is written in a form DLI does not document.

    A v1 job: its cu_number (resources.cu), CUs "the total of the compute and manager units"
    (API reference dli_02_0228, cu_number). A v2 job sets no CUs, and DLI's documents do not say
    what its scaling compares with. The reading taken: the CUs the job occupies, by the API
    reference's own measure "1CU = 1 core and 4 GB" (dli_02_0228, cu_number): each manager counts
    the larger of its cores and its memory over 4 GB, and the job is its JobManager plus
    ceil(parallelism / slotsPerTaskManager) TaskManagers (max_slot: "the number of parallel tasks
    a single TaskManager can support"), with the documented defaults (1 core, 4 GB, one slot,
    parallelism 1, dli_02_0231 Tables 3 to 5). It is the conservative reading for the scaling
    limits: a cuMax accepted under it never asks DLI to scale a job below the resources it was
    given.
    """
    version = values.get("resourceConfigVersion")
    if isinstance(version, Unknown):
        return UNKNOWN  # preview: the version comes from another resource
    if version != fields.V2:
        return values.get("resources.cu")
    wanted = {
        key: values.get(f"resourceConfig.{key}")
        for key in (
            "parallelism",
            "slotsPerTaskManager",
            "jobManager.cpu",
            "jobManager.memory",
            "taskManager.cpu",
            "taskManager.memory",
        )
    }
    if not _all_known(tuple(wanted.values())):
        return UNKNOWN
    parallelism, slots = wanted["parallelism"] or 1, wanted["slotsPerTaskManager"] or 1
    if not (isinstance(parallelism, int) and isinstance(slots, int) and slots > 0):
        return None
    managers = [_manager_cus(wanted["jobManager.cpu"], wanted["jobManager.memory"])]
    task_manager = _manager_cus(wanted["taskManager.cpu"], wanted["taskManager.memory"])
    managers.append(None if task_manager is None else task_manager * -(-parallelism // slots))
    if None in managers:
        return None
    return whole(sum(managers))  # type: ignore[arg-type]


def _manager_cus(cpu: Any, memory: Any) -> float | None:
    """One manager's CUs: the larger of its cores and its memory in GB over 4."""
    cores = fields.V2_CPU if cpu is None else cpu
    gigabytes = fields.V2_MEMORY_GB if memory is None else memory_gb(memory)
    if not isinstance(cores, int | float) or isinstance(cores, bool) or gigabytes is None:
        return None
    return max(cores, gigabytes / 4)


@functools.cache
def _memory_pattern() -> re.Pattern[str]:
    """Compiled when first needed: only a v2 job that writes a memory size has one to read."""
    return re.compile(r"([0-9]+(?:\.[0-9]+)?)(MB|GB)?", re.IGNORECASE)


def memory_gb(text: Any) -> float | None:
    """A v2 memory string in GB: "Memory ... in MB or GB. The default unit is GB" (API reference
    dli_02_0231, Tables 4 and 5): a number, then MB, GB or nothing (GB); None for anything else
    (the spelling of the units is all the reference gives: "4GB", "4096MB", "4")."""
    found = _memory_pattern().fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return None
    number = float(found.group(1))
    return number / 1024 if (found.group(2) or "GB").upper() == "MB" else number


def parse_scaling_value(key: str, raw: str) -> Any:
    """A runtimeConfig string for a scaling key as DLI (a Java service) reads it; UNKNOWN for a value
    it would not read as written, which runtime-config-value reports.

    Numbers as Integer.parseInt reads them (`java_int`). The switch is true or false in any case:
    Boolean.parseBoolean reads anything else, " TRUE " and "yes" too, as false, never what was meant.
    """
    if key == "enabled":
        return {"true": True, "false": False}.get(raw.lower(), UNKNOWN)
    value = java_int(raw)
    return UNKNOWN if value is None else value


MAX_SQL_BYTES = 1024 * 1024
"""A sqlFile larger than this is not read (a device or a runaway file must not exhaust memory)."""


def read_sql(path: Path) -> str | None:
    """The SQL of a regular UTF-8 file up to MAX_SQL_BYTES; None for anything else.

    A FIFO would block and /dev/zero never ends, so only regular files are read, as job files are
    (model/source.py: sized by fstat, not a 1 MiB buffer allocated and shrunk per file).
    """
    from dli_flink.model.source import read_regular  # here: the provider reads no YAML

    try:
        raw = read_regular(path, MAX_SQL_BYTES + 1)
    except (OSError, ValueError):  # unreadable, not a regular file, or a NUL in the path
        return None
    return sql_of(raw)


def sql_of(raw: bytes) -> str | None:
    """A sqlFile's bytes as SQL: UTF-8 up to MAX_SQL_BYTES, else None; one verdict for a file read
    from disk and for its version in git (review compares the two)."""
    try:
        return None if len(raw) > MAX_SQL_BYTES else raw.decode("utf-8")
    except ValueError:  # not UTF-8
        return None


def _all_known(value: Any) -> bool:
    if isinstance(value, Unknown):
        return False
    if isinstance(value, tuple):
        return all(_all_known(v) for v in value)
    if isinstance(value, Mapping):
        return all(_all_known(v) for v in value.values())
    return True
