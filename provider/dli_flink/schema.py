"""The JSON Schema of the job document, and checking a document against it.

Two validators, on purpose. A compiled fastjsonschema validator answers "valid?" in microseconds and
gates the common case; only a document it rejects pays for jsonschema (about 0.1 s to import), which
reports every error with its path. The schema keeps to keywords draft-07 and 2020-12 read alike, so both
validators agree (a property test holds them to it).

Messages are for people: an `errorMessage` in the schema (the convention yaml-language-server shows in
editors too) wins; otherwise each kind of error gets a sentence that names the key and the fix.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

from dli_flink.findings import Path, Problem

RULE = "schema"
SCHEMA_FILE = "flink-job.schema.json"


def schema_path() -> FilePath:
    """Where the schema file is (inside the installed package)."""
    return FilePath(str(resources.files("dli_flink") / "schemas" / SCHEMA_FILE))


@cache
def load_schema() -> dict[str, Any]:
    return json.loads(schema_path().read_text(encoding="utf-8"))


@cache
def _fast_validator() -> Callable[[Any], Any]:
    import fastjsonschema

    draft07 = {**load_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(draft07, use_default=False, use_formats=False)


def is_valid(document: Any) -> bool:
    """Fast answer for the common case; `schema_problems` says why when it is False."""
    import fastjsonschema

    try:
        _fast_validator()(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_problems(document: Any) -> list[Problem]:
    """Every way `document` breaks the schema, one Problem per error, in document order."""
    if is_valid(document):
        return []
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema())
    problems: list[Problem] = []
    for error in validator.iter_errors(document):
        problems.extend(_explain(error, document))
    return sorted(set(problems), key=lambda p: [str(k) for k in p.path])


def invalid_paths(problems: list[Problem]) -> set[Path]:
    """Paths whose value the schema rejected (not mere missing or unknown keys).

    Rules treat those values as unknown, so a wrong type is reported once, by the schema, instead of
    feeding a rule a default it did not write.
    """
    return {p.path for p in problems if p.rule == RULE and not p.on_key and p.path}


def _explain(error: Any, document: Any) -> Iterator[Problem]:
    path: Path = tuple(error.absolute_path)
    where = _dotted(path)
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75)
                fix = f"did you mean '{hint[0]}'?" if hint else f"allowed: {', '.join(allowed)}"
                yield Problem(
                    RULE, (*path, key), f"unknown key '{_dotted((*path, key))}': {fix}", on_key=True
                )
        return
    if kind == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        for key in missing:
            yield Problem(RULE, (*path, key), f"missing required key '{_dotted((*path, key))}'")
        return
    if custom:
        yield Problem(RULE, path, custom, on_key=kind == "not")
        return
    if kind == "type" and not path:
        yield Problem(
            RULE,
            path,
            f"a job document must be a mapping (kind:, name:, queue:, ...), not {_typename(error)}",
        )
    elif kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        yield Problem(RULE, path, f"'{where}' must be {_article(expected)}, not {_typename(error)}")
    elif kind == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        hint = difflib.get_close_matches(str(error.instance), map(str, error.validator_value), 1)
        fix = f"did you mean '{hint[0]}'?" if hint else f"use one of: {choices}"
        yield Problem(RULE, path, f"'{where}' is {error.instance!r}: {fix}")
    elif kind in ("minimum", "maximum", "minLength"):
        word = {"minimum": "at least", "maximum": "at most", "minLength": "at least"}[kind]
        unit = " character(s) long" if kind == "minLength" else ""
        yield Problem(RULE, path, f"'{where}' must be {word} {error.validator_value}{unit}")
    else:
        yield Problem(RULE, path, f"'{where or 'document'}': {error.message}")


def _dotted(path: Path) -> str:
    return ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in path).replace(".[", "[")


def _article(type_name: str) -> str:
    names = {"object": "a mapping", "array": "a list", "integer": "a whole number"}
    return names.get(type_name, f"a {type_name}")


def _typename(error: Any) -> str:
    value = error.instance
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty (null)"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{value!r} (a {'whole number' if isinstance(value, int) else 'number'})"
