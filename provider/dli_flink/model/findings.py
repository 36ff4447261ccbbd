"""What checks report: a Problem in a document, a Finding placed in a file, a Report of a run.

Rules and the schema check produce Problems (a spec path and a message); only the front end that has
a file turns them into Findings with line and column, so the provider and the policy pack can use the
same Problems without any YAML. The Report lives here, beside its Findings, so the output formats
render it without importing the validator that fills it.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles each string annotation
# of its fields; the NamedTuples of findings, fields, rules/base and fix/edits cost 2 ms more of
# every validate run's start-up with it.
from collections import Counter
from enum import StrEnum
from typing import NamedTuple

MAX_LISTED = 1000
"""Findings listed per file; the others are counted. No job file has that many, and a hostile file
can have a hundred thousand: listing them all cost a kilobyte of memory each, and nobody reads them."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


Path = tuple[str | int, ...]
"""A place in a job document, as its keys: ("scaling", "cuMax")."""


class Problem(NamedTuple):
    """One thing a check found in one job document.

    NamedTuples and plain classes rather than dataclasses, here and on the rest of validate's
    path: importing dataclasses (and the inspect it imports) and defining the classes it makes
    was about 20 ms, a third of a one-file `dli-flink validate` (issue 14).
    """

    rule: str
    path: Path
    message: str
    severity: Severity | None = None
    """None: the rule's configured severity. A rule with two levels (scaling-interval) sets it."""
    on_key: bool = False
    """Point at the key rather than its value (an unknown key, a key that should not be there)."""
    anchor: Path | None = None
    """Where to point when `path` is not written in the document (a missing key whose absence
    matters because of another key: point at that one)."""
    rejects: bool = False
    """The value at `path` is wrong on its own (outside what DLI accepts): rules that relate it to
    other values treat it as unknown, so one wrong value is one finding (see rules/accepted.py)."""
    hard: bool = False
    """DLI refuses the job: an error whatever the configuration says. A rule with two levels
    (scaling-interval) has a hard part and an advisory part; a configured severity is meant for
    the advice and moves only that, so validate never passes what DLI refuses."""


QUOTE_LIMIT = 60
"""The most characters of a value a message shows: a job name is at most 57."""


def quoted(value: object) -> str:
    """`value` as a message quotes it: repr's quotes for a string, a number as it is written.

    A value longer than QUOTE_LIMIT is cut there, with an ellipsis and its full length: a message is
    read by a person, and a 100,000-character value (or one repeated by aliases) must not make every
    finding about it that long. Strings are cut before repr, so a huge one is never copied whole.
    """
    if isinstance(value, str):
        if len(value) <= QUOTE_LIMIT:
            return repr(value)
        cut = repr(value[:QUOTE_LIMIT])
        return f"{cut[:-1]}…{cut[-1]} ({len(value):,} characters)"
    return shown(value)


def shown(value: object) -> str:
    """`value` as a message shows it without quotes (a key, a name, a number), cut as `quoted`."""
    text = str(value)
    if len(text) <= QUOTE_LIMIT:
        return text
    if isinstance(value, int):
        return f"{text[:QUOTE_LIMIT]}… ({len(text.lstrip('-')):,} digits)"
    return f"{text[:QUOTE_LIMIT]}… ({len(text):,} characters)"


def one_line(text: str) -> str:
    """`text` as one line of printable characters: control characters, newlines included, and
    undecodable bytes of file names as escapes. What a key, a value or a file name holds must not
    start a line of its own in the output (a forged finding) or send escapes to a terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class Finding(NamedTuple):
    """A Problem placed in a file, with the severity that configuration gave it."""

    file: str
    """The file as the user named it, unescaped: each format escapes it as its readers expect."""
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    job: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule)


class Report:
    """Every finding of a validate run and what the summary counts, for the output formats."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        """The findings listed: at most `MAX_LISTED` a file."""
        self.files = 0
        self.jobs = 0
        self.suppressed = 0
        self.unlisted: Counter[Severity] = Counter()
        """Findings counted but not listed, by severity: past MAX_LISTED in their file."""
        self.unreadable: list[str] = []
        """One line per file that could not be read at all (I/O errors: exit 2)."""

    def count(self, severity: Severity) -> int:
        """Every finding of `severity`, listed or not."""
        return sum(1 for f in self.findings if f.severity == severity) + self.unlisted[severity]
