"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

from dli_flink.cli.formats.text import summary
from dli_flink.model.findings import Report


def render(report: Report) -> str:
    lines = [
        f"::{f.severity} file={_property(f.file)},line={f.line},col={f.column},"
        f"title={_property(f.rule)}::{_data(f.message)}"
        for f in report.findings
    ]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _data(value: str) -> str:
    """Escape a message as the runner expects (its own escaping rules, not URL encoding), so a
    newline in it cannot end the command. A file name's undecodable bytes, which no annotation can
    name, are shown as escapes rather than stop the output."""
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    """A property (the file, the title): the runner unescapes these back to the real name."""
    return _data(value).replace(":", "%3A").replace(",", "%2C")
