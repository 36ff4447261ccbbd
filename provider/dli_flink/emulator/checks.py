"""What DLI itself checks: request bodies (DLI.0001) and, at submit, the dynamic-scaling rules.

Written from shared/docs/dli-api.md and the DLI user guide, independently of `dli_flink.rules` on
purpose: the emulator stands in for the cloud, so it must be able to catch the validator's mistakes
instead of sharing them. Do not import the rule engine here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dli_flink.emulator.errors import OperationNotSupported, ParameterError, QueueUnavailable

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MAX = 2**63 - 1


@dataclass(frozen=True)
class Shape:
    """What a body field holds, as the official SDK's request models type it (huaweicloudsdkdli
    3.1.219: CreateFlinkSqlJobRequestBody and its siblings, Tag, ResourceConfig, ResourceSpec)."""

    name: str  # for the error message: "Parameter x must be <name>"
    fits: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    """An Integer of the API reference (its request tables type these fields Integer and job ids
    Long): a Java int in DLI's service, so -2**31 to 2**31 - 1; beyond is not that type."""
    return isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_tag(value: Any) -> bool:
    """The SDK's Tag: key (1 to 128 characters) and value (1 to 255), both strings, both given."""
    return (
        isinstance(value, dict)
        and set(value) == {"key", "value"}
        and isinstance(value["key"], str)
        and isinstance(value["value"], str)
        and 1 <= len(value["key"]) <= 128
        and 1 <= len(value["value"]) <= 255
    )


def _is_resource_spec(value: Any) -> bool:
    """The SDK's ResourceSpec: cpu (float) and memory (str), both optional."""
    return (
        isinstance(value, dict)
        and set(value) <= {"cpu", "memory"}
        and (value.get("cpu") is None or _is_number(value["cpu"]))
        and (value.get("memory") is None or isinstance(value["memory"], str))
    )


def _is_resource_config(value: Any) -> bool:
    """The SDK's ResourceConfig: max_slot and parallel_number (int), the job and task managers'
    ResourceSpec; all optional."""
    specs = ("jobmanager_resource_spec", "taskmanager_resource_spec")
    return (
        isinstance(value, dict)
        and set(value) <= {"max_slot", "parallel_number", *specs}
        and all(value.get(k) is None or _is_int(value[k]) for k in ("max_slot", "parallel_number"))
        and all(value.get(k) is None or _is_resource_spec(value[k]) for k in specs)
    )


_STR = Shape("a string", lambda value: isinstance(value, str))
_INT = Shape(f"an integer from {INT_MIN} to {INT_MAX}", _is_int)
_BOOL = Shape("a boolean", lambda value: isinstance(value, bool))
_STRINGS = Shape(
    "a list of strings",
    lambda value: isinstance(value, list) and all(isinstance(v, str) for v in value),
)
_TAGS = Shape(
    'a list of {"key": ..., "value": ...} strings (key 1-128, value 1-255 characters)',
    lambda value: isinstance(value, list) and all(_is_tag(v) for v in value),
)
_RESOURCE_CONFIG = Shape(
    "an object of max_slot, parallel_number, jobmanager_resource_spec and "
    "taskmanager_resource_spec ({cpu: number, memory: string})",
    _is_resource_config,
)
_COMMON = {
    "name": _STR,
    "desc": _STR,
    "queue_name": _STR,
    "cu_number": _INT,
    "manager_cu_number": _INT,
    "parallel_number": _INT,
    "checkpoint_enabled": _BOOL,
    "checkpoint_mode": _INT,
    "checkpoint_interval": _INT,
    "obs_bucket": _STR,
    "log_enabled": _BOOL,
    "smn_topic": _STR,
    "restart_when_exception": _BOOL,
    "tm_cus": _INT,
    "tm_slot_num": _INT,
    "resume_checkpoint": _BOOL,
    "resume_max_num": _INT,
    "runtime_config": _STR,
    "flink_version": _STR,
    "flink_log_config": _STR,
    "execution_agency_urn": _STR,
    "resource_config_version": _STR,
    "resource_config": _RESOURCE_CONFIG,
}
_SQL = {
    **_COMMON,
    "sql_body": _STR,
    "run_mode": _STR,
    "idle_state_retention": _INT,
    "dirty_data_strategy": _STR,
    "udf_jar_url": _STR,
    "edge_group_ids": _STRINGS,
}
_JAR = {
    **_COMMON,
    "main_class": _STR,
    "entrypoint_args": _STR,
    "entrypoint": _STR,
    "dependency_jars": _STRINGS,
    "dependency_files": _STRINGS,
    "image": _STR,
    "feature": _STR,
    "checkpoint_path": _STR,
}
# Which fields each of the four create/update calls accepts (job_type: SQL create, Jar update only).
FIELDS = {
    ("sql", True): {**_SQL, "job_type": _STR, "tags": _TAGS, "template_id": _INT},
    ("sql", False): {**_SQL, "operator_config": _STR, "static_estimator_config": _STR},
    ("jar", True): {**_JAR, "tags": _TAGS},
    ("jar", False): {**_JAR, "job_type": _STR},
}
# Fields DLI lets you PUT while the job runs; anything else needs stop, edit, submit.
HOT_FIELDS = frozenset(
    {
        "smn_topic",
        "restart_when_exception",
        "resume_checkpoint",
        "resume_max_num",
        "obs_bucket",
        "checkpoint_path",
    }
)
SQL_JOB_TYPES = ("flink_opensource_sql_job", "flink_sql_job")
SCALABLE_JOB_TYPES = ("flink_opensource_sql_job", "flink_jar_job")
RUN_MODES = ("shared_cluster", "exclusive_cluster", "edge_node")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,57}$")
# OBS's bucket naming rules, which OBS "strictly checks" (OBS User Guide, Creating a Bucket, "Bucket
# Naming Rules", https://support.huaweicloud.com/intl/en-us/usermanual-obs/en-us_topic_0045853662.html;
# the same list in the OBS Developer Guide, Use Restrictions, obs_06_0019): 3 to 63 characters; only
# lowercase letters, digits, hyphens and periods; no period or hyphen first or last; no two periods
# in a row and no period next to a hyphen; not formatted as an IP address. A name breaking them names
# no bucket DLI could write to. DLI's docs do not say which call refuses it: the emulator refuses it
# at the first call that names it (create, update, authorise, a savepoint path), with DLI.0001.
BUCKET_RULE = (
    "an OBS bucket name is 3 to 63 lowercase letters, digits, '-' and '.', starts and ends with a "
    "letter or digit, has no '..', '.-' or '-.', and is not an IP address"
)
_BUCKET_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
_IP_ADDRESS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
# An OBS object key "is a UTF-8 string up to 1,024 characters long" (OBS User Guide, Object Overview,
# https://support.huaweicloud.com/intl/en-us/usermanual-obs/obs_41_0015.html).
OBJECT_KEY_MAX = 1024
# Longest name of one directory the emulator's local files can hold (NAME_MAX on Linux and macOS).
_SEGMENT_MAX_BYTES = 255


def check_body(kind: str, create: bool, body: Any) -> dict[str, Any]:
    """The body's fields with nulls dropped, or DLI.0001 naming the first unknown or mistyped field."""
    if not isinstance(body, dict):
        raise ParameterError("The request body must be a JSON object")
    fields = FIELDS[(kind, create)]
    clean = {}
    for key, value in body.items():
        if value is None:
            continue
        if key not in fields:
            raise ParameterError(f"Unknown parameter: {shown(key)}")
        if not fields[key].fits(value):
            raise ParameterError(f"Parameter {key} must be {fields[key].name}")
        clean[key] = value
    if create and "name" not in clean:
        raise ParameterError("Parameter name is required")
    return clean


def check_config(kind: str, conf: dict[str, Any]) -> None:
    """DLI.0001 for a merged job configuration outside DLI's documented ranges."""
    if not NAME.match(conf["name"]):
        raise ParameterError(
            "Job name must be 1-57 characters of letters, digits, '-' and '_': " + conf["name"]
        )
    cu, manager = conf["cu_number"], conf["manager_cu_number"]
    if not 2 <= cu <= 400:
        raise ParameterError(f"cu_number must be between 2 and 400, got {cu}")
    if not 1 <= manager < cu:
        raise ParameterError(
            f"manager_cu_number must be at least 1 and below cu_number, got {manager}"
        )
    parallel = conf["parallel_number"]
    if not 1 <= parallel <= min(2000, 4 * (cu - manager)):
        raise ParameterError(
            f"parallel_number must be between 1 and 4 x (cu_number - manager_cu_number) "
            f"= {4 * (cu - manager)}, got {parallel}"
        )
    if conf["checkpoint_mode"] not in (1, 2):
        raise ParameterError("checkpoint_mode must be 1 (exactly once) or 2 (at least once)")
    if conf.get("run_mode", "shared_cluster") not in RUN_MODES:
        raise ParameterError(f"run_mode must be one of {', '.join(RUN_MODES)}")
    allowed = ("flink_jar_job",) if kind == "jar" else SQL_JOB_TYPES
    if conf["job_type"] not in allowed:
        raise ParameterError(f"job_type must be one of {', '.join(allowed)}")
    if kind == "sql":
        check_run_mode(conf)
    check_resource_config(conf)
    check_packages(conf)
    if "obs_bucket" in conf:
        check_bucket(conf["obs_bucket"], "obs_bucket")
    runtime_config(conf)


def check_run_mode(conf: dict[str, Any]) -> None:
    """DLI.13024 for a Flink OpenSource SQL job in run_mode shared_cluster.

    The sources disagree on what goes with what. The SDK model's job_type docstring (create_flink_
    sql_job_request_body.py, huaweicloudsdkdli 3.1.219) says that with run_mode shared_cluster the
    job type must be flink_sql_job, and with exclusive_cluster either type; run_mode defaults to
    shared_cluster (the same models, API reference "Creating a SQL Job"). Terraform's docs say a queue
    needs exclusive_cluster, its examples and acceptance tests all run flink_opensource_sql_job with
    exclusive_cluster, and a create with a queue and no run_mode was answered DLI.13024 "No
    job-running queue selected" in its PR logs. Only what a source forbids is refused: an OpenSource
    SQL job on shared_cluster, given or by default, answered as DLI answered it there. Nothing is said
    of edge_node, so it is not checked.
    """
    if conf.get("run_mode", "shared_cluster") == "shared_cluster" and (
        conf["job_type"] == "flink_opensource_sql_job"
    ):
        raise QueueUnavailable(
            "No job-running queue selected: a flink_opensource_sql_job runs with run_mode "
            "exclusive_cluster (shared_cluster takes only flink_sql_job)"
        )


RESOURCE_VERSIONS = {"v1": ((1, 12), (1, 13), (1, 15)), "v2": ((1, 13), (1, 15), (1, 17))}
"""The Flink versions each resource_config_version takes: the SDK models' resource_config_version
docstring (huaweicloudsdkdli 3.1.219) "v1: Flink 1.12, 1.13, 1.15; v2: Flink 1.13, 1.15, 1.17"; the
API reference (dli_02_0231) lists 1.12 and 1.15 for v1 and 1.15 and 1.17 for v2. Refused is only
what both exclude: v1 on 1.17, v2 on 1.12 (their 1.13 disagreement is let through)."""
V2_MIN_CPU, V2_MIN_MEMORY_GB = 0.5, 2
V2_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)(MB|GB)?", re.IGNORECASE)


def check_resource_config(conf: dict[str, Any]) -> None:
    """DLI.0001 for a resource configuration the API reference rules out.

    "Updating a Flink Jar Job" (dli_02_0231; the SQL pages carry the same tables):
    resource_config_version "v1 or v2. The default value is v1"; resource_config takes effect only
    with v2 (Table 3: max_slot "by default 1. The minimum parallelism must not be less than 1",
    parallel_number default 1); a JobManager's or TaskManager's cpu "no less than 0.5 CPU cores" and
    memory "in MB or GB. The default unit is GB ... the minimum value is 2 GB" (Tables 4 and 5).
    Under v1 the resource_config is "invalid": not checked, not used. Which call refuses a bad value
    is not documented: the emulator refuses it at create and update, as it does cu_number's range.
    """
    version = conf.get("resource_config_version", "v1")
    if version not in RESOURCE_VERSIONS:
        raise ParameterError(f"resource_config_version must be v1 or v2, got {shown(version)}")
    flink = _version(conf.get("flink_version") or "")[:2]
    other = "v2" if version == "v1" else "v1"
    if flink not in RESOURCE_VERSIONS[version] and flink in RESOURCE_VERSIONS[other]:
        raise ParameterError(
            f"Flink {conf.get('flink_version')} takes resource_config_version {other}, not {version}"
        )
    if version != "v2":
        return
    config = conf.get("resource_config") or {}
    for key in ("max_slot", "parallel_number"):
        if config.get(key) is not None and config[key] < 1:
            raise ParameterError(f"resource_config.{key} must be at least 1, got {config[key]}")
    for spec in ("jobmanager_resource_spec", "taskmanager_resource_spec"):
        given = config.get(spec) or {}
        cpu, memory = given.get("cpu"), given.get("memory")
        if cpu is not None and cpu < V2_MIN_CPU:
            raise ParameterError(f"resource_config.{spec}.cpu must be at least 0.5, got {cpu}")
        if memory is not None and (_gigabytes(memory) or 0) < V2_MIN_MEMORY_GB:
            raise ParameterError(
                f"resource_config.{spec}.memory must be at least 2 GB, in MB or GB, got "
                + shown(memory)
            )


def _gigabytes(memory: str) -> float | None:
    """A v2 memory in GB, the reference's "in MB or GB. The default unit is GB"; None otherwise."""
    found = V2_MEMORY.fullmatch(memory)
    if found is None:
        return None
    number = float(found.group(1))
    return number / 1024 if (found.group(2) or "GB").upper() == "MB" else number


def job_cus(conf: dict[str, Any]) -> int:
    """The CUs a job holds on its queue: a v1 job's cu_number; a v2 job sets none, and what DLI
    counts for it is not documented. The emulator holds what the job occupies at the API
    reference's "1 CU = 1 core and 4 GB" (dli_02_0228, cu_number): its JobManager plus
    ceil(parallel_number / max_slot) TaskManagers, each the larger of its cores and its memory
    over 4 GB, with the documented defaults (1.0 core, 4 GB, 1 slot, parallelism 1), rounded up
    to whole CUs (a queue is counted in whole CUs)."""
    if conf.get("resource_config_version") != "v2":
        return conf["cu_number"]
    config = conf.get("resource_config") or {}

    def size(spec: str) -> float:
        given = config.get(spec) or {}
        memory = _gigabytes(given["memory"]) if given.get("memory") else 4
        return max(given.get("cpu") or 1.0, (memory or 4) / 4)

    task_managers = math.ceil((config.get("parallel_number") or 1) / (config.get("max_slot") or 1))
    return math.ceil(
        size("jobmanager_resource_spec") + task_managers * size("taskmanager_resource_spec")
    )


PACKAGE_FIELDS = {"entrypoint": (1, 15), "dependency_jars": (1, 15), "dependency_files": (1, 15)}
UDF_PACKAGE_LAST = (1, 13)


def check_packages(conf: dict[str, Any]) -> None:
    """DLI.0001 for a DLI package name (not an obs:// path) on a Flink version that takes none.

    The SDK models (create and update bodies, huaweicloudsdkdli 3.1.219): a Jar job's entrypoint,
    dependency_jars and dependency_files may be DLI-managed packages, "not recommended" on Flink
    1.15 and "no longer supported" above it; udf_jar_url: "Flink 1.15 no longer supports
    DLI-managed UDF Jar packages". Below those versions a package name is taken as it is. Which
    call refuses one is not documented: the emulator refuses it at create and update.
    """
    flink = _version(conf.get("flink_version") or "")
    for field, last in PACKAGE_FIELDS.items():
        value = conf.get(field)
        names = value if isinstance(value, list) else [value] if value else []
        packages = [name for name in names if not name.startswith("obs://")]
        if packages and flink[:2] > last:
            raise ParameterError(
                f"{field}: Flink {conf.get('flink_version')} takes no DLI package "
                f"({shown(packages[0])}): give an obs:// path"
            )
    udf = conf.get("udf_jar_url")
    if udf and not udf.startswith("obs://") and flink[:2] > UDF_PACKAGE_LAST:
        raise ParameterError(
            f"udf_jar_url: Flink {conf.get('flink_version')} takes no DLI package "
            f"({shown(udf)}): give an obs:// path"
        )


def check_running_edit(kind: str, job: dict[str, Any], clean: dict[str, Any]) -> None:
    """DLI.0007 for the hot fields a running Jar job refuses, as Terraform's flinkjar resource
    (resource_huaweicloud_dli_flinkjar_job.go, updateFlinkJarJobInRunning, commit a0345b8) works
    around them: it sends obs_bucket "only when changed, otherwise the interface will return an
    error", and checkpoint_path only when checkpointing is off ("When checkpoint_enabled is true,
    checkpoint_path not support customed, it will automatically restore from the latest
    checkpoint")."""
    if kind != "jar":
        return
    conf = job["conf"]
    if "obs_bucket" in clean and clean["obs_bucket"] == conf.get("obs_bucket"):
        raise OperationNotSupported(
            f"Job {job['job_id']} is {job['status']}: obs_bucket is unchanged: leave it out"
        )
    if "checkpoint_path" in clean and conf.get("checkpoint_enabled"):
        raise OperationNotSupported(
            f"Job {job['job_id']} is {job['status']}: checkpoint_path cannot be customised "
            "while checkpointing is enabled"
        )


AGENCY_KEY = "flink.dli.job.agency.name"
AGENCY_FROM = (1, 15)


def agency_failure(conf: dict[str, Any]) -> str | None:
    """Why a Flink 1.15 or later job cannot start without an agency, or None.

    DLI user guide, "Creating a Custom DLI Agency": from Flink 1.15 a job without an agency cannot
    enable checkpointing, use savepoints or dump its logs to OBS. The agency is execution_agency_urn
    ("configurable on Flink 1.15", SDK models) or the runtime key flink.dli.job.agency.name. Which
    call DLI refuses it at is not documented: the emulator fails the submit, as for scaling."""
    if _version(conf.get("flink_version") or "") < AGENCY_FROM:
        return None
    if conf.get("execution_agency_urn") or runtime_config(conf).get(AGENCY_KEY):
        return None
    scaling = runtime_config(conf).get("flink.dli.job.scale.enable", "false").lower() == "true"
    needs = [
        what
        for what, on in (
            ("checkpointing", conf.get("checkpoint_enabled")),
            ("saved logs", conf.get("log_enabled")),
            ("dynamic scaling", scaling),
        )
        if on
    ]
    if not needs:
        return None
    return (
        f"Flink {conf['flink_version']} needs an agency (execution_agency_urn) for "
        + " and ".join(needs)
    )


def shown(value: Any, limit: int = 80) -> str:
    """`value` quoted for an error message, cut to `limit` characters: a message never echoes a
    whole hostile value back (nor recurses into a nested one: containers are named, not shown)."""
    if not isinstance(value, str | int | float | bool | None):
        return f"a JSON {'array' if isinstance(value, list) else 'object'}"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


def check_bucket(name: Any, field: str) -> None:
    """DLI.0001 unless `name` is a bucket name by OBS's rules (see BUCKET_RULE's sources above)."""
    valid = (
        isinstance(name, str)
        and 3 <= len(name) <= 63
        and set(name) <= _BUCKET_CHARS
        and name[0] not in "-."
        and name[-1] not in "-."
        and not any(pair in name for pair in ("..", ".-", "-."))
        and not _IP_ADDRESS.fullmatch(name)
    )
    if not valid:
        raise ParameterError(f"{field} {shown(name)} is not a valid OBS bucket name: {BUCKET_RULE}")


def obs_path(path: Any, field: str) -> tuple[str, list[str]]:
    """The bucket and the key's directory names of an obs://bucket/key path, or DLI.0001.

    The bucket must follow OBS's naming rules and the key OBS's limits (UTF-8, at most 1,024
    characters). OBS itself accepts any key within them; the emulator, whose OBS is a local
    directory, cannot store a NUL, a '.' or '..' directory or a name over 255 bytes, and refuses
    those too (an emulator limit, not DLI's) rather than fail later inside a transition.
    """
    if not isinstance(path, str) or not path.startswith("obs://"):
        raise ParameterError(f"{field} must be an obs:// path, got {shown(path)}")
    bucket, _, key = path[len("obs://") :].partition("/")
    check_bucket(bucket, f"the bucket of {field}")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise ParameterError(f"{field}: an OBS object key must be UTF-8 text") from None
    if len(key) > OBJECT_KEY_MAX:
        raise ParameterError(f"{field}: an OBS object key has at most {OBJECT_KEY_MAX} characters")
    parts = [part for part in key.split("/") if part]
    unstorable = [
        p for p in parts if p in (".", "..") or "\0" in p or len(p.encode()) > _SEGMENT_MAX_BYTES
    ]
    if unstorable:
        raise ParameterError(
            f"{field} {shown(path)}: the emulator cannot store a key with a NUL, a '.' or '..' "
            f"part or a part over {_SEGMENT_MAX_BYTES} bytes"
        )
    return bucket, parts


def parse_json(text: str | bytes, what: str) -> Any:
    """`text` read as JSON (RFC 8259), or DLI.0001 saying why it cannot be read.

    Python's reader would take NaN and Infinity, which are not JSON, and raises other errors than
    JSONDecodeError for a number past its 4,300-digit limit (ValueError) or nesting past its
    recursion limit (RecursionError): each is the client's bad input, answered as such.
    """

    def not_json(constant: str) -> None:
        raise ParameterError(f"{what} is not valid JSON: {constant} is not a JSON number")

    try:
        return json.loads(text, parse_constant=not_json)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ParameterError(f"{what} is not valid JSON") from None
    except ValueError:
        raise ParameterError(f"{what} holds a number too large to read") from None
    except RecursionError:
        raise ParameterError(f"{what} is nested too deeply to read") from None


def runtime_config(conf: dict[str, Any]) -> dict[str, str]:
    """The runtime_config string as a dict, or DLI.0001 unless it is a JSON array of
    {"key": ..., "value": ...} objects whose keys and values are strings (dli-api.md, runtime_config)."""
    text = conf.get("runtime_config")
    if not text:
        return {}
    items = parse_json(text, "runtime_config")
    shape = isinstance(items, list) and all(
        isinstance(i, dict)
        and set(i) == {"key", "value"}
        and isinstance(i["key"], str)
        and isinstance(i["value"], str)
        for i in items
    )
    if not shape:
        raise ParameterError(
            'runtime_config must be a JSON array of {"key": "...", "value": "..."} strings'
        )
    return {item["key"]: item["value"] for item in items}


def long_id(text: str, field: str) -> int:
    """A job id from the path: digits (the route's converter) that must fit the API reference's
    Long, or DLI.0001."""
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(LONG_MAX)) or int(digits) > LONG_MAX:
        raise ParameterError(f"{field} must be a Long (at most {LONG_MAX}), got {shown(text)}")
    return int(digits)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (0,)


def scaling_failure(conf: dict[str, Any], scaling_versions: tuple[str, ...] | None) -> str | None:
    """Why DLI refuses to start this job's dynamic scaling (the submit fails), or None.

    `scaling_versions` None accepts Flink 1.12 or later; a tuple accepts exactly those versions.
    """
    keys = runtime_config(conf)
    if keys.get("flink.dli.job.scale.enable", "false").lower() != "true":
        return None
    if conf["job_type"] not in SCALABLE_JOB_TYPES:
        return "Dynamic scaling applies only to Flink OpenSource SQL and Flink Jar jobs"
    version = conf.get("flink_version") or ""
    accepted = version in scaling_versions if scaling_versions else _version(version) >= (1, 12)
    if not accepted:
        return f"Dynamic scaling needs Flink 1.12 or later, the job uses Flink {version or '?'}"
    if not conf.get("checkpoint_enabled"):
        return "Dynamic scaling triggers savepoints: enable checkpointing"
    if not conf.get("log_enabled"):
        return "Dynamic scaling needs saved job logs: enable log_enabled"
    if not conf.get("obs_bucket"):
        return "Dynamic scaling triggers savepoints: configure an OBS bucket (obs_bucket)"
    cu = job_cus(conf)
    try:
        cu_max = java_int(keys.get("flink.dli.job.cu.max", str(cu)))
        cu_min = java_int(keys.get("flink.dli.job.cu.min", "2"))
        interval = java_int(keys.get("flink.dli.job.scale.interval", "30"))
    except ValueError:
        return "flink.dli.job.cu.max, cu.min and scale.interval must be integers"
    if cu_max < cu:
        return f"flink.dli.job.cu.max ({cu_max}) cannot be smaller than the job's CUs ({cu})"
    if cu_min > cu:
        return f"flink.dli.job.cu.min ({cu_min}) cannot be greater than the job's CUs ({cu})"
    if interval < 1:
        return "flink.dli.job.scale.interval must be at least 1 minute"
    return None


def scaling_bounds(conf: dict[str, Any]) -> tuple[int, int, int] | None:
    """(cu.min, cu.max, interval minutes) of a job whose scaling passed `scaling_failure`, else None."""
    keys = runtime_config(conf)
    if keys.get("flink.dli.job.scale.enable", "false").lower() != "true":
        return None
    cu = job_cus(conf)
    return (
        java_int(keys.get("flink.dli.job.cu.min", "2")),
        java_int(keys.get("flink.dli.job.cu.max", str(cu))),
        java_int(keys.get("flink.dli.job.scale.interval", "30")),
    )


INT_RANGE = range(-(2**31), 2**31)


def java_int(text: str) -> int:
    """A runtime_config value as DLI, a Java service, reads an integer: Integer.parseInt(String)
    (the JDK's Javadoc): an optional ASCII '+' or '-', then one or more characters that
    Character.digit(c, 10) accepts (Unicode decimal digits; a Java char is one UTF-16 unit, so of
    the Basic Multilingual Plane), within 32 bits. ValueError where Java throws
    NumberFormatException: no spaces, no underscores, nothing past 2147483647, which Python's int()
    would take. DLI's documents do not say which parser reads the keys; that it is Java's is the
    assumption the validator's runtime-config-value rule makes too."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not all(c.isdecimal() and ord(c) <= 0xFFFF for c in digits):
        raise ValueError(f"not an integer to Java: {text!r}")
    value = int(text)
    if value not in INT_RANGE:
        raise ValueError(f"outside Java's int: {text!r}")
    return value
