"""Job documents for jobs that already run on DLI: what `dli-flink export` writes.

Dynamic resources cannot be imported, so a job made in the console comes under management by a
document with `adopt: true`: the next `pulumi up` takes the job over instead of failing on its name.
The document is read back from DLI's job answer through the field table, as refresh reads it
(`observed.reported` for the rows whose `reported` place the table gives; the request's wire name
for the few DLI answers under that name), the flink.dli.job.* runtime keys become the scaling
block, and what equals its default is left out, so a document deployed again is no change.

DLI's job answer has no tags: they are read with DLI's tag API into the answer's `tags`
(`JobCalls.show_tagged`, without this provider's owner mark) and written as the document's tags.

Written with ruamel.yaml: block style in the field table's order, SQL as a literal block, a header
comment. Every document is read back with the validator's own loader before it is written, and
must be exactly the data meant.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from dli_flink.deploy.observed import Job, job_tags, reported, runtime_config
from dli_flink.model import fields
from dli_flink.model.fields import JAR_JOB_TYPE, JAR_KIND, SQL_KIND, V1, Field
from dli_flink.model.source import load_documents
from dli_flink.model.spec import Unknown, parse_scaling_value, scaling_default

RUNNING = frozenset({"job_init", "job_submitting", "job_running", "job_restarting"})
"""Statuses of a job meant to run; any other is exported with desiredState: stopped, so adopting
it does not start it."""
_FILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,57}")
_SKIPPED = frozenset({"kind", "sqlFile", "tags", "runtimeConfig"})
"""Rows not read from a field of the answer: the kind comes from job_type, runtimeConfig with the
scaling block, tags from the tag API, and DLI reports no file name."""


class ExportError(Exception):
    """A job that cannot be written as a document; the message names the job and why."""


def document(job: Job) -> dict[str, Any]:
    """The job document of a DLI job answer (show_flink_job, job_config nested): every field DLI
    reports, the scaling keys as the scaling block, defaults left out, then `adopt: true`."""
    kind = JAR_KIND if job.get("job_type") == JAR_JOB_TYPE else SQL_KIND
    doc: dict[str, Any] = {"kind": kind}
    values: dict[str, Any] = {}
    runtime = runtime_config(job) or {}
    version = (job.get("job_config") or {}).get("resource_config_version") or V1
    for row in fields.TABLE.rows:
        if kind not in row.kinds or row.path in _SKIPPED or row.change is None:
            continue
        if not row.applies(version):
            continue  # the other resource version's fields: DLI does not run the job by them
        if row.runtime_key:
            raw = runtime.get(row.runtime_key)
            value = parse_scaling_value(row.key, raw) if raw is not None else None
            if isinstance(value, Unknown):
                continue  # left in runtimeConfig as DLI has it: the validator will say why
            runtime.pop(row.runtime_key, None)
            if value is None or value == scaling_default(row, values):
                continue
        else:
            value = _answered(row, job)
            values[row.path] = value
            if value is None or value in (row.default_for(kind), row.dli_default, ""):
                continue
        _put(doc, row.path, value)
    if runtime:
        doc["runtimeConfig"] = runtime
    tags = job_tags(job)
    if tags:
        doc["tags"] = tags
    if job.get("status") not in RUNNING:
        doc["desiredState"] = "stopped"
    doc["adopt"] = True
    return doc


def _answered(row: Field, job: Job) -> Any:
    """A row's value in DLI's answer: at its `reported` place, else under its wire name (top
    level or in job_config); a list as a YAML list (DLI joins entrypoint_args with spaces; the
    table's decoding gives tuples)."""
    if row.reported:
        value = reported(row, job)
    elif row.wire in job:
        value = job[row.wire]
    else:
        value = (job.get("job_config") or {}).get(row.wire)
    if row.shape != "list":
        return value
    if isinstance(value, str):
        value = value.split()
    return list(value) if value else None


def _put(doc: dict[str, Any], path: str, value: Any) -> None:
    *groups, key = path.split(".")
    for group in groups:
        doc = doc.setdefault(group, {})
    doc[key] = value


def write(
    job: Job, out: Path, sql_files: bool = False, now: datetime | None = None, force: bool = False
) -> list[Path]:
    """Write the job's document to OUT/<name>.yaml (and its SQL to <name>.sql with `sql_files`);
    the paths written. ExportError when a file exists (without `force`) or the name cannot be a
    file name."""
    name = str(job.get("name"))
    if not _FILE_NAME.fullmatch(name):
        raise ExportError(f"job {name!r}: not a DLI job name, so not a file name to write")
    doc = document(job)
    yaml_path = out / f"{name}.yaml"
    targets = {yaml_path: ""}
    if sql_files and isinstance(doc.get("sql"), str):
        sql_path = out / f"{name}.sql"
        targets[sql_path] = doc.pop("sql")
        doc = {**_before(doc, "sql"), "sqlFile": sql_path.name, **_after(doc, "sql")}
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise ExportError(f"{existing[0]}: already exists: choose another --out or pass --force")
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    targets[yaml_path] = render(doc, job.get("job_id"), stamp)
    out.mkdir(parents=True, exist_ok=True)
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8", newline="")
    return list(targets)


def _before(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """The entries of `doc` written before `key` in the field table's order (to put sqlFile where
    sql was)."""
    keys = list(doc)
    return {k: doc[k] for k in keys[: keys.index(key)]} if key in keys else dict(doc)


def _after(doc: dict[str, Any], key: str) -> dict[str, Any]:
    keys = list(doc)
    return {k: doc[k] for k in keys[keys.index(key) + 1 :]} if key in keys else {}


def render(doc: dict[str, Any], job_id: Any, stamp: str) -> str:
    """The document as YAML with its header comment; checked by reading it back."""
    header = (
        f"Exported from DLI by dli-flink export: job {job_id}, {stamp}.\n"
        "adopt: true makes the next `pulumi up` take this job over instead of failing on its name."
    )
    text = _dump(_styled(doc, literal=True), header)
    if _read_back(text) != doc:  # a literal block cannot hold every string (trailing blanks)
        text = _dump(_styled(doc, literal=False), header)
        if _read_back(text) != doc:
            raise ExportError(f"job {doc.get('name')!r}: cannot be written as YAML exactly")
    return text


def _dump(data: CommentedMap, header: str) -> str:
    yaml = YAML()
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    data.yaml_set_start_comment(header)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _styled(value: Any, literal: bool) -> Any:
    """ruamel's types for the look people keep: block mappings, flow lists, SQL as a literal
    block, a version that reads as a number double-quoted."""
    if isinstance(value, dict):
        return CommentedMap((key, _styled(inner, literal)) for key, inner in value.items())
    if isinstance(value, list):
        seq = CommentedSeq(_styled(item, literal) for item in value)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and "\n" in value and literal:
        return LiteralScalarString(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9.]+", value):
        return DoubleQuotedScalarString(value)
    return value


def _read_back(text: str) -> Any:
    documents = list(load_documents(Path("export.yaml"), text))
    return documents[0].data if len(documents) == 1 else None
