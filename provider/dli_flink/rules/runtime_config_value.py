"""A scaling key in runtimeConfig with a value DLI cannot read.

DLI reads these values in Java. ``flink.dli.job.scale.enable`` takes true or false, in any case:
Boolean.parseBoolean reads anything else (`` TRUE `` with spaces, ``yes``) as false. The interval,
``cu.min``, ``cu.max`` and priority take whole numbers as Integer.parseInt reads them: digits and an
optional sign, no spaces or underscores, up to 2147483647. Better still, use the typed scaling block.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    runtimeConfig:
      flink.dli.job.scale.enable: "false"

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    runtimeConfig:
      flink.dli.job.scale.enable: "off"
"""

from collections.abc import Iterator

from dli_flink.model import fields
from dli_flink.model.findings import Problem, Severity, quoted
from dli_flink.model.spec import JobSpec, Unknown, known, parse_scaling_value
from dli_flink.model.values import JAVA_INT_MAX
from dli_flink.rules.base import Context, Option

ID = "runtime-config-value"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    for key, runtime_key in fields.TABLE.scaling_keys.items():
        raw = spec.runtime_value(runtime_key)
        if raw is None or not known(raw):
            continue
        if isinstance(parse_scaling_value(key, raw), Unknown):
            yield Problem(
                ID,
                ("runtimeConfig", runtime_key),
                f"{runtime_key} is {quoted(raw)}: {_how(key, raw)}",
            )


def _how(key: str, raw: str) -> str:
    """How DLI reads the key's values, and the value to write instead when it is plain what was meant."""
    if key == "enabled":
        meant = raw.strip().lower()
        return (
            "DLI reads only true or false, in any case and without spaces (Java's "
            "Boolean.parseBoolean reads anything else as false): "
            f"write {meant if meant in ('true', 'false') else 'true or false'}"
        )
    try:
        meant = str(int(raw)) if abs(int(raw)) <= JAVA_INT_MAX else "a whole number"
    except ValueError:
        meant = "a whole number"
    return (
        "DLI reads whole numbers as Java's Integer.parseInt does, digits with an optional sign, "
        f"no spaces or underscores, up to {JAVA_INT_MAX}: write {meant}"
    )
