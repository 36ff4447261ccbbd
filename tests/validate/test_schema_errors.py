"""model/schema_errors.py against jsonschema itself: the same errors, so the same findings.

The validator explains a document the compiled gate rejects with model/schema_errors.py, which walks
the job schema as jsonschema's Draft 2020-12 validator does, without importing jsonschema. Each
document here is checked by both: the errors must be the same (path, keyword, value, instance,
subschema and message), and the findings `schema_problems` makes of them the same, in the same
order. jsonschema lists the extra keys of an `additionalProperties` subschema in set order (which
changes with the hash seed), the walker in document order: errors are compared as a multiset, the
findings (sorted by path) exactly.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from dli_flink.model import schema, schema_errors
from hypothesis import given
from jsonschema import Draft202012Validator

from tests.validate.test_property import SETTINGS, documents

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = Draft202012Validator(schema.load_schema())

EDGES: list[Any] = [
    None,
    [],
    "kind: FlinkSqlJob",
    {},
    {"kind": "FlinkSqlJob", "name": "a", "queue": "q", "flinkVersion": "1.15"},
    {
        "kind": "FlinkSqlJob",
        "name": "a",
        "queue": "q",
        "flinkVersion": 1.15,
        "sql": "x",
        "sqlFile": "y",
    },
    {"kind": "FlinkJarJob", "name": "", "queue": "q", "flinkVersion": "1.15", "sql": "x"},
    {
        "kind": "FlinkJarJob",
        "name": "a",
        "queue": "q",
        "flinkVersion": "1.15",
        "jar": {"entrypoint": "obs://b/a.jar", "image": "org/img:1", "feature": "basic"},
        "jobType": "flink_sql_job",
        "checkpoint": {"path": "obs://b/c", "intervalSeconds": 0},
    },
    {
        "kind": "FlinkSqlJob",
        "name": "a",
        "queue": "q",
        "flinkVersion": "1.15",
        "sql": "x",
        "jar": {"entrypoint": "x"},
        "checkpoint": {"path": "s3://b"},
        "restore": "yesterday",
        "tags": {"dli-flink-owner": "me", " x": "y", "_sys_a": [], "ok": "a/b", "n": 1.5},
        "resources": {"cu": 8.0, "managerCu": True, "parallelism": 2.5},
        "timeouts": {"create": 0, "update": -1, "delete": "x"},
        "runtimeConfig": {"a": {}, "b": None, "c": [1]},
        "logLevels": {"root": "info", "x": True},
        "resumeMaxTimes": -2,
        "obsBucket": "192.168.1.1",
        "dirtyDataStrategy": "2:",
        "desiredState": "paused",
        "scaling": {"enabled": 1, "cuMin": "2"},
        "unknownKey": 1,
    },
    {"kind": "FlinkJarJob", "tags": {str(i): "v" for i in range(25)}, "jar": None},
    {"kind": True, "name": 1, "queue": None, "flinkVersion": ["1.15"], "adopt": "yes"},
]
"""Documents at the edges of every keyword the schema uses (hand-picked; the generated ones and
the corpora below add to them)."""


def _corpus() -> list[Any]:
    """Every job document of the examples and of the bench's corpus (its defects included)."""
    found: list[Any] = []
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        found.extend(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import validate_bench

        found.extend(job.document for job in validate_bench.make_corpus(1000, 2))
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return found


def _error(error: Any) -> tuple[Any, ...]:
    return (
        tuple(error.absolute_path),
        error.validator,
        repr(error.validator_value),
        repr(error.instance),
        id(error.schema),
        error.message,
    )


def _jsonschema_problems(document: Any) -> list[Any]:
    """What `schema.schema_problems` said when jsonschema listed the errors."""
    if schema.is_valid(document):
        return []
    problems = dict.fromkeys(
        problem
        for error in VALIDATOR.iter_errors(document)
        for problem in schema._explain(error, document)
    )
    return sorted(problems, key=lambda p: tuple(map(str, p.path)))


def _assert_same(document: Any) -> None:
    ours = [_error(e) for e in schema_errors.iter_errors(schema.load_schema(), document)]
    theirs = [_error(e) for e in VALIDATOR.iter_errors(document)]
    assert Counter(ours) == Counter(theirs)
    assert schema.schema_problems(document) == _jsonschema_problems(document)


def test_the_job_schema_is_walked_without_jsonschema() -> None:
    assert schema_errors.supported(schema.load_schema())
    assert schema._walked()


def test_a_keyword_the_walker_does_not_know_is_left_to_jsonschema() -> None:
    assert not schema_errors.supported({"properties": {"a": {"uniqueItems": True}}})
    assert not schema_errors.supported({"allOf": [{"$ref": "#/a"}]})


@pytest.mark.parametrize("document", EDGES)
def test_edge_documents_get_jsonschemas_errors(document: Any) -> None:
    _assert_same(document)


def test_the_corpora_get_jsonschemas_errors() -> None:
    corpus = _corpus()
    assert sum(not schema.is_valid(document) for document in corpus) >= 20
    for document in corpus:
        _assert_same(document)


@SETTINGS
@given(documents)
def test_generated_documents_get_jsonschemas_errors(document: Any) -> None:
    _assert_same(document)
