"""Anything the job document's JSON Schema rejects: one finding per error.

Unknown keys (with a did-you-mean), missing required keys, wrong types, values outside an enum,
keys that belong to the other kind of job. The schema is schemas/flink-job.schema.json: point
yaml-language-server at it to see the same errors while typing.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    sql: INSERT INTO sink SELECT * FROM src

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: 1.15
    sql: INSERT INTO sink SELECT * FROM src
    scalling:
      enabled: true
"""

from dli_flink.model.findings import Severity
from dli_flink.rules.base import Option

ID = "schema"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()
