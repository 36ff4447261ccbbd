"""A resource configuration version the job's Flink version does not take.

DLI sizes a job by one of two templates, ``resourceConfigVersion`` v1 (CUs: ``resources``, DLI's
default) or v2 (cores and memory: ``resourceConfig``). The sources list the Flink versions each
takes: the SDK models (``resource_config_version``, huaweicloudsdkdli 3.1.219) "v1: Flink 1.12,
1.13, 1.15; v2: Flink 1.13, 1.15, 1.17"; the API reference (dli_02_0231) "v1: applicable to Flink
1.12 and 1.15; v2: applicable to Flink 1.15 and 1.17". They agree that Flink 1.17 takes only v2
and Flink 1.12 only v1; on 1.13 they disagree, and the options follow the SDK, which lists it for
both (a version neither option lists is not judged). A job that does not write the version runs
v1, so a Flink 1.17 job must write ``resourceConfigVersion: v2``.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.17"
    sql: INSERT INTO sink SELECT * FROM src
    resourceConfigVersion: v2
    resourceConfig: {parallelism: 2}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.17"
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 4}
"""

import functools
from collections.abc import Iterator

from dli_flink.model.fields import V1, V2
from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec, known
from dli_flink.rules.base import Context, Option, version_key

ID = "resource-config-version"
SEVERITY = Severity.ERROR
OPTIONS = (
    Option(
        "v1-versions",
        ["1.12", "1.13", "1.15"],
        "The Flink versions that take resourceConfigVersion v1 (resources in CUs).",
        "version-list",
    ),
    Option(
        "v2-versions",
        ["1.13", "1.15", "1.17"],
        "The Flink versions that take resourceConfigVersion v2 (resourceConfig).",
        "version-list",
    ),
)


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    version, resource_version = spec.flink_version, spec.resource_version
    if not known(version) or resource_version not in (V1, V2):
        return
    listed = _listed(
        version, tuple(context.options[f"{V1}-versions"]), tuple(context.options[f"{V2}-versions"])
    )
    if not listed or resource_version in listed:
        return
    other = listed[0]
    written = spec.values.get("resourceConfigVersion") is not None
    yield Problem(
        ID,
        ("resourceConfigVersion",) if written else ("flinkVersion",),
        f"Flink {shown(version)} takes only resourceConfigVersion {other}, the job "
        + ("writes" if written else "runs DLI's default,")
        + f" {resource_version}: set resourceConfigVersion: {other}"
        + (" and give its resources in resourceConfig" if other == V2 else " and use resources"),
    )


@functools.lru_cache(maxsize=256)
def _listed(
    version: str, v1_versions: tuple[str, ...], v2_versions: tuple[str, ...]
) -> tuple[str, ...]:
    """The configuration versions whose list holds the Flink version's minor: the same few
    versions and lists for every job of a run, worked out once each."""
    mine = version_key(_minor(version))
    return tuple(
        name
        for name, versions in ((V1, v1_versions), (V2, v2_versions))
        if any(version_key(listed) == mine for listed in versions)
    )


def _minor(version: str) -> str:
    """The major.minor of a Flink version ("1.17.1" -> "1.17"): the sources list minors."""
    return ".".join(version.split(".")[:2])
