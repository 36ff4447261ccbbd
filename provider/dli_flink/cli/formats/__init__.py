"""The output formats of every command, in one registry: command -> format name -> renderer.

validate, review and rehearse each render their result in several formats; the commands take their
`--format` choices from here and render through `render`, so a format is added in one place. A
renderer is named "module:function" and imported when used: the SARIF builder imports jsonschema,
which a plain text run (every pre-commit) should not pay for.
"""

from __future__ import annotations

import importlib
from typing import Any

FORMATS: dict[str, dict[str, str]] = {
    "validate": {
        "text": "dli_flink.cli.formats.text:render",
        "json": "dli_flink.cli.formats.json:render",
        "github": "dli_flink.cli.formats.github:render",
        "sarif": "dli_flink.cli.formats.sarif:render",
    },
    "review": {
        "markdown": "dli_flink.cli.review_report:markdown",
        "json": "dli_flink.cli.review_report:as_json",
    },
    "rehearse": {
        "text": "dli_flink.rehearse.report:text",
        "json": "dli_flink.rehearse.report:as_json",
        "markdown": "dli_flink.rehearse.report:markdown",
    },
}


def names(command: str) -> tuple[str, ...]:
    """The formats `command` offers, its default first."""
    return tuple(FORMATS[command])


def render(command: str, name: str, *result: Any) -> str:
    """`result` of `command` in format `name`."""
    module, _, function = FORMATS[command][name].partition(":")
    return getattr(importlib.import_module(module), function)(*result)
