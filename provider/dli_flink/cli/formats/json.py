"""JSON for bots: `{"findings": [...], "summary": {...}}`; the summary counts every finding, the
unlisted ones (past MAX_LISTED in a file) too."""

from __future__ import annotations

import json

from dli_flink.model.findings import Report, Severity


def render(report: Report) -> str:
    document = {
        "findings": [finding._asdict() for finding in report.findings],
        "summary": {
            "files": report.files,
            "jobs": report.jobs,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "suppressed": report.suppressed,
            "unlisted": report.unlisted.total(),
        },
    }
    return json.dumps(document, indent=2) + "\n"
