"""A Flink 1.15 or later job that checkpoints, saves logs or scales, without an agency.

DLI's user guide ("Creating a Custom DLI Agency"): from Flink 1.15 a job needs an agency that
authorises DLI to act for it, or it cannot enable checkpointing, use savepoints or dump its logs to
OBS. Dynamic scaling restores the job from savepoints, and every restart-class change dli-flink makes
stops the job with a savepoint, so a checkpointing job needs the agency for its updates too. The
agency is ``agency`` (execution_agency_urn) or the runtime key ``flink.dli.job.agency.name``. The
first version that needs it is the option ``min-version`` (default "1.15").

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    agency: dli_flink_agency

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
"""

from collections.abc import Iterator

from dli_flink.model.fields import AGENCY_KEY
from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec, known
from dli_flink.rules.base import Context, Option, version_key

ID = "agency-required"
SEVERITY = Severity.ERROR
OPTIONS = (
    Option(
        "min-version",
        "1.15",
        "The first Flink version (like 1.15) whose checkpoints, savepoints and logs need an agency.",
        "string",
    ),
)


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    version = spec.flink_version
    if not known(version) or version_key(version) < version_key(
        str(context.options["min-version"])
    ):
        return
    if spec.agency is not None or spec.runtime_value(AGENCY_KEY) is not None:
        return  # UNKNOWN counts as set: no finding on a value not known yet
    needs = [
        what
        for what, on, path in (
            ("checkpointing", spec.checkpoint.enabled, ("checkpoint", "enabled")),
            ("saved logs", spec.log_enabled, ("logEnabled",)),
            ("dynamic scaling", spec.scaling_enabled, spec.setting("enabled").path),
        )
        if on is True
    ]
    if needs:
        yield Problem(
            ID,
            ("flinkVersion",),
            f"Flink {shown(version)} needs an agency for {' and '.join(needs)} (DLI cannot checkpoint, "
            "take savepoints or save logs without one): set agency: <your DLI agency name>",
        )
