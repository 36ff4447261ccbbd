"""The fast path (model.source.fast_data, yaml-rs) against the node path (load_documents, libyaml
with YAML 1.2 core tags): on any text, the fast path gives exactly the node path's data (same types,
same values, same key order) or defers. A differential property test, because yaml-rs is young
(issue 14): the generated texts mix what job files hold with what YAML parsers disagree on (number
forms, booleans of YAML 1.1, block scalars and their chomping, quoting and escapes, flow
collections, comments, duplicate keys, document markers, Unicode line separators).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from dli_flink.model import source
from dli_flink.model.source import SourceError, fast_data, load_documents
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.importorskip("yaml_rs")

SETTINGS = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TRICKY = [
    *("0755", "0x1F", "0X1F", "+0x1F", "-0o7", "0o17", "0b101", "1_000", "_1", "1__0", "1_"),
    *("00", "-0", "+1", "1.", ".5", "1e3", "1E3", "1.e3", "1e", ".e3", "+.inf", "-.Inf", ".NaN"),
    *(".nan", ".INF", "1.0e+3", "5" * 30, "12:30", "1:20:30", "2024-01-01", "2001-12-14t21:59:43"),
    *("yes", "No", "on", "OFF", "y", "n", "true", "True", "TRUE", "tRue", "false", "null", "Null"),
    *("NULL", "~", "nUll", "=", "<<", "-", "--", "---", "...", "?", "a: b", "'q'", '"q"', "a#b"),
    *("a #b", "[]", "{}", "[1, 2]", "{a: 1}", "!!str 1", "!x 1", "&a 1", "*a", "|", ">", "%x"),
    *("\u2028", "x\u2029y", "\x85", "é", "中文", "\t", "\\n", "@x", "`x", "%", "1,000", "0.0_1"),
    *("\x01x", "\x7f", "x\ufeff", "\x9f"),
]
"""Plain scalars (as written) that YAML parsers read differently, or that are YAML syntax."""

GUARDED = {"0x1F", "0X1F", "+0x1F", "-0o7", "0o17", "0b101", "1_000", "_1", "1__0", "1_", "<<"}
GUARDED |= {"-", "?", "a: b", "!!str 1", "!x 1", "&a 1", "*a", "%x", "\t", "\\n", "@x", "`x", "%"}
GUARDED |= {"0.0_1", "\x01x", "\x7f", "x\ufeff", "\x9f"}
"""The tokens the fast path's guards refuse (so the node path reads their file)."""
PASSING = [token for token in TRICKY if token not in GUARDED]
plain_tokens = (
    st.sampled_from(PASSING * 12 + sorted(GUARDED))
    | st.from_regex(r"\A[-+]?[0-9.]{1,6}([eE][-+]?[0-9]{1,3})?\Z")
    | st.from_regex(r"\A[-+]?[0-9_.]{1,6}([eE][-+]?[0-9_]{1,3})?\Z")
)
"""Mostly tokens the guards let through, so that yaml-rs reads most generated files."""
keys = st.sampled_from(
    ["kind", "name", "a", "b", "sql", "1", "true", "a b", "k-1"] * 4 + ["~", "<<"]
)
escapes = st.sampled_from(
    ["\\n", "\\t", "\\x41", "\\u263a", "\\/", "\\N", "\\_", "\\L", "\\e", " "]
)


@st.composite
def scalars(draw: st.DrawFn, indent: str) -> str:
    """A scalar as written after `key:`: plain, quoted, or a block scalar on the next lines."""
    kind = draw(st.sampled_from(["plain", "plain", "single", "double", "block"]))
    if kind == "plain":
        return " " + draw(plain_tokens)
    if kind == "single":
        return " '" + draw(st.text("ab 'é#:\u2028", max_size=8)).replace("'", "''") + "'"
    if kind == "double":
        parts = draw(
            st.lists(st.sampled_from(["a", " ", "é", ":", "#", "a", "'"]) | escapes, max_size=5)
        )
        return ' "' + "".join(parts) + '"'
    header = draw(st.sampled_from(["|", ">", "|-", "|+", ">-", ">+", "|2", ">1"]))
    lines = draw(
        st.lists(st.sampled_from(["x", "y z", "", "  indented", "#no comment"]), max_size=4)
    )
    trailer = draw(st.sampled_from(["", "\n"]))
    return f" {header}\n" + "".join(f"{indent}  {line}\n" for line in lines).rstrip("\n") + trailer


@st.composite
def documents(draw: st.DrawFn, indent: str = "", depth: int = 0) -> str:
    """A block mapping of generated keys and values, with comments and blank lines."""
    lines = []
    for key in draw(st.lists(keys, min_size=1, max_size=5, unique=draw(st.integers(0, 5)) > 0)):
        shape = draw(st.sampled_from(["scalar", "scalar", "flow", "nested", "list", "comment"]))
        if shape == "comment":
            lines.append(f"{indent}# {draw(plain_tokens)}")
            continue
        if shape == "nested" and depth < 2:
            lines.append(f"{indent}{key}:\n" + draw(documents(indent + "  ", depth + 1)))
        elif shape == "list":
            items = draw(st.lists(plain_tokens, min_size=1, max_size=3))
            lines.append(f"{indent}{key}:\n" + "\n".join(f"{indent}- {item}" for item in items))
        elif shape == "flow":
            items = draw(st.lists(plain_tokens, max_size=3))
            if draw(st.booleans()):
                lines.append(f"{indent}{key}: [{', '.join(items)}]")
            else:
                pairs = ", ".join(
                    f"{k}: {v}"
                    for k, v in zip(draw(st.permutations(list(keys_list))), items, strict=False)
                )
                lines.append(f"{indent}{key}: {{{pairs}}}")
        else:
            lines.append(f"{indent}{key}:{draw(scalars(indent))}")
    return "\n".join(lines)


keys_list = ["kind", "name", "a", "b", "sql", "1", "true", "~"]


def node_path(text: str) -> list[Any] | SourceError:
    try:
        return [document.data for document in load_documents(Path("x.yaml"), text)]
    except SourceError as error:
        return error


def assert_same_or_deferred(text: str) -> None:
    fast = fast_data(text)
    if fast is None:
        return
    nodes = node_path(text)
    assert not isinstance(nodes, SourceError), f"fast path read what the node path refuses: {nodes}"
    assert len(nodes) == 1, "fast path read a text that is not one document"
    assert repr(fast) == repr(nodes[0])  # repr: the types, the key order, nan and -0.0 too


@SETTINGS
@given(documents(), st.sampled_from(["\n", "\n", "\n\n", "  \n", "\n# end\n", "", "\n# end"]))
@example("kind: FlinkSqlJob\nname: a\nflinkVersion: 1.15\nresources: {cu: 0755}", "\n")
@example("a: 1\n'a': 2", "")
@example("a: |\n  x\n\n", "")
def test_fast_path_reads_generated_documents_as_the_node_path_does(body: str, end: str) -> None:
    assert_same_or_deferred(body + end)


@SETTINGS
@given(st.text(st.sampled_from(list(":-?[]{},#&*!|>'\"%@` \n\tx1._e+\u2028\\")), max_size=40))
def test_fast_path_defers_on_whatever_the_node_path_reads_otherwise(text: str) -> None:
    assert_same_or_deferred(text)


FRAGMENTS = [
    *("a:", "b: c", "- ", "- x", "[", "]", "{", "}", ", ", "'", '"', " # c", "|", ">", "|-", ">+"),
    *("x y", ": ", "1", "0755", "1e3", ".5", "~", "null", "yes", "true", "é", "\u2028", "  ", "-1"),
    *("k: [a, b]", "k: {a: 1}", "k: 'x''y'", 'k: "a b"', "k: x:y", "k: a #b", "---", "\\"),
]
"""Pieces of YAML lines, put together at random indentations: shapes a grammar would not write
(flow collections across lines, plain scalars over several lines, odd indentation)."""


@st.composite
def line_soup(draw: st.DrawFn) -> str:
    lines = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["", " ", "  ", "    "]),
                st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return "\n".join(indent + "".join(parts) for indent, parts in lines) + "\n"


@SETTINGS
@given(line_soup())
def test_fast_path_defers_on_line_soup_the_node_path_reads_otherwise(text: str) -> None:
    assert_same_or_deferred(text)


ALPHABETS = {
    "block": [
        "a",
        ":",
        " ",
        "\n",
        "-",
        "#",
        "'",
        '"',
        "1",
        ".",
        "e",
        "x: ",
        "- ",
        "\u2028",
        "é",
        "|",
    ],
    "flow": ["{", "}", ",", ":", " ", "a", "[", "]", "\n", "- ", '"', "é", "~", "b: ", ">"],
    "scalars": ["a", ": ", "\n", "  ", "- ", "#", " ", "|", ">", "-", "+", "2", "b", "'", "\n\n"],
}
"""Pieces whose every sequence (up to four) after `k: ` is tried: the corners where yaml-rs and
libyaml were found to differ (colons and block indicators in flow collections, block scalars at
the end of the file, empty values) are sequences of these."""


@pytest.mark.parametrize("alphabet", ALPHABETS)
def test_fast_path_agrees_on_every_short_sequence(alphabet: str) -> None:
    differing = []
    for size in range(1, 5):
        for parts in itertools.product(ALPHABETS[alphabet], repeat=size):
            text = "k: " + "".join(parts) + "\n"
            fast = fast_data(text)
            if fast is not None:
                nodes = node_path(text)
                if isinstance(nodes, SourceError) or [repr(fast)] != list(map(repr, nodes)):
                    differing.append(text)
    assert differing == []


@pytest.mark.parametrize(
    "text",
    [
        "a: 0b101",
        "a: 1_000",
        "a: +0x1F",
        "a: !!str 1",
        "b: &x {c: 1}\na:\n  <<: *x",
        "a: 1\n---\nb: 2",
        "a: 1\na: 2",
        "a:\tb",
        "a: \x01",
        "a: 2024-01-01",  # yaml-rs is asked for strings; the node path reads a string too
    ],
)
def test_fast_path_defers_or_agrees_on_known_differences(text: str) -> None:
    assert_same_or_deferred(text)


def test_the_ascii_guard_refuses_exactly_what_the_full_one_refuses() -> None:
    """An ASCII text is checked with a shorter character class (source._SPECIAL_ASCII)."""
    full = [chr(code) for code in range(128) if source._unprintable().search(chr(code))]
    short = [chr(code) for code in range(128) if source._SPECIAL_ASCII.search(chr(code))]
    assert short == full
    assert {"\x00", "\t", "\r", "!", "&", "?", "\\", "\x7f"} <= set(full)
    assert not {"\n", " ", "a", ":", "-", "#", "[", "]", "{", "}", "|", ">", "'", '"'} & set(full)
