"""SARIF 2.1.0 for GitHub code scanning (`upload-sarif`), built with sarif-kit.

sarif-kit carries what GitHub needs beyond the schema: rule metadata GitHub titles alerts with,
`partialFingerprints` that stay stable when unrelated lines move, and the 5,000-result cap.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from sarif_kit import Location, Result, Rule, SarifBuilder

from dli_flink import __version__
from dli_flink.model.findings import Report
from dli_flink.rules import RULES
from dli_flink.rules.base import summary


def render(report: Report) -> str:
    builder = SarifBuilder("dli-flink", tool_version=__version__)
    for rule in RULES.values():
        doc = (rule.__doc__ or "").strip()
        builder.add_rule(
            Rule(
                id=rule.ID,
                name="".join(word.title() for word in rule.ID.split("-")),
                short_description=summary(rule),
                full_description=doc.split("\n\n")[1] if "\n\n" in doc else summary(rule),
                default_level=str(rule.SEVERITY),
            )
        )
    for f in report.findings:
        builder.add_result(
            Result(
                rule_id=f.rule,
                message=f.message,
                level=str(f.severity),
                location=Location(uri=_uri(f.file), start_line=f.line, start_column=f.column),
            )
        )
    return json.dumps(builder.build(), indent=2) + "\n"


def _uri(file: str) -> str:
    """The file as a relative URI reference, as SARIF's artifactLocation.uri must be: every byte of
    the name but letters, digits, '-._~' and '/' percent-encoded ('#' would start a fragment, a ':'
    in the first segment a scheme), from the file system's own bytes."""
    return quote(os.fsencode(file), safe="/")
