"""`file:line:col: severity rule-id message`, one finding a line, then a summary line."""

from __future__ import annotations

from dli_flink.model.findings import MAX_LISTED, Report, Severity, one_line


def render(report: Report) -> str:
    lines = [
        f"{one_line(f.file)}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}"
        for f in report.findings
    ]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    parts = [_plural(errors, "error"), _plural(warnings, "warning")]
    if report.suppressed:
        parts.append(f"{report.suppressed} suppressed")
    line = f"{', '.join(parts)} in {_plural(report.files, 'file')} ({_plural(report.jobs, 'job')})"
    if unlisted := report.unlisted.total():
        line += f"; {unlisted} not listed (at most {MAX_LISTED} a file)"
    return line


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
