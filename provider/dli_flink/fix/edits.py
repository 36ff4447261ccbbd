"""What a rule's fix asks for: edits of a job document by path, never of its text.

A rule knows what the document should say (`checkpoint.enabled: true`); where that sits in the file
and how the file writes it is the text editor's business (`fix/text.py`), so rules stay free of YAML
layout. Every edit also applies to plain data (`apply`): that is how a fix is checked, since the
edited file must read back as exactly the original data with the edits applied, or it is not written.

NamedTuples, as `rules/base.Option`: the rule modules import this module on the validator's path, so
it must cost next to nothing to define (no dataclasses, no YAML library, `copy` only in `apply`).
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles each string annotation
# of its fields; the NamedTuples of findings, fields, rules/base and fix/edits cost 2 ms more of
# every validate run's start-up with it.
from typing import Any, NamedTuple

from dli_flink.model.findings import Path
from dli_flink.model.values import wire_string


class Set(NamedTuple):
    """Give the key at `path` this scalar value, writing the key (and its block) when it is missing."""

    path: Path
    value: bool | int | str


class Rename(NamedTuple):
    """Rename the key at `path`, keeping its value and its place."""

    path: Path
    key: str


class Remove(NamedTuple):
    """Remove the key at `path` and its value (a block left empty goes with it)."""

    path: Path


class Quote(NamedTuple):
    """Quote the plain scalar at `path` as it is written: `1.10` becomes `"1.10"`, a string, where
    reading it as a number would lose the written digits (1.10 is the float 1.1)."""

    path: Path


Edit = Set | Rename | Remove | Quote


def written(path: Path, value: bool | int) -> bool | int | str:
    """`value` as the document writes it at `path`: a raw flink.dli.job.* key in runtimeConfig holds
    DLI's string form ("8"), the scaling block the typed value (8)."""
    return wire_string(value) if path[0] == "runtimeConfig" else value


def apply(data: Any, edits: list[Set | Rename | Remove]) -> Any:
    """A copy of `data` (one document) with the edits applied, as the edited text must read back.

    Quote has no data form of its own: the text editor turns it into the Set of the written text.
    """
    import copy  # here: with weakref, 1.7 ms of every validate run, which never applies a fix

    data = copy.deepcopy(data)
    for edit in edits:
        *parents, last = edit.path
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if isinstance(edit, Set):
            node[last] = edit.value
        elif isinstance(edit, Rename):
            items = [(edit.key if key == last else key, value) for key, value in node.items()]
            node.clear()
            node.update(items)
        else:
            del node[last]
    return data
