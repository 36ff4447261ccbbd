"""A scaling interval so small that DLI would restart the job over and over.

Each scaling check may stop the job with a savepoint and restore it: the job processes nothing
meanwhile, and DLI's guide warns not to set the period small. Below 1 minute DLI refuses the job: an
error whatever the configuration says. Below the option ``min-minutes`` (default 10) a warning: the
advice, which a configured ``severity`` moves or turns off. The most restarts a day is
1440 / interval.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, intervalMinutes: 30}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    checkpoint: {enabled: true}
    obsBucket: my-bucket
    logEnabled: true
    scaling: {enabled: true, intervalMinutes: 0}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-interval"
SEVERITY = Severity.ERROR
HARD = True
OPTIONS = (
    Option(
        "min-minutes",
        10,
        "Warn below this many minutes between scaling checks.",
        "integer",
        minimum=1,
    ),
)


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    setting = spec.setting("intervalMinutes")
    interval = setting.value
    if spec.scaling_enabled is not True or not isinstance(interval, int):
        return
    minimum = int(context.options["min-minutes"])
    if interval < 1:
        yield Problem(
            ID,
            setting.path,
            f"scaling interval is {shown(interval)} minutes; it must be at least 1 (the default is 30)",
            rejects=True,
            hard=True,
        )
    elif interval < minimum:
        yield Problem(
            ID,
            setting.path,
            f"scaling interval of {interval} minutes allows up to {1440 // interval} restarts a day; "
            f"use at least {minimum} (the default is 30)",
            severity=Severity.WARNING,
        )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Set, written  # noqa: E402

FIX = "raises the interval to min-minutes"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """The configured minimum: the shortest interval the team accepts, so restarts are as
    frequent as allowed and no more."""
    minimum = int(context.options["min-minutes"])
    return [Set(problem.path, written(problem.path, minimum))]
