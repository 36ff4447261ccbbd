"""Dynamic scaling on a Flink version DLI cannot scale.

DLI scales only jobs of Flink 1.12 or later (the newest guide says "only Flink 1.12"). The minimum is
the option ``min-version`` (default "1.12"); ``versions`` (default: any) lists the only versions to
accept, for teams that follow the stricter reading.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8}
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, cuMax: 16}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.10"
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8}
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, cuMax: 16}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec, known
from dli_flink.rules.base import Context, Option, version_key

ID = "scaling-flink-version"
SEVERITY = Severity.ERROR
OPTIONS = (
    Option(
        "min-version",
        "1.12",
        "The oldest Flink version (like 1.12) that may enable scaling.",
        "version",
    ),
    Option(
        "versions",
        [],
        "If not empty, the only Flink versions that may enable scaling.",
        "version-list",
    ),
)


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    version = spec.flink_version
    if spec.scaling_enabled is not True or not known(version):
        return
    accepted: list[str] = context.options["versions"]
    minimum: str = context.options["min-version"]
    if accepted and version not in accepted:
        yield Problem(
            ID,
            ("flinkVersion",),
            f"dynamic scaling is accepted here only on Flink {', '.join(accepted)}; "
            f"flinkVersion is {shown(version)}: change it or disable scaling",
        )
    elif version_key(version) < version_key(minimum):
        yield Problem(
            ID,
            ("flinkVersion",),
            f"dynamic scaling needs Flink {minimum} or later; flinkVersion is {shown(version)}: "
            "upgrade the job or disable scaling",
        )
