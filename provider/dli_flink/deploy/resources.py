"""FlinkSqlJob and FlinkJarJob, the Pulumi resources, and load_jobs for a YAML-driven stack.

    from dli_flink import load_jobs
    jobs = load_jobs("jobs/")          # one resource per job document, named by the job name

`spec` is the job document of the YAML (camelCase keys, `kind` implied by the class), whose values
may be Pulumi Inputs. The type tokens are `pulumi-python:dynamic/dli:FlinkSqlJob` and
`pulumi-python:dynamic/dli:FlinkJarJob`: policies match on them.

Each kind declares the other's type token as an alias. The type token is part of the URN, so
without it a job whose kind changes would be a new resource to the engine: created first (which
DLI refuses, the name exists) and the old one deleted after the program. With it, the engine finds
the old state, the provider's diff says replace (delete before replace), and the old job is
stopped with a final savepoint and deleted before the new one is created.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from dli_flink.deploy.args import FlinkJarJobArgs, FlinkSqlJobArgs, to_document
from dli_flink.deploy.inputs import MARK_KEY, OUTPUT_KEYS
from dli_flink.deploy.ownership import resource_mark
from dli_flink.deploy.provider import JobProvider
from dli_flink.model.files import collect_files
from dli_flink.model.source import SourceError, load_documents, read_text
from dli_flink.model.spec import JAR_KIND, SQL_KIND, read_sql
from dli_flink.rules import config as rules_config


def _props(spec: Any, kind: str, base_dir: Path | None, resource_name: str) -> dict[str, Any]:
    """The resource's inputs: the document with its kind, the SQL read, the output names, and the
    owner mark of this project, stack and resource (the provider is told neither: inputs.MARK_KEY)."""
    if is_dataclass(spec):
        spec = to_document(spec)
    props = _with_sql(spec, base_dir or Path.cwd())
    if props.setdefault("kind", kind) != kind:
        raise ValueError(f"a {kind} resource cannot hold a job of kind {props['kind']!r}")
    for key in OUTPUT_KEYS:
        props.setdefault(key, None)
    props[MARK_KEY] = resource_mark(pulumi.get_project(), pulumi.get_stack(), resource_name)
    return props


TYPE_TOKENS = {
    SQL_KIND: "pulumi-python:dynamic/dli:FlinkSqlJob",
    JAR_KIND: "pulumi-python:dynamic/dli:FlinkJarJob",
}


def _options(opts: pulumi.ResourceOptions | None, kind: str) -> pulumi.ResourceOptions:
    """`opts` with the other kind's type token as an alias (see the module docstring)."""
    aliases = [pulumi.Alias(type_=token) for other, token in TYPE_TOKENS.items() if other != kind]
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))


class _FlinkJob(Resource):
    """What both kinds output: every input, jobId, status, currentCu, restartTimes, savepointPath,
    lastChange. Each kind sets its own type token (policies match on it)."""

    jobId: pulumi.Output[int]
    status: pulumi.Output[str]
    currentCu: pulumi.Output[int]
    restartTimes: pulumi.Output[int]
    savepointPath: pulumi.Output[str | None]
    lastChange: pulumi.Output[dict[str, Any] | None]


class FlinkSqlJob(_FlinkJob, module="dli", name="FlinkSqlJob"):
    """A DLI Flink OpenSource SQL job."""

    def __init__(
        self,
        resource_name: str,
        spec: Mapping[str, Any] | FlinkSqlJobArgs,
        opts: pulumi.ResourceOptions | None = None,
        base_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        """`base_dir`: where a relative sqlFile is read from (default: the working directory)."""
        base = Path(base_dir) if base_dir is not None else None
        props = _props(spec, SQL_KIND, base, resource_name)
        super().__init__(JobProvider(), resource_name, props, _options(opts, SQL_KIND))


class FlinkJarJob(_FlinkJob, module="dli", name="FlinkJarJob"):
    """A DLI Flink Jar job."""

    def __init__(
        self,
        resource_name: str,
        spec: Mapping[str, Any] | FlinkJarJobArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = _props(spec, JAR_KIND, None, resource_name)
        super().__init__(JobProvider(), resource_name, props, _options(opts, JAR_KIND))


FlinkJob = FlinkSqlJob | FlinkJarJob


def load_jobs(
    path: str | os.PathLike[str], opts: pulumi.ResourceOptions | None = None
) -> dict[str, FlinkJob]:
    """One resource per job document in a YAML file or a folder of them, keyed by job name.

    A sqlFile is read relative to the YAML file that names it. The files are the ones
    `dli-flink validate` and `dli-flink review` check: in a folder, hidden ones, Pulumi project
    files and the `exclude` patterns of the project's `.dli-flink.yaml` (found from the working
    directory, as the provider's check() finds it) are skipped. A document that cannot be read, or
    a name used twice, fails the program with the file and line.
    """
    jobs: dict[str, FlinkJob] = {}
    for name, (data, _) in read_job_documents(path).items():
        kind = FlinkSqlJob if data["kind"] == SQL_KIND else FlinkJarJob
        jobs[name] = kind(name, data, opts)
    return jobs


def read_job_documents(path: str | os.PathLike[str]) -> dict[str, tuple[dict[str, Any], Path]]:
    """Job name -> (its document as plain data, sqlFile read into sql, the YAML file it is in)."""
    found: dict[str, tuple[dict[str, Any], Path]] = {}
    config = rules_config.resolve(None)
    for file in collect_files([Path(path)], config.exclude, config.root):
        try:
            documents = list(load_documents(file, read_text(file)))
        except SourceError as error:
            raise ValueError(f"{file}:{error.line}:{error.column}: {error.message}") from None
        for document in documents:
            data = _as_plain_data(document.data)
            line, column = document.position(("name",))
            if not isinstance(data, dict):
                raise ValueError(f"{file}:{line}:{column}: a job document must be a mapping")
            name, kind = data.get("name"), data.get("kind")
            if not isinstance(name, str) or kind not in (SQL_KIND, JAR_KIND):
                raise ValueError(
                    f"{file}:{line}:{column}: a job needs a name and kind FlinkSqlJob or "
                    "FlinkJarJob: run dli-flink validate on it"
                )
            if name in found:
                raise ValueError(f"{file}:{line}:{column}: job name {name!r} is used twice")
            found[name] = (_with_sql(data, file.parent), file)
    return found


def _with_sql(spec: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """A copy of `spec` with its sqlFile read into sql (the provider process may not see the file,
    and the SQL itself is what a change must be detected on)."""
    props = dict(spec)
    sql_file = props.get("sqlFile")
    if isinstance(sql_file, str) and props.get("sql") is None:
        sql = read_sql(base_dir / sql_file)
        if sql is not None:  # else left as sqlFile: check() reports the sql-file rule on it
            props["sql"] = sql
            del props["sqlFile"]
    return props


def _as_plain_data(value: Any) -> Any:
    """YAML data as plain dicts and lists (what Pulumi serialises)."""
    if isinstance(value, Mapping):
        return {str(k): _as_plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_plain_data(v) for v in value]
    return value
