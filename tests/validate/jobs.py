"""Job documents the validator tests start from."""

VALID_SQL_JOB = """\
kind: FlinkSqlJob
name: orders-enrich
queue: flink_q
flinkVersion: "1.15"
sql: INSERT INTO sink SELECT * FROM src
resources: {cu: 8}
checkpoint: {enabled: true}
obsBucket: my-bucket
logEnabled: true
scaling: {enabled: true, cuMax: 16}
agency: dli_flink_agency
"""
