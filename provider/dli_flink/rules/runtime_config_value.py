"""A scaling key in runtimeConfig with a value DLI cannot read.

``flink.dli.job.scale.enable`` takes true or false; the interval, ``cu.min``, ``cu.max`` and priority
take whole numbers. Better still, use the typed scaling block.

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
from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec, Unknown, known, parse_scaling_value
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
            expected = "true or false" if key == "enabled" else "a whole number"
            yield Problem(
                ID,
                ("runtimeConfig", runtime_key),
                f"{runtime_key} is {raw!r}; DLI expects {expected}",
            )
