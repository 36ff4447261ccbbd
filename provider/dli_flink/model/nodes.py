"""The node path of reading job YAML: libyaml composes nodes that carry their start marks, and
`_build` turns them into plain data with YAML 1.2 core tags; the nodes stay with each Document for
exact line:column. See model/source.py for why, and for the fast path that spares most files this
one (this module, and PyYAML with it, is imported only when a file needs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from dli_flink.model.findings import quoted, shown
from dli_flink.model.source import (
    MAX_ALIAS_CHARS,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    Document,
    SourceError,
    deep,
)

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: the same results, slower
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


_CORE12_SCALARS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
"""First character -> (tag, pattern) candidates: YAML 1.2 core schema, plus `<<` merge keys."""


def _implicit(tag: str, pattern: str, first: str) -> None:
    regexp = re.compile(pattern)
    for char in first:
        _CORE12_SCALARS.setdefault(char, []).append((f"tag:yaml.org,2002:{tag}", regexp))


_implicit("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_implicit("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789")
_implicit(
    "float",
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+0123456789.",
)
_implicit("null", r"^(?:~|null|Null|NULL|)$", "~nN")
_CORE12_SCALARS[""] = [("tag:yaml.org,2002:null", re.compile(""))]
_implicit("merge", r"^<<$", "<")


class _Core12Resolver(BaseResolver):
    """YAML 1.2 core schema tags, looked up by first character.

    libyaml calls `resolve` for every node from C; PyYAML's generic version walks path resolvers
    and every implicit resolver, which was a third of the time of reading a typical job file.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers here: skip PyYAML's bookkeeping, called for every node."""

    def ascend_resolver(self) -> None:
        """See descend_resolver."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            for tag, regexp in _CORE12_SCALARS.get(value[:1], ()):  # type: ignore[index]
                if regexp.match(value):  # type: ignore[arg-type]
                    return tag
        if kind is ScalarNode:
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))
_MERGE = "tag:yaml.org,2002:merge"


def _int(text: str) -> int:
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    digits = text.lstrip("+-")
    if digits.isdigit() and len(digits) > 4000:  # Python refuses int() past 4300 digits
        raise ValueError(f"number with {len(digits)} digits is too long")
    return int(text)


def _float(text: str) -> float:
    lowered = text.lower()
    return float(lowered.replace(".", "", 1) if lowered.endswith(("inf", "nan")) else lowered)


def _bool(text: str) -> bool:
    return {"true": True, "false": False}[text.lower()]


_SCALARS: dict[str, Any] = {
    _STR: str,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:bool": _bool,
    "tag:yaml.org,2002:null": lambda text: None,
}


def _build(node: Node, built: dict[int, Any], restore: dict[int, int] | None = None) -> Any:
    """Plain data from a composed node: YAML 1.2 core types, unique keys, merge keys.

    Written for job documents instead of PyYAML's general SafeConstructor, which costs about four
    times as much per node. Depth is already bounded (see `load_documents`), so recursion is safe;
    `built` maps aliased nodes to their one Python object; `restore` undoes `_mask_breaks`.
    """
    if type(node) is ScalarNode:
        convert = _SCALARS.get(node.tag)
        if convert is None:
            raise _error(
                node, f"unsupported tag {shown(node.tag)}: job documents use plain YAML values"
            )
        try:
            return convert(node.value if restore is None else node.value.translate(restore))
        except (ValueError, KeyError) as error:
            reason = (
                str(error)
                if "too long" in str(error)
                else f"cannot read {quoted(node.value)} as {shown(node.tag)}"
            )
            raise _error(node, reason) from None
    if id(node) in built:
        return built[id(node)]
    if type(node) is SequenceNode:
        if node.tag != _SEQ:
            raise _error(node, f"unsupported tag {shown(node.tag)}: use a plain list")
        items: list[Any] = []
        built[id(node)] = items
        items.extend(_build(child, built, restore) for child in node.value)
        return items
    if node.tag != _MAP:
        raise _error(node, f"unsupported tag {shown(node.tag)}: use a plain mapping")
    mapping: dict[Any, Any] = {}
    built[id(node)] = mapping
    lines: dict[Any, int] = {}
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if type(key_node) is not ScalarNode:
            raise _error(key_node, "keys must be plain words or numbers, not lists or mappings")
        if key_node.tag == _MERGE:
            merged.extend(value_node.value if type(value_node) is SequenceNode else [value_node])
            continue
        key = _build(key_node, built, restore)
        if key in lines:
            raise _error(
                key_node,
                f"duplicate key {quoted(key)} (first on line {lines[key]}): keys must be unique",
            )
        lines[key] = key_node.start_mark.line + 1
        mapping[key] = _build(value_node, built, restore)
    for source in merged:  # `<<: *base`: keys written here win, then the first source listed
        if type(source) is not MappingNode:
            raise _error(source, "a merge key (<<) takes a mapping or a list of mappings")
        for key, value in _build(source, built, restore).items():
            mapping.setdefault(key, value)
    return mapping


def _error(node: Node, problem: str) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)


class _Loader(_Parser, _Core12Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Core12Resolver.__init__(self)


def child(node: Node, key: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        return _index(node).get(key)
    if isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


def _index(node: MappingNode) -> dict[Any, tuple[Node, Node]]:
    """Key -> (key node, value node) of a mapping, its merged keys (`<<: *base`) included at the
    place they are written, with `_build`'s precedence: keys written here, then each source in turn.

    Built once per mapping, so N lookups in it cost N, not N squared. Merges cannot loop: the
    loader refuses an alias that refers to itself before anything asks for a position.
    """
    index = node.__dict__.get("_dli_index")
    if index is None:
        index = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(
                    value_node.value if type(value_node) is SequenceNode else [value_node]
                )
            elif isinstance(key_node, ScalarNode):
                index.setdefault(key_node.value, (key_node, value_node))
        for source in merged:
            if type(source) is MappingNode:
                for key, pair in _index(source).items():
                    index.setdefault(key, pair)
        node.__dict__["_dli_index"] = index
    return index


def load_documents(path: FilePath, text: str) -> Iterator[Document]:
    """Every document of `text`, or SourceError at the first thing that is not readable YAML."""
    if deep(text):
        _check_depth(text)
    text, restore = _mask_breaks(text)
    # An alias needs an anchor: no `&`, nothing to expand.
    expansion = _Expansion() if "&" in text else None
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if expansion is not None:
                expansion.check(node)
            if _is_empty(node):
                continue  # a `---` with nothing after it, as a file may end
            data = _build(node, {}, restore)
            yield Document(path, index, data, node)
            index += 1
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(f"YAML syntax: {problem}", line, column) from None
    except yaml.reader.ReaderError as error:
        raise _unprintable(text, error) from None
    except yaml.YAMLError as error:
        raise SourceError(f"YAML syntax: {error}") from None
    except RecursionError:
        raise SourceError("YAML nesting too deep to read") from None
    finally:
        loader.dispose()


_YAML11_BREAKS = "\u2028\u2029\x85"


def _mask_breaks(text: str) -> tuple[str, dict[int, int] | None]:
    """Hide U+2028, U+2029 and U+0085 from libyaml, which breaks lines at them (YAML 1.1).

    In YAML 1.2 they are ordinary characters (word processors paste U+2028 into descriptions):
    swapped for private-use characters the text does not hold, lines and columns stay right, and
    `_build` puts them back into the strings.
    """
    present = [c for c in _YAML11_BREAKS if c in text]
    if not present:
        return text, None
    spare = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    mask = {ord(c): ord(next(spare)) for c in present}
    return text.translate(mask), {new: old for old, new in mask.items()}


def _is_empty(node: Node) -> bool:
    """A document with no content at all (not even an explicit `null`)."""
    return isinstance(node, ScalarNode) and node.value == "" and node.tag.endswith(":null")


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, walking libyaml's flat event stream (no recursion)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise SourceError(
                        f"nesting deeper than {MAX_DEPTH} levels: not a job document",
                        mark.line + 1,
                        mark.column + 1,
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the composer reports it with its position


class _Expansion:
    """What aliases add to one file, over its documents, checked as each document is composed.

    libyaml composes an alias as the very node its anchor names, so a node reached again from another
    parent is a use of an alias, which repeats its whole tree. Sizes (nodes, characters) are memoised
    per node: the walk is linear in the file. A file without aliases adds nothing, however large.
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.chars = 0

    def check(self, root: Node) -> None:
        """Count the aliases of one document; SourceError for a budget passed, or an alias that
        refers to itself."""
        sizes: dict[int, tuple[int, int]] = {}
        reached: set[int] = set()
        on_path: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            if children_done:
                on_path.discard(key)
                self._complete(node, sizes, reached)
                continue
            if key in sizes:
                continue
            if key in on_path:
                raise _source_error(node, "an alias refers to itself")
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)

    def _complete(self, node: Node, sizes: dict[int, tuple[int, int]], reached: set[int]) -> None:
        nodes, chars = 1, len(node.value) if isinstance(node, ScalarNode) else 0
        for child in _children(node):
            child_nodes, child_chars = sizes[id(child)]
            nodes, chars = nodes + child_nodes, chars + child_chars
            if id(child) in reached:  # a second parent: an alias, repeating the child's tree
                self.nodes, self.chars = self.nodes + child_nodes, self.chars + child_chars
            reached.add(id(child))
        sizes[id(node)] = nodes, chars
        if self.nodes > MAX_ALIAS_NODES:
            raise _source_error(
                node,
                f"aliases repeat more than {MAX_ALIAS_NODES:,} nodes in this file (an alias "
                "bomb?): write the values out or use fewer aliases",
            )
        if self.chars > MAX_ALIAS_CHARS:
            raise _source_error(
                node,
                f"aliases repeat more than {MAX_ALIAS_CHARS // 1024} KiB of text in this file (an "
                "alias bomb?): write the values out or use fewer aliases",
            )


def _source_error(node: Node, message: str) -> SourceError:
    mark = node.start_mark
    return SourceError(message, mark.line + 1, mark.column + 1)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _unprintable(text: str, error: yaml.reader.ReaderError) -> SourceError:
    """PyYAML's reader refuses the whole text for one character YAML 1.2 does not allow (spec 5.1,
    c-printable), with its offset in characters and no line: give its line and column."""
    at = error.position
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    code = f"{error.character:04X}" if isinstance(error.character, int) else "?"
    return SourceError(
        f"YAML syntax: character U+{code} is not allowed in YAML text (YAML 1.2 takes printable "
        f"characters only): delete it, or write it as \\u{code} in a double-quoted string",
        line,
        column,
    )
