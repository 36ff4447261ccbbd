"""A ``flink.dli.job.*`` key in runtimeConfig that contradicts the scaling block.

The scaling block becomes these runtime keys; writing one of them in runtimeConfig too, with another
value, leaves it unclear which the author meant. Keep the scaling block and remove the runtime key.

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
    runtimeConfig:
      table.exec.state.ttl: 1h

FAIL::

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
    runtimeConfig:
      flink.dli.job.cu.max: "32"
"""

from collections.abc import Iterator

from dli_flink.model import fields
from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec, known, parse_scaling_value
from dli_flink.rules.base import Context, Option

ID = "runtime-config-conflict"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    for key, runtime_key in fields.TABLE.scaling_keys.items():
        raw = spec.runtime_value(runtime_key)
        if raw is None:  # most jobs write no scaling key in runtimeConfig
            continue
        declared = spec.setting(key)
        in_block = declared.explicit and declared.path[0] == "scaling"
        if not in_block or not known(raw, declared.value):
            continue
        written = parse_scaling_value(key, raw)
        if known(written) and written != declared.value:  # unreadable: runtime-config-value says so
            yield Problem(
                ID,
                ("runtimeConfig", runtime_key),
                f"runtimeConfig sets {runtime_key}={shown(raw)} but scaling.{key} is "
                f"{shown(declared.value).lower()}: remove the runtimeConfig key",
                on_key=True,
            )


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Remove  # noqa: E402

FIX = "removes the runtimeConfig key: the scaling block's value is the one DLI is sent"


def fix(problem: Problem, spec: JobSpec, context: Context) -> list[Edit]:
    """The block wins when both are written (JobSpec.effective_runtime_config), so removing the
    runtime key changes nothing DLI runs: the planner sees no change."""
    return [Remove(problem.path)]
