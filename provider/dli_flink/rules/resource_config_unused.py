"""Resources written for the other resource configuration version, which DLI does not read.

Under ``resourceConfigVersion: v2`` DLI sizes the job by ``resourceConfig`` and "the v2 template
does not support the setting of the number of CUs"; under v1 (the default) ``resource_config`` "is
invalid" (API reference, dli_02_0231, resource_config_version and resource_config; SDK models
likewise). dli-flink sends only the block the version reads, so the other one would look
configured and change nothing.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    sql: INSERT INTO sink SELECT * FROM src
    resourceConfigVersion: v2
    resourceConfig: {parallelism: 2, taskManager: {cpu: 2, memory: 8GB}}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    sql: INSERT INTO sink SELECT * FROM src
    resourceConfigVersion: v2
    resources: {cu: 4, parallelism: 2}
"""

from collections.abc import Iterator

from dli_flink.model import fields
from dli_flink.model.fields import V1, V2
from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec, Unknown
from dli_flink.rules.base import Context, Option

ID = "resource-config-unused"
SEVERITY = Severity.WARNING
OPTIONS: tuple[Option, ...] = ()
BLOCKS = {V1: "resources", V2: "resourceConfig"}


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    """One finding for the first field of the other version's block the job sets (a v1 field at
    its default is what every document holds, so only another value counts)."""
    version = spec.resource_version
    if version not in BLOCKS:
        return
    for row in fields.TABLE.other_version[version]:
        value = spec.values.get(row.path)
        if value is None or isinstance(value, Unknown):
            continue
        if value != row.default_for(spec.kind):
            yield _problem(version, row.path)
            return


def _problem(version: str, path: str) -> Problem:
    block = path.split(".", 1)[0]
    other = V2 if version == V1 else V1
    return Problem(
        ID,
        (block,),
        f"{block} is read only with resourceConfigVersion {other}; the job runs {version}, so DLI "
        f"is not sent it: remove it, or set resourceConfigVersion: {other}",
        on_key=True,
    )
