"""SARIF 2.1.0, as GitHub code scanning accepts it (`upload-sarif`).

Written as plain data: the log is a dozen fields, and the SARIF object-model packages on PyPI add a
serialisation layer without checking anything more. The tests validate the output against the
SARIF 2.1.0 JSON Schema.
"""

from __future__ import annotations

import json

from dli_flink import __version__
from dli_flink.rules import RULES
from dli_flink.rules.base import summary
from dli_flink.validate import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning"}


def render(report: Report) -> str:
    rule_ids = list(RULES)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dli-flink",
                        "version": __version__,
                        "rules": [_rule(RULES[rule_id]) for rule_id in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    {
                        "ruleId": f.rule,
                        "ruleIndex": rule_ids.index(f.rule),
                        "level": _LEVEL[f.severity],
                        "message": {"text": f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                                    "region": {"startLine": f.line, "startColumn": f.column},
                                }
                            }
                        ],
                    }
                    for f in report.findings
                ],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(module: object) -> dict:
    doc = (module.__doc__ or "").strip()
    return {
        "id": module.ID,
        "shortDescription": {"text": summary(module)},
        "fullDescription": {"text": doc.split("\n\n")[1] if "\n\n" in doc else summary(module)},
        "help": {"text": doc},
        "defaultConfiguration": {"level": _LEVEL[module.SEVERITY]},
    }
