"""Document edits as splices of the file's own text, located by ruamel.yaml's node positions.

Why not load with ruamel's round trip and dump it again: the dump is not the file byte for byte in
every case (sequence indentation, spacing inside flow mappings, long lines folded, a comment moved),
and `dli-flink fix` promises that nothing but the fixed value changes. So ruamel composes the node
tree, each node knowing where it starts and ends in the text, and each edit becomes a splice of the
original text there: a value replaced in its own quoting style, a key renamed, an entry inserted
with its siblings' indentation and the file's line ending, an entry's lines removed.

What cannot be done with certainty is refused (None) and the finding stays for the user: a value
behind an anchor or alias (the edit would change every place that uses it), a mapping with a merge
key, a block or tagged scalar, a key that does not start its line. Comments stay, but for one on a line that is removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dli_flink.fix.edits import Edit, Quote, Remove, Rename, Set
from dli_flink.model import fields
from dli_flink.model.findings import Path

_MERGE = "tag:yaml.org,2002:merge"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_PLAIN_KEY = re.compile(r"[A-Za-z_][\w.\-]*")
"""Keys and words written plain: what the schema's keys and DLI's runtime keys look like."""
_COMMENT_GAP = re.compile(r" +(?=#)")
_SPECIAL_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


class Splice(NamedTuple):
    """Replace text[start:end] with `text` (an insertion when start == end)."""

    start: int
    end: int
    text: str


class Change(NamedTuple):
    """An edit as text and as data: its splices, and the plain-data edits they amount to."""

    splices: tuple[Splice, ...]
    data: tuple[Set | Rename | Remove, ...]


class UnreadableText(Exception):
    """ruamel.yaml cannot compose the file (or it breaks lines with a bare CR): nothing is fixed."""


def spliced(text: str, splices: Iterable[Splice]) -> str:
    """`text` with non-overlapping splices applied (from the end, so offsets stay valid)."""
    for splice in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
        text = text[: splice.start] + splice.text + text[splice.end :]
    return text


def overlap(ours: Iterable[Splice], theirs: Iterable[Splice]) -> bool:
    """Whether two groups of splices touch the same text (two insertions at one point count: their
    order would be a guess)."""
    taken = list(theirs)
    return any(a.start <= b.end and b.start <= a.end for a in ours for b in taken)


class FileText:
    """A file's text and its documents' node trees, to turn document edits into splices."""

    def __init__(self, text: str) -> None:
        if "\r" in text.replace("\r\n", ""):
            raise UnreadableText("a bare CR line break")
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        try:
            nodes = list(YAML(typ="safe", pure=True).compose_all(text))
        except YAMLError as error:
            raise UnreadableText(str(error).splitlines()[0]) from None
        self.roots: list[Node] = [node for node in nodes if not _is_empty(node)]
        """Each document's root node, as many and in the order `model/source.load_documents`
        yields them (it skips empty documents too)."""

    def change(self, document: int, edit: Edit) -> Change | None:
        """The splices that make `edit` in the document, or None when it cannot be made safely."""
        root = self.roots[document] if document < len(self.roots) else None
        if not isinstance(root, MappingNode) or not edit.path:
            return None
        found = _walk(root, edit.path)
        if found is None:
            return None
        mapping, depth, entry = found
        if isinstance(edit, Set):
            if entry is None:
                return self._insert(mapping, edit.path, depth, edit.value)
            return self._replace(entry[1], edit)
        if entry is None:
            return None
        if isinstance(edit, Rename):
            return self._rename(mapping, entry[0], edit)
        if isinstance(edit, Quote):
            return self._quote(entry[1], edit.path)
        return self._remove(root, mapping, entry, edit.path)

    # -- one edit each ----------------------------------------------------------------------------

    def _replace(self, node: Node, edit: Set) -> Change | None:
        if not isinstance(node, ScalarNode) or not self._plainly_written(node):
            return None
        if isinstance(edit.value, str):
            text = _quoted(edit.value, node.style if node.style in ("'", '"') else '"')
        else:
            text = _scalar(edit.value)
        return Change((self._aligned(node.start_mark.index, node.end_mark.index, text),), (edit,))

    def _rename(self, mapping: MappingNode, key: ScalarNode, edit: Rename) -> Change | None:
        if _entry(mapping, edit.key) or not self._plainly_written(key):
            return None
        if not _PLAIN_KEY.fullmatch(edit.key):
            return None
        text = _quoted(edit.key, key.style) if key.style in ("'", '"') else edit.key
        start, end = key.start_mark.index, key.end_mark.index
        value = _entry(mapping, key.value)[1]  # type: ignore[index]
        if isinstance(value, ScalarNode) and "\n" not in self.text[end : value.end_mark.index]:
            text += self.text[end : value.end_mark.index]  # so a comment after it keeps its column
            end = value.end_mark.index
        return Change((self._aligned(start, end, text),), (edit,))

    def _quote(self, node: Node, path: Path) -> Change | None:
        if not isinstance(node, ScalarNode) or node.style is not None or node.tag not in _NUMBERS:
            return None
        if not self._plainly_written(node):
            return None
        quoted = _quoted(node.value, '"')
        splice = self._aligned(node.start_mark.index, node.end_mark.index, quoted)
        return Change((splice,), (Set(path, node.value),))

    def _insert(self, mapping: MappingNode, path: Path, depth: int, value: Any) -> Change | None:
        """Write the missing key path[depth] into `mapping`, holding path[depth + 1:] = value."""
        key, nested = path[depth], value
        for inner in reversed(path[depth + 1 :]):
            nested = {inner: nested}
        if not isinstance(key, str) or not _PLAIN_KEY.fullmatch(key):
            return None
        rank = _ranker(path[:depth])
        if mapping.flow_style:
            splice = self._insert_flow(mapping, key, nested)
        else:
            splice = self._insert_block(mapping, key, nested, rank)
        return None if splice is None else Change((splice,), (Set(path, value),))

    def _insert_flow(self, mapping: MappingNode, key: str, value: Any) -> Splice | None:
        entry = f"{key}: {_flow(value)}"
        if mapping.value:
            end = mapping.value[-1][1].end_mark.index
            return Splice(end, end, ", " + entry)
        start = mapping.start_mark.index
        if self.text[start : start + 1] != "{":
            return None
        return Splice(start + 1, start + 1, entry)

    def _insert_block(self, mapping: MappingNode, key: str, value: Any, rank: Any) -> Splice | None:
        """After the nearest entry the field table puts before `key`; else above the first entry."""
        if not mapping.value:
            return None
        first_key = mapping.value[0][0]
        indent = " " * first_key.start_mark.column
        lines = self.newline.join(_block(key, value, indent, self._indent_unit()))
        before = [(rank(k.value), i) for i, (k, _) in enumerate(mapping.value)]
        earlier = [order for order in before if order[0] <= rank(key)]
        if not earlier:
            start = self._line_start_of(first_key)
            return None if start is None else Splice(start, start, lines + self.newline)
        after = mapping.value[max(earlier)[1]][1]
        end = self._entry_end(after)
        if end == len(self.text) and not self.text.endswith("\n"):
            return Splice(end, end, self.newline + lines)
        return Splice(end, end, lines + self.newline)

    def _remove(
        self, root: MappingNode, mapping: MappingNode, entry: tuple[Node, Node], path: Path
    ) -> Change | None:
        key, value = entry
        entries = mapping.value
        index = next(i for i, (k, _) in enumerate(entries) if k is key)
        if mapping.flow_style:
            if index + 1 < len(entries):
                splice = Splice(key.start_mark.index, entries[index + 1][0].start_mark.index, "")
            elif index > 0:
                splice = Splice(entries[index - 1][1].end_mark.index, value.end_mark.index, "")
            else:
                splice = Splice(key.start_mark.index, value.end_mark.index, "")
            return Change((splice,), (Remove(path),))
        start = self._line_start_of(key)
        if start is None:
            return None
        end = self._entry_end(value)
        if end == len(self.text) and not self.text.endswith("\n"):
            while start > 0 and self.text[start - 1] in "\r\n":  # the file keeps ending without
                start -= 1  # a line break: the ones before the removed last line go with it
        splices = [Splice(start, end, "")]
        if len(entries) == 1:  # the block left would read as null: it becomes `key: {}`
            parent = _walk(root, path[:-1]) if len(path) > 1 else None
            if parent is None or parent[2] is None:
                return None
            colon = parent[2][0].end_mark.index
            if self.text[colon : colon + 1] != ":":
                return None
            splices.append(Splice(colon + 1, colon + 1, " {}"))
        return Change(tuple(splices), (Remove(path),))

    # -- where things are -------------------------------------------------------------------------

    def _aligned(self, start: int, end: int, text: str) -> Splice:
        """Replace text[start:end] on one line, keeping a comment after it in its column: people
        line their comments up, and a longer value would push one out of line."""
        gap = _COMMENT_GAP.match(self.text, end)
        if gap is None:
            return Splice(start, end, text)
        spaces = len(gap.group()) - (len(text) - (end - start))
        if spaces < 1:
            spaces = len(gap.group())
        return Splice(start, gap.end(), text + " " * spaces)

    def _plainly_written(self, node: ScalarNode) -> bool:
        """A one-line plain or quoted scalar with no anchor or tag: its text is all its span."""
        written = self.text[node.start_mark.index : node.end_mark.index]
        if node.anchor is not None or "\n" in written or node.style not in (None, "'", '"'):
            return False
        return written == node.value if node.style is None else written[:1] == node.style

    def _line_start_of(self, key: Node) -> int | None:
        """Where the line of `key` starts, if the key is the first thing on it."""
        start = self.text.rfind("\n", 0, key.start_mark.index) + 1
        return start if self.text[start : key.start_mark.index].strip(" ") == "" else None

    def _entry_end(self, value: Node) -> int:
        """Just past the line break that ends an entry's value (past a comment on its last line).

        Block collections end where the next token starts, after any comments that follow them, so
        their last value is followed instead, down to a scalar or a flow collection, whose end is
        exact; a block scalar's trailing line breaks are stepped back over.
        """
        node = value
        while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(node, MappingNode) else last
        end = node.end_mark.index
        while end > value.start_mark.index and self.text[end - 1] in " \t\r\n":
            end -= 1
        newline = self.text.find("\n", end)
        return len(self.text) if newline < 0 else newline + 1

    def _indent_unit(self) -> str:
        """The document's indentation step (of its first nested block mapping), default two."""
        for root in self.roots:
            for key, value in root.value if isinstance(root, MappingNode) else ():
                if isinstance(value, MappingNode) and not value.flow_style and value.value:
                    step = value.value[0][0].start_mark.column - key.start_mark.column
                    if step > 0:
                        return " " * step
        return "  "


def _walk(
    root: MappingNode, path: Path
) -> tuple[MappingNode, int, tuple[Node, Node] | None] | None:
    """The deepest mapping on `path`, how many keys of it lead there, and the entry of the next key
    (None when that key is not written). None when the path crosses something not to be edited."""
    mapping = root
    for depth, key in enumerate(path):
        if mapping.anchor is not None or any(k.tag == _MERGE for k, _ in mapping.value):
            return None
        entry = _entry(mapping, key)
        if entry is None or depth == len(path) - 1:
            return mapping, depth, entry
        if not isinstance(entry[1], MappingNode):
            return None
        mapping = entry[1]
    return None


def _entry(mapping: MappingNode, key: Any) -> tuple[Node, Node] | None:
    return next(
        ((k, v) for k, v in mapping.value if isinstance(k, ScalarNode) and k.value == key), None
    )


def _ranker(prefix: Path) -> Any:
    """Sort key of the keys of the block at `prefix`: field-table order, keys it lacks last."""
    order: dict[str, int] = {}
    for row in fields.TABLE.rows:
        parts = row.path.split(".")
        if tuple(parts[: len(prefix)]) == prefix and len(parts) > len(prefix):
            order.setdefault(parts[len(prefix)], len(order))
    return lambda key: order.get(key, len(order))


def _block(key: str, value: Any, indent: str, unit: str) -> Iterator[str]:
    if isinstance(value, dict):
        yield f"{indent}{key}:"
        for inner, inner_value in value.items():
            yield from _block(inner, inner_value, indent + unit, unit)
    else:
        yield f"{indent}{key}: {_scalar(value)}"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _scalar(value: Any) -> str:
    """A new value as YAML that reads back as exactly it (a string that looks like anything else is
    quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    plain = _PLAIN_KEY.fullmatch(value) and value.lower() not in _SPECIAL_WORDS
    return value if plain else _quoted(value, '"')


def _quoted(value: str, style: str) -> str:
    """`value` in single or double quotes; JSON's escapes are YAML's too."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "" and node.tag.endswith(":null")
