"""A file that cannot be read as YAML job documents.

Reported by the loader, once per file, at the first place it cannot read: a syntax error, invalid
UTF-8, a binary file, a file over 1 MiB, nesting deeper than 64 levels, or aliases that expand past
50,000 nodes (the "billion laughs" bomb). The other files are still checked.

FAIL::

    kind: FlinkSqlJob
    name: [orders-enrich
"""

from dli_flink.model.findings import Severity
from dli_flink.rules.base import Option

ID = "yaml-syntax"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()
