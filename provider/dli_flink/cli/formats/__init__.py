"""Report formats: a module each (text, json, github, sarif) with `render(report) -> str`.

Loaded by name when used: the SARIF builder imports jsonschema, which a plain text run (every
pre-commit) should not pay for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dli_flink.model.findings import Report

NAMES = ("text", "json", "github", "sarif")


def render(report: Report, name: str) -> str:
    return importlib.import_module(f"dli_flink.cli.formats.{name}").render(report)
