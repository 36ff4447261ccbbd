"""Report formats: each module turns a validation Report into text for one audience."""

from __future__ import annotations

from collections.abc import Callable

from dli_flink.formats import github, json, sarif, text
from dli_flink.validate import Report

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
}
