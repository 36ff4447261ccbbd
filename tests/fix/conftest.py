"""The validator's fixtures (`cli` runs dli-flink in-process in tmp_path, `write` writes a file
there), and helpers to compare findings before and after a fix."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from dli_flink.cli.validate import validate
from dli_flink.rules.config import Config

from tests.validate.conftest import cli, write

__all__ = ["cli", "rules_found", "write"]


def rules_found(path: Path, config: Config | None = None) -> Counter[str]:
    """How many findings of each rule `dli-flink validate` reports in the file."""
    return Counter(f.rule for f in validate([path], config or Config()).findings)
