"""Review tests run the real CLI in a real git repository made per test."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.validate.conftest import cli, write  # noqa: F401  (the CLI fixtures, shared)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_FIXED = {
    "GIT_AUTHOR_NAME": "Reviewer",
    "GIT_AUTHOR_EMAIL": "reviewer@example.com",
    "GIT_COMMITTER_NAME": "Reviewer",
    "GIT_COMMITTER_EMAIL": "reviewer@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}
"""Fixed identities and dates make commit ids, and so the snapshots, reproducible."""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """A git repo in tmp_path holding examples/jobs on `main`; call it to run git there."""
    for key, value in _FIXED.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True
        ).stdout

    shutil.copytree(EXAMPLES / "jobs", tmp_path / "jobs")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "jobs")
    git("checkout", "-qb", "feature")
    return git


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
