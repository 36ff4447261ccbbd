"""A DLI package name where the job's Flink version takes only OBS paths.

A Jar job's ``jar.entrypoint``, ``jar.dependencyJars`` and ``jar.dependencyFiles`` and a SQL job's
``udfJarUrl`` are each an OBS path (``obs://bucket/app.jar``) or the name of a package uploaded to
DLI's package management (``group/app.jar``). The SDK models (create and update bodies,
huaweicloudsdkdli 3.1.219) say of the Jar fields "Flink 1.15 does not recommend DLI-managed packages;
versions above 1.15 no longer support them", and of ``udf_jar_url`` "Flink 1.15 no longer supports
DLI-managed UDF Jar packages". So a package name is an error on a version DLI no longer takes it
on, and on Flink 1.15 a Jar job's package is a warning (the configured level); below 1.15 it is
fine.

PASS::

    kind: FlinkJarJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.12"
    jar:
      entrypoint: my_group/app.jar
      dependencyJars: [my_group/lib.jar]

FAIL::

    kind: FlinkJarJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.17"
    agency: dli_flink_agency
    jar: {entrypoint: my_group/app.jar}
"""

from collections.abc import Iterator
from typing import Any

from dli_flink.model.findings import Path, Problem, Severity, shown
from dli_flink.model.spec import JobSpec, known
from dli_flink.rules.base import Context, Option, version_key

ID = "dli-package-version"
SEVERITY = Severity.WARNING
OPTIONS = (
    Option(
        "last-jar-version",
        "1.15",
        "The last Flink version (like 1.15) that still runs a Jar job from DLI packages.",
        "version",
    ),
    Option(
        "last-udf-version",
        "1.13",
        "The last Flink version (like 1.13) that still reads a SQL job's UDF JAR from a DLI package.",
        "version",
    ),
)
OBS = "obs://"


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    version = spec.flink_version
    if not known(version):
        return
    jar = spec.jar if not spec.is_sql else None
    places: list[tuple[Path, Any, str]] = []  # (path, value, the option of its last version)
    if jar is not None:
        places.append((("jar", "entrypoint"), jar.entrypoint, "last-jar-version"))
        for key, values in (
            ("dependencyJars", jar.dependency_jars),
            ("dependencyFiles", jar.dependency_files),
        ):
            if known(values):
                places.extend(
                    ((("jar", key, i), v, "last-jar-version") for i, v in enumerate(values))
                )
    else:
        places.append((("udfJarUrl",), spec.udf_jar_url, "last-udf-version"))
    for path, value, option in places:
        if not isinstance(value, str) or value.startswith(OBS):
            continue  # most jobs: every file on OBS, no version to compare
        mine, last = version_key(version), version_key(str(context.options[option]))
        hard = mine > last
        if not hard and not (path[0] == "jar" and mine == last):
            continue
        yield Problem(
            ID,
            path,
            f"{shown(value)} is a DLI package name, which Flink {shown(version)} "
            + ("no longer takes" if hard else "does not recommend")
            + ": upload the file to OBS and write its obs:// path",
            severity=None if not hard else Severity.ERROR,
            hard=hard,
        )
