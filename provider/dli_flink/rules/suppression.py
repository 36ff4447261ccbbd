"""An inline suppression that does not suppress: no reason given, or an unknown rule id.

``# dli-flink: disable=RULE[,RULE...] -- reason`` on a finding's line, or the line above it, hides
that finding. The reason is required, so a reviewer can tell why a rule was silenced; a suppression
without one hides nothing.

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
    # dli-flink: disable=scaling-interval -- backfill job, restarts are cheap
    scaling: {enabled: true, intervalMinutes: 5}

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
    # dli-flink: disable=scaling-interval
    scaling: {enabled: true, intervalMinutes: 5}
"""

from dli_flink.model.findings import Severity
from dli_flink.rules.base import Option

ID = "suppression"
SEVERITY = Severity.WARNING
OPTIONS: tuple[Option, ...] = ()
