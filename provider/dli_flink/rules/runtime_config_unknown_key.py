"""An unknown ``flink.dli.*`` key in runtimeConfig, most often a typo.

DLI ignores runtime keys it does not know, so ``flink.dli.job.scale.enabled: true`` silently leaves
scaling off. Known keys are the scaling keys plus the option ``known-keys`` (default none).

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    runtimeConfig:
      table.exec.state.ttl: 1h

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    runtimeConfig:
      flink.dli.job.scale.enabled: true
"""

from collections.abc import Iterator

from dli_flink.model import fields
from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec, known
from dli_flink.rules.base import Context, Option

ID = "runtime-config-unknown-key"
SEVERITY = Severity.WARNING
OPTIONS = (
    Option(
        "known-keys",
        [],
        "flink.dli.* runtime keys to accept besides the scaling keys.",
        "string-list",
    ),
)
_PREFIX = "flink.dli."


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if not known(spec.runtime_config):
        return
    dli_keys = [key for key, _ in spec.runtime_config if key.startswith(_PREFIX)]
    if not dli_keys:  # most jobs: nothing to look up
        return
    known_keys = [
        *fields.TABLE.scaling_keys.values(),
        *fields.RUNTIME_KEYS,
        *map(str, context.options["known-keys"]),
    ]
    for key in dli_keys:
        if key not in known_keys:
            import difflib  # here: only an unknown key needs it

            hint = difflib.get_close_matches(key, known_keys, n=1, cutoff=0.8)
            fix = f"did you mean {hint[0]}?" if hint else "DLI ignores it; check the spelling"
            yield Problem(
                ID,
                ("runtimeConfig", key),
                f"unknown DLI runtime key {shown(key)}: {fix}",
                on_key=True,
            )
