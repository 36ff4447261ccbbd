"""Scaling keys that do nothing because scaling is off.

``intervalMinutes``, ``cuMin``, ``cuMax`` and ``priority`` take effect only with scaling enabled: set
while it is off they suggest scaling that never happens. Enable scaling or remove them. (DLI applies
a priority only to jobs it scales.)

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
    sql: INSERT INTO sink SELECT * FROM src
    resources: {cu: 8}
    scaling: {cuMax: 16}
"""

from collections.abc import Iterator

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec
from dli_flink.rules.base import Context, Option

ID = "scaling-inert-keys"
SEVERITY = Severity.WARNING
OPTIONS: tuple[Option, ...] = ()
_KEYS = ("intervalMinutes", "cuMin", "cuMax", "priority")


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if spec.scaling_enabled is not False:
        return
    for key in _KEYS:
        setting = spec.setting(key)
        if setting.explicit:
            yield Problem(
                ID,
                setting.path,
                f"{key} has no effect while scaling is disabled: "
                "set scaling.enabled: true or remove it",
                on_key=True,
            )
