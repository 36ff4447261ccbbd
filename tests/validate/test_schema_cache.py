"""The compiled schema gate is cached per user; a bad or unwritable cache must never matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from dli_flink.model import schema

GOOD = {"kind": "FlinkSqlJob", "name": "a", "queue": "q", "flinkVersion": "1.15", "sql": "x"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    schema._fast_validator.cache_clear()
    yield tmp_path / "dli-flink"
    schema._fast_validator.cache_clear()


def _gate_works() -> None:
    assert schema.is_valid(GOOD)
    assert not schema.is_valid({**GOOD, "cu": 1})


def test_compiled_gate_is_cached_and_reused(cache: Path) -> None:
    _gate_works()
    [entry] = cache.glob("schema-*.marshal")
    schema._fast_validator.cache_clear()
    before = entry.stat().st_mtime_ns
    _gate_works()
    assert entry.stat().st_mtime_ns == before  # read, not rewritten


def test_corrupt_cache_is_rebuilt(cache: Path) -> None:
    _gate_works()
    [entry] = cache.glob("schema-*.marshal")
    entry.write_bytes(b"not marshal data")
    schema._fast_validator.cache_clear()
    _gate_works()
    assert entry.read_bytes() != b"not marshal data"


def test_unwritable_cache_only_costs_the_compile(cache: Path) -> None:
    cache.parent.mkdir(exist_ok=True)
    cache.write_text("a file where the cache folder should be")
    _gate_works()
