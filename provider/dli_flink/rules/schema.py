"""Anything the job document's JSON Schema rejects: one finding per error.

Unknown keys (with a did-you-mean), missing required keys, wrong types, values outside an enum,
keys that belong to the other kind of job. The schema is schemas/flink-job.schema.json: point
yaml-language-server at it to see the same errors while typing.

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.15"
    agency: dli_flink_agency
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


# dli-flink fix: what this rule mends by itself (fix/edits.py says how fixes are written).
from dli_flink.fix.edits import Edit, Quote, Rename  # noqa: E402
from dli_flink.model.findings import Problem  # noqa: E402
from dli_flink.model.schema import expected_type, suggested_key  # noqa: E402
from dli_flink.model.spec import JobSpec  # noqa: E402
from dli_flink.rules.base import Context  # noqa: E402

FIX = (
    "renames an unknown key to its did-you-mean; quotes a number written where a string belongs "
    '(flinkVersion: 1.15 becomes "1.15")'
)


def fix(problem: Problem, spec: JobSpec | None, context: Context) -> list[Edit]:
    """Only the two mistakes with one right answer: the key the hint names (a key with no close
    match stays, as does one whose hint is already written), and a version or name that YAML read
    as a number, quoted exactly as written (1.10 stays 1.10, not the float's 1.1)."""
    if problem.on_key:
        key = suggested_key(problem.path)
        return [Rename(problem.path, key)] if key else []
    return [Quote(problem.path)] if expected_type(problem.path) == "string" else []
