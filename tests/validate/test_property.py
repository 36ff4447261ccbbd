"""Property-based tests (hypothesis) of the validator: generated input, not hand-picked cases.

Three promises of issue 2 that no list of examples can cover:

- whatever a job file holds, the validator reports findings and never raises; every finding has a
  real position (line and column from 1), a known rule id and a severity;
- the fast fastjsonschema gate and the full jsonschema validator agree on every document: the gate
  decides whether jsonschema runs at all, so a document the gate wrongly accepts would have its
  schema findings silently dropped;
- a schema finding points at the line where the offending key is written.

The documents are dumped to YAML text with a small emitter of our own that records the line of every
key, so the expected position is known without parsing.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from dli_flink.cli import formats
from dli_flink.cli.validate import validate
from dli_flink.model import schema
from dli_flink.model.findings import Report, Severity
from dli_flink.model.source import load_documents
from dli_flink.rules import RULES
from dli_flink.rules.config import Config
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KeyPath = tuple[str, ...]

# --- Values --------------------------------------------------------------------------------------

TEXT = st.characters(
    exclude_categories=("Cs",),
    exclude_characters="".join(map(chr, range(0x7F, 0xA0))) + "\ufeff\ufffe\uffff",
)
"""Characters YAML 1.2 allows in a file, escaped or not: no surrogates and no C1 controls. U+2028 and
U+2029 are included: they are ordinary characters in YAML 1.2, and the loader must treat them so."""

texts = st.text(TEXT, max_size=30)
words = st.text(TEXT, min_size=1, max_size=20)
finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
"""Anything a JSON or YAML document can hold (floats include inf and nan)."""

PATTERN_EDGES = st.sampled_from(
    [
        *["1.15", "1.15\n", "1.15.2\n", "01.1", "1.15 ", "obs://bucket/app.jar", "obs://b/a.jar\n"],
        *["obs://\n", "0", "0\n", "1\n", "2:obs://dirty\n", "2:\n", "3", ""],
    ]
)
"""Strings at the edges of the schema's patterns: a trailing newline is where regex dialects differ."""

names = st.from_regex(r"[A-Za-z0-9_-]{1,57}", fullmatch=True)
obs_paths = st.from_regex(r"[a-z0-9][a-z0-9/._-]{0,20}", fullmatch=True).map("obs://".__add__)
versions = st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True)
buckets = st.from_regex(r"[a-z][a-z0-9-]{1,20}[a-z0-9](\.[a-z0-9]{1,10}){0,2}", fullmatch=True)
"""OBS bucket names (3 to 63 characters, no '..', '.-' or '-.', never an IP address)."""
config_values = st.one_of(words, st.integers(), finite, st.booleans())
tag_words = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd")) | st.sampled_from("_.:+-@"),
    min_size=1,
    max_size=20,
)
"""Tag keys and values DLI's tag API takes (API reference dli_02_0396; the schema checks them)."""


@st.composite
def valid_jobs(draw: st.DrawFn) -> dict[str, Any]:
    """A job document the schema accepts: required keys, any subset of the optional ones."""
    kind = draw(st.sampled_from(["FlinkSqlJob", "FlinkJarJob"]))
    job: dict[str, Any] = {
        "kind": kind,
        "name": draw(names),
        "queue": draw(words),
        "flinkVersion": draw(versions),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "description": texts,
        "resources": st.fixed_dictionaries(
            {},
            optional={
                key: st.integers()
                for key in (
                    "cu",
                    "managerCu",
                    "parallelism",
                    "taskManagerCu",
                    "slotsPerTaskManager",
                )
            },
        ),
        "checkpoint": st.fixed_dictionaries(
            {},
            optional={
                "enabled": st.booleans(),
                "intervalSeconds": st.integers(min_value=1),
                "mode": st.sampled_from(["exactly_once", "at_least_once"]),
                **({"path": obs_paths} if kind == "FlinkJarJob" else {}),
            },
        ),
        "obsBucket": buckets,
        "logEnabled": st.booleans(),
        "restartOnException": st.booleans(),
        "resumeFromCheckpoint": st.booleans(),
        "resumeMaxTimes": st.integers(min_value=-1),
        "smnTopic": texts,
        "scaling": st.fixed_dictionaries(
            {},
            optional={
                "enabled": st.booleans(),
                **{k: st.integers() for k in ("intervalMinutes", "cuMin", "cuMax", "priority")},
            },
        ),
        "runtimeConfig": st.dictionaries(words, config_values, max_size=4),
        "tags": st.dictionaries(
            tag_words.filter(lambda k: not k.startswith("_sys_") and k != "dli-flink-owner"),
            st.one_of(tag_words, st.integers(), finite, st.booleans()),
            max_size=3,
        ),
    }
    if kind == "FlinkSqlJob":
        job[draw(st.sampled_from(["sql", "sqlFile"]))] = draw(words)
        optional["jobType"] = st.sampled_from(["flink_opensource_sql_job", "flink_sql_job"])
        optional["idleStateRetentionSeconds"] = st.integers(min_value=0)
        optional["dirtyDataStrategy"] = st.sampled_from(["0", "1", "2:obs://bucket/dirty"])
    else:
        job["jar"] = draw(
            st.fixed_dictionaries(
                {"entrypoint": obs_paths},
                optional={
                    "mainClass": words,
                    "args": st.lists(texts, max_size=3),
                    "dependencyJars": st.lists(obs_paths, max_size=2),
                    "dependencyFiles": st.lists(obs_paths, max_size=2),
                },
            )
        )
    job.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return job


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """`value` with keys dropped, values replaced by random types, extra keys and nested junk."""
    if isinstance(value, dict):
        result: dict[Any, Any] = {}
        for key, item in value.items():
            action = draw(st.sampled_from(["keep", "keep", "drop", "replace", "recurse"]))
            if action == "keep":
                result[key] = item
            elif action == "replace":
                result[key] = draw(json_values | PATTERN_EDGES)
            elif action == "recurse" and depth < 3:
                result[key] = draw(mutated(item, depth + 1))
        for key, item in draw(st.dictionaries(texts, json_values, max_size=2)).items():
            result.setdefault(key, item)
        return result
    if isinstance(value, list) and value and draw(st.booleans()):
        return [*value, draw(json_values)]
    return value


def mutated_jobs() -> st.SearchStrategy[Any]:
    return valid_jobs().flatmap(mutated)


documents = st.one_of(json_values, valid_jobs(), mutated_jobs())
"""What a YAML document of a job file can be, from nonsense to valid."""

# --- A YAML emitter that knows where it put every key ------------------------------------------


def scalar(value: Any) -> str:
    """One YAML 1.2 scalar (or flow collection) on one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(item) for item in value) + "]"
    return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"


PLAIN_KEYS = set(key for key in json.dumps(schema.load_schema()).split('"') if key.isalnum())
"""Keys written plain, as people write them (every identifier the schema uses); others are quoted."""


def emit(
    mapping: dict[str, Any], flow: set[KeyPath] | None = None
) -> tuple[str, dict[KeyPath, tuple[int, int]]]:
    """Block-style YAML of `mapping`, and for every key path: (line of the key, line of its value).

    Non-empty mappings are written in block style unless their path is in `flow`; everything else
    is written after its key on the same line.
    """
    lines: list[str] = []
    where: dict[KeyPath, tuple[int, int]] = {}

    def block(value: dict[str, Any], indent: int, path: KeyPath) -> None:
        for key, item in value.items():
            here = (*path, key)
            line = len(lines) + 1
            written = " " * indent + (key if key in PLAIN_KEYS else scalar(key)) + ":"
            if isinstance(item, dict) and item and here not in (flow or set()):
                lines.append(written)
                where[here] = (line, line + 1)
                block(item, indent + 2, here)
            else:
                lines.append(f"{written} {scalar(item)}")
                where[here] = (line, line)

    block(mapping, 0, ())
    return "\n".join(lines) + "\n", where


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """Documents dumped by our emitter, PyYAML (block or flow) or as JSON; sometimes several."""
    parts = []
    for document in draw(st.lists(documents, min_size=1, max_size=3)):
        dumper = draw(st.sampled_from(["emit", "block", "flow", "json"]))
        if dumper == "emit" and isinstance(document, dict) and document:
            parts.append(emit(document)[0])
        elif dumper in ("block", "flow"):
            parts.append(
                yaml.safe_dump(
                    document,
                    default_flow_style=dumper == "flow",
                    allow_unicode=draw(st.booleans()),
                    sort_keys=False,
                )
            )
        else:
            parts.append(scalar(document) + "\n")
    return "---\n".join(parts)


# --- Running the validator in-process ----------------------------------------------------------


def validate_bytes(raw: bytes, name: str = "job.yaml") -> Report:
    """`dli-flink validate` on one file holding `raw`, as the command runs it (minus the printing)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(raw)
        return validate([path], Config())


def assert_well_formed(report: Report) -> None:
    """What every user-facing report must satisfy, whatever the input."""
    assert report.unreadable == []
    assert report.files == 1
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.rule in RULES, finding
        assert finding.severity in (Severity.ERROR, Severity.WARNING), finding
        assert finding.message.strip(), finding
    for output in formats.names("validate"):
        assert formats.render("validate", output, report)


@SETTINGS
@given(yaml_texts())
def test_generated_yaml_never_crashes_the_validator(text: str) -> None:
    """JSON-like values and mutated jobs, dumped as YAML: findings, never an exception."""
    assert_well_formed(validate_bytes(text.encode()))


@SETTINGS
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_random_text_never_crashes_the_validator(text: str) -> None:
    """Arbitrary Unicode text (control characters included) is findings, never an exception."""
    assert_well_formed(validate_bytes(text.encode()))


YAMLISH = st.text(st.sampled_from(list("ab01.,:-?[]{}&*#|>'\"%@` \t\n")), max_size=200)
"""Text made of YAML's indicator characters, to reach the parser's corners faster than random text."""


@SETTINGS
@given(YAMLISH | st.binary(max_size=300))
def test_yaml_shaped_junk_and_random_bytes_never_crash_the_validator(junk: str | bytes) -> None:
    """Indicator soup and arbitrary bytes (invalid UTF-8, NUL) are findings, never an exception."""
    raw = junk.encode() if isinstance(junk, str) else junk
    assert_well_formed(validate_bytes(raw))


# --- The fast gate and the full validator ------------------------------------------------------


FULL = Draft202012Validator(schema.load_schema())
"""The reference: jsonschema, which `schema_problems` runs when the gate rejects a document."""


@SETTINGS
@given(doc=documents)
def test_fast_gate_never_accepts_what_jsonschema_rejects(doc: Any) -> None:
    """The direction that matters most: a gate that says valid wrongly would hide every finding."""
    if schema.is_valid(doc):
        assert FULL.is_valid(doc), [error.message for error in FULL.iter_errors(doc)]


@SETTINGS
@example(
    doc={
        "kind": "FlinkSqlJob",
        "name": "a",
        "queue": "q",
        "flinkVersion": "1.15\n",
        "sql": "SELECT 1",
    }
)
@given(doc=documents)
def test_fast_gate_agrees_with_jsonschema(doc: Any) -> None:
    """`schema.is_valid` is True exactly when jsonschema finds no error."""
    assert schema.is_valid(doc) == FULL.is_valid(doc)


# --- Positions ---------------------------------------------------------------------------------


def key_paths(job: dict[str, Any], path: KeyPath = ()) -> Iterator[KeyPath]:
    """Every key path of a job document, nested ones included."""
    for key, value in job.items():
        yield (*path, key)
        if isinstance(value, dict):
            yield from key_paths(value, (*path, key))


def replaced(job: dict[str, Any], path: KeyPath, value: Any) -> dict[str, Any]:
    """A copy of `job` with the value at `path` replaced."""
    copy = dict(job)
    if len(path) == 1:
        copy[path[0]] = value
    else:
        copy[path[0]] = replaced(copy[path[0]], path[1:], value)
    return copy


@SETTINGS
@given(valid_jobs())
def test_valid_job_round_trips_and_has_no_schema_finding(job: dict[str, Any]) -> None:
    """A valid job, written as YAML 1.2, reads back as the same data and gets no schema finding."""
    text, _ = emit(job)
    (document,) = load_documents(Path("job.yaml"), text)
    assert json.dumps(document.data, sort_keys=True) == json.dumps(job, sort_keys=True)
    report = validate_bytes(text.encode())
    assert [f for f in report.findings if f.rule in ("schema", "yaml-syntax")] == []


@st.composite
def jobs_with_one_wrong_value(draw: st.DrawFn) -> tuple[dict[str, Any], KeyPath, bool]:
    """A valid job with the value of one key (at any depth) replaced by one the schema rejects."""
    job = draw(valid_jobs())
    path = draw(st.sampled_from(list(key_paths(job))))
    wrong = draw(json_values | PATTERN_EDGES)
    broken = replaced(job, path, wrong)
    errors = list(FULL.iter_errors(broken))
    # Every error is about the value at `path` itself: not deeper inside `wrong`, not elsewhere,
    # and not an unknown or missing key inside it (those point at their own line, rightly).
    assume(errors)
    assume(all(tuple(error.absolute_path) == path for error in errors))
    assume(not any(e.validator in ("additionalProperties", "required") for e in errors))
    return broken, path, draw(st.booleans())


COMMENT_TEXT = st.text(
    st.characters(
        exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\ufeff\ufffe\uffff"
    ),
    max_size=20,
)
"""What a comment may hold: YAML 1.2's printable characters (spec 5.1, c-printable, which leaves
out U+FFFE and U+FFFF), less line breaks and the byte order mark. A comment with any other
character is a yaml-syntax finding at that character (test_cli.py), not a comment."""


@st.composite
def layouts(draw: st.DrawFn, text: str) -> tuple[str, dict[int, int]]:
    """`text` as people also write it: comment and blank lines between the keys, and CRLF or LF
    line ends; with the map from each original line number to its new one."""
    lines, moved = [], {}
    for number, line in enumerate(text.splitlines(), 1):
        for _ in range(draw(st.integers(0, 2))):
            indent = " " * draw(st.integers(0, 4))
            lines.append(draw(st.sampled_from(["", indent + "#" + draw(COMMENT_TEXT)])))
        moved[number] = len(lines) + 1
        lines.append(line + draw(st.sampled_from(["", "  # " + draw(COMMENT_TEXT)])))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + end, moved


@SETTINGS
@given(jobs_with_one_wrong_value(), st.data())
def test_schema_finding_points_at_the_broken_key(
    case: tuple[dict[str, Any], KeyPath, bool], data: st.DataObject
) -> None:
    """The schema finding is on the line of the key whose value is wrong (or, for a value written
    in block style, on the line where that value starts), and on no other line; comments, blank
    lines and CRLF line ends do not move it."""
    broken, path, flow = case
    text, where = emit(broken, flow={path} if flow else set())
    text, moved = data.draw(layouts(text))
    report = validate_bytes(text.encode())
    findings = [f for f in report.findings if f.rule == "schema"]
    assert findings, text
    expected = {moved[line] for line in where[path]}
    assert {f.line for f in findings} <= expected, (path, findings, text)
