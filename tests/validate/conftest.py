"""Helpers for the validator's tests: run the real CLI in-process, write job files."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from dli_flink.cli import main, workers
from dli_flink.cli.manifest import cache_root


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Callable[..., Run]:
    """`cli("validate", "x.yaml")`: the dli-flink command as a user runs it, in `tmp_path`."""
    monkeypatch.chdir(tmp_path)

    def run_once(args: list[str]) -> Run:
        capsys.readouterr()
        try:
            code = main(args)
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def run(*args: str) -> Run:
        """Validate runs six times: filling the caches, answered by the command line's manifest
        (cli/manifest.py), served by its bundle of entries, by the file entries alone (both
        cli/cache.py), without any, and without any with its files checked in forked workers
        (cli/workers.py, from two files on, the parent taking no chunk itself, where no other thread runs in the test process: the
        full suite's shared hosts keep threads, so test_workers.py splits in fresh processes).
        Neither the caches nor the workers may ever change a verdict, so every validate test of
        the suite checks that too."""
        started = time.time()
        first = run_once(list(args))
        if args[:1] == ("validate",) and "--no-cache" not in args:
            assert run_once(list(args)) == first, "the run's manifest said something else"
            for kept in ("validate-runs/*.marshal", "validate-*/run-*.pickle"):
                for written in cache_root().glob(kept):  # this test's only (other folders use it)
                    if written.stat().st_mtime >= started - 1:
                        written.unlink()
                assert run_once(list(args)) == first, f"the cache without {kept} said otherwise"
            assert run_once([*args, "--no-cache"]) == first, "the cache changed the verdict"
            with monkeypatch.context() as patched:
                patched.setattr(workers, "PARALLEL_FILES", 2)
                patched.setattr(workers, "parent_takes_chunks", False)  # all checked in workers
                split = run_once([*args, "--no-cache"])
            assert split == first, "the workers changed the verdict"
        return first

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """`write("jobs/a.yaml", yaml_text)`: a file under tmp_path, text dedented."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write_file


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The per-user cache folder of the run's tests (one, so the compiled schema gate is compiled
    once): validate's cache never goes into the home of whoever runs the tests."""
    folder = tmp_path_factory.getbasetemp() / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder
