"""Reading job YAML: documents as plain data, with the node tree kept for exact line:column where a
file has findings.

Why this shape: validation must be fast on a thousand files and exact on the few with findings.
libyaml (PyYAML's C parser) composes nodes that carry their start marks at C speed, so the same parse
gives the data and, only when a finding needs it, the position: nothing is parsed twice.

The tags follow YAML 1.2's core schema (what yaml-language-server and ruamel.yaml use), not PyYAML's
YAML 1.1 defaults: `off`, `yes` and `no` are strings, `0755` is decimal. Merge keys (`<<: *base`) are
kept, as most YAML tools keep them.

Most job files are read faster still: `fast_data` reads a file with yaml-rs (a Rust YAML 1.2 parser,
about ten times as fast as composing nodes) when it passes cheap guards. Anything the two parsers
could read differently (number forms such as `0x1F`, `0b101` or `1_000`, tags, anchors and merge
keys, several documents, tabs, escapes, control characters, input deep enough for the depth check)
is refused by the guards, so the validator checks the data yaml-rs read; the node path parses a
file it read only for the positions of its findings (`LazyDocument`). A differential
property test (tests/validate/test_fast_path.py) holds yaml-rs to the node path's data; it found
what the guards now refuse (a block scalar ending the file, `|`, `>` and colons in flow collections,
a flow collection over several lines). The node path (model/nodes.py, and PyYAML with it) is
imported only when a file needs it.

Why yaml-rs (measured on the bench's 1,000 files, issue 14): 18-25 ms, duplicate keys refused, big
integers kept. py-yaml12 took 34 ms, keeps the last of duplicate keys silently and turns big integers
into floats; ryaml 39 ms, reads `0755` as a string and refuses big integers; libfyaml 99 ms (and 25 ms
to import), without a duplicate-key error.

Hostile input never reaches Python's recursion or memory limits: the size is capped, nesting is measured
on the event stream before composing (libyaml's composer recurses in C and crashes on deep input), and
aliases are expanded virtually before anything walks the data (the "billion laughs" bomb): what they add
to a file, in nodes and in characters, over all its documents, is bounded.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from dli_flink.model.findings import Path

if TYPE_CHECKING:
    from yaml.nodes import Node
MAX_FILE_BYTES = 1024 * 1024
"""A job file larger than this is refused unread: real ones are a few KiB, SQL included."""
MAX_DEPTH = 64
"""Deepest nesting accepted; a job document is at most four levels deep."""
MAX_ALIAS_NODES = 50_000
"""Most nodes aliases may add to a file: each use of an alias counts the whole tree it names."""
MAX_ALIAS_CHARS = MAX_FILE_BYTES
"""Most characters of keys and values aliases may add to a file: a long string aliased many times
is checked, and quoted by findings, at every use."""
_DEEP_INDENT = "\n" + " " * MAX_DEPTH
"""Block-style nesting indents each level by at least one space: deep input has a deep line.
Few nesting indicators ([, {, -, ?) and no deep line mean shallow input: no need to measure it."""


class SourceError(Exception):
    """The file cannot be read as YAML job documents; carries the 1-based position of the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Document:
    """One YAML document of a file: its data, and its node tree for positions.

    A plain class, not a dataclass: see model/findings.py's Problem."""

    __slots__ = ("data", "index", "node", "path")

    def __init__(self, path: FilePath, index: int, data: Any, node: Node) -> None:
        self.path = path
        self.index = index
        self.data = data
        self.node = node

    def position(
        self, keys: Path, on_key: bool = False, anchor: Path | None = None
    ) -> tuple[int, int]:
        """1-based line and column of `keys` in the document.

        The value is pointed at, or its key with `on_key`. A path that is not written in the document
        (a missing key) points at the deepest key of it that is written, else at `anchor` (the key
        that makes the missing one matter), else at the root: the `kind:` key.
        """
        found = self._locate(keys)
        on_key = on_key or not keys
        if found is None:
            on_key = True
            found = self._locate_deepest(keys) or (anchor and self._locate(anchor))
        if found is None:
            found = self._locate(())
        key_node, node = found
        target = key_node if (on_key and key_node is not None) else node
        return target.start_mark.line + 1, target.start_mark.column + 1

    def _locate(self, keys: Path) -> tuple[Node | None, Node] | None:
        from dli_flink.model.nodes import child as _child  # loaded: the node path made this

        key_node, node = None, self.node
        for key in keys:
            child = _child(node, key)
            if child is None:
                return None
            key_node, node = child
        if not keys:
            return _child(self.node, "kind") or (None, self.node)
        return key_node, node

    def _locate_deepest(self, keys: Path) -> tuple[Node | None, Node] | None:
        for end in range(len(keys) - 1, 0, -1):
            found = self._locate(keys[:end])
            if found is not None:
                return found
        return None


class LazyDocument:
    """A job document whose node tree the run does not hold (read by the fast path, or served
    from a cache): its data at hand, its positions only when a problem needs one, the file then
    read on the node path as a run without the fast path would have. Positions found are kept in
    `positions` (a cache entry's, to be stored with it)."""

    def __init__(
        self,
        path: FilePath,
        index: int,
        data: Any,
        text: str | None = None,
        positions: dict[tuple[Any, ...], tuple[int, int]] | None = None,
    ) -> None:
        self.path, self.index, self.data = path, index, data
        self._text = text
        self._document: Any = None
        self._positions = {} if positions is None else positions

    def position(self, *where: Any, **how: Any) -> tuple[int, int]:
        key = (self.index, where, tuple(sorted(how.items())))
        found = self._positions.get(key)
        if found is None:
            found = self._positions[key] = self._read().position(*where, **how)
        return found

    def _read(self) -> Any:
        if self._document is None:
            self._document = _FileStart()
            with contextlib.suppress(OSError, SourceError):
                text = self._text if self._text is not None else read_text(self.path)
                for document in load_documents(self.path, text):
                    if document.index == self.index:
                        self._document = document
                        break
        return self._document


class _FileStart:
    """Where a document that cannot be read again is placed: the start of its file."""

    def position(self, *_: Any, **__: Any) -> tuple[int, int]:
        return 1, 1


def load_documents(path: FilePath, text: str) -> Iterator[Document]:
    """Every document of `text` on the node path (model/nodes.py), or SourceError at the first
    thing that is not readable YAML."""
    from dli_flink.model import nodes

    return nodes.load_documents(path, text)


class NotRegularFile(OSError):
    """A path naming a pipe, socket or device: opening a FIFO waits for a writer, a device may never
    end. Job files are regular files, so these are refused unread."""

    def __init__(self, mode: int) -> None:
        kind = "a named pipe" if stat.S_ISFIFO(mode) else "a socket or device"
        super().__init__(errno.EINVAL, f"{kind}, not a regular file: name job files only")


def read_text(path: FilePath) -> str:
    """The file as text, or SourceError for what cannot be YAML. OSError is left to the caller.

    Opened without blocking and checked on the open descriptor (not by a stat before it, which a
    FIFO swapped in afterwards would pass), so nothing named on a command line can hang a hook.
    """
    return text_of(read_regular(path, MAX_FILE_BYTES + 1))


def read_regular(path: FilePath, most: int) -> bytes:
    """Up to `most` bytes of the regular file `path` (a job file, a sqlFile); NotRegularFile (an
    OSError) for a pipe, socket or device, checked on the descriptor opened without blocking."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(info.st_mode)
        return _read_exactly(descriptor, min(info.st_size, most - 1) + 1)
    finally:
        os.close(descriptor)


def text_of(raw: bytes) -> str:
    """A job file's bytes as text, or SourceError for what cannot be YAML: one verdict for a file
    read from disk and for its version in git (review compares the two)."""
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError(
            f"file is over {MAX_FILE_BYTES // 1024} KiB; a job file holds a few job documents: "
            "split it or move large SQL into sqlFile"
        )
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise SourceError("binary file (NUL byte): a job file is UTF-8 YAML text", line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            f"invalid UTF-8 (byte 0x{raw[error.start]:02x}): save the file as UTF-8", line, column
        ) from None


def _read_exactly(descriptor: int, most: int) -> bytes:
    """Up to `most` bytes, to the end of the file.

    Sized by fstat, so a buffer is allocated to the file's size, not to the 1 MiB cap: allocating
    and shrinking a 1 MiB buffer per file was half the time spent reading a thousand files. One
    more byte than the file holds is asked for, so a file that grew past the cap since the fstat is
    still refused.
    """
    chunks = []
    while most > 0 and (chunk := os.read(descriptor, most)):
        chunks.append(chunk)
        most -= len(chunk)
    return b"".join(chunks) if len(chunks) != 1 else chunks[0]


_END = "dli-flink-end-of-file"
"""A last key the fast path appends to the text: yaml-rs ends a block scalar that ends the file with
a line break where YAML 1.2 (and libyaml) end it with none; followed by a key, the scalar ends as
libyaml ends it."""
_FAST_REFUSED_TEXT = ("<<", "\n---", "\n...", "\n%", _END)
_FAST_REFUSED = re.compile(r"0[xXoObB]")
"""What sends a file to the node path, besides the characters of `_unprintable()`: merge keys,
document markers and directives, and the number forms yaml-rs reads as numbers and YAML 1.2's core
schema (the node path) does not."""


@functools.cache
def _unprintable() -> re.Pattern[str]:
    """The characters that send a file to the node path: those libyaml refuses as special (and
    yaml-rs may accept), a BOM inside the text, tabs and carriage returns, and the indicators of
    anchors and aliases (`&`: the expansion budget), tags (`!`), complex keys (`?`) and escapes (a
    backslash). Compiled when a text that is not ASCII first needs it: its ranges take 5 ms to
    compile, a tenth of a one-file run's start-up."""
    return re.compile(
        r"[^\n\x20\x22-\x25\x27-\x3e\x40-\x5b\x5d-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd"
        r"\U00010000-\U0010ffff]"
    )


_SPECIAL_ASCII = re.compile(r"[\x00-\x09\x0b-\x1f\x7f&!?\\]")
"""`_unprintable()` for an ASCII text (most job files), as a short class: half the time."""
_NUMBER_UNDERSCORE = re.compile(r"_(?:(?=[0-9.+\-])|(?<=[0-9.+\-]_))")
"""An underscore next to a digit, sign or point: yaml-rs drops underscores from numbers (`1_000`,
`_1`), YAML 1.2's core schema reads those as strings. Written to start with its literal `_` so the
search skips to each underscore (a prefix-less pattern costs ten times as much)."""
_RESERVED_START = re.compile(r"[@`%](?<=[\s\[{,][@`%])")
"""A plain scalar starting with a character libyaml refuses there and yaml-rs reads: `@`, a
backtick or `%` after a space or a flow indicator."""
_FLOW_START = re.compile(r"[\[{]")
_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
_FLOW_COLON = re.compile(r":[\]},]|:$|[\[{,:] *:")
"""A colon in a flow collection that libyaml (YAML 1.1 there) reads otherwise than yaml-rs: right
before a flow indicator or the line's end, or starting an entry."""
_LONG_NUMBER = re.compile("[0-9]{4001}")
"""A number too long for the node path (see `_int`)."""
_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))


def fast_data(text: str) -> Any:
    """The data of a one-document file read by yaml-rs, or None: read it on the node path.

    None when yaml-rs is not installed, a guard refuses the text (the patterns above), yaml-rs
    refuses it (a syntax error or duplicate key: the node path says where), the document is not a
    mapping at the first column ending with a line break, or it holds anything but plain mappings
    (with keys that are not null), lists and scalars.
    """
    if not text.endswith("\n") or text.startswith(("---", "...", "%", " ")) or deep(text):
        return None
    for refused in _FAST_REFUSED_TEXT:
        if refused in text:
            return None
    special = _SPECIAL_ASCII if text.isascii() else _unprintable()
    for pattern in (special, _FAST_REFUSED, _NUMBER_UNDERSCORE, _LONG_NUMBER):
        if pattern.search(text):
            return None
    if ("@" in text or "`" in text or "%" in text) and _RESERVED_START.search(text):
        return None  # the regex only where its characters are: three scans at C speed
    if not _simple_flows(text):
        return None
    try:
        from yaml_rs import DuplicateKeyPolicy, loads
    except ImportError:  # an interpreter without its wheel: the node path reads everything
        return None
    try:
        data = loads(
            f"{text}{_END}: 0\n",
            parse_datetime=False,
            duplicate_key_policy=DuplicateKeyPolicy.Error,
        )
    except Exception:  # a syntax error, a duplicate key, a number Python refuses: the node path
        return None
    if type(data) is not dict or next(reversed(data)) != _END or data.pop(_END) != 0 or not data:
        return None
    return data if _plain(data) else None


def _simple_flows(text: str) -> bool:
    """Whether every line with a flow collection (`[...]`, `{...}`) closes what it opens, outside
    quotes, and holds no `|`, `>` or odd colon: yaml-rs reads a flow collection over several lines,
    and those in one, where libyaml refuses them."""
    if "[" not in text and "{" not in text:  # most files: two scans at C speed, not a regex's
        return True
    end = 0
    for found in _FLOW_START.finditer(text):
        if found.start() < end:
            continue  # on a line already looked at
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.start())
        line = text[start:end]
        if "'" in line or '"' in line:
            line = _QUOTED.sub("", line)
        if "|" in line or ">" in line or _FLOW_COLON.search(line):
            return False
        if line.count("[") + line.count("{") != line.count("]") + line.count("}"):
            return False
    return True


def _plain(value: Any) -> bool:
    """Whether `value` is plain mappings (with scalar keys), lists and scalars, all the way down.
    Recursion is bounded by the depth guard (`deep`)."""
    kind = type(value)
    if kind is dict:
        if None in value or not _PLAIN_TYPES.issuperset(map(type, value)):
            return False
        children: Any = value.values()
    elif kind is list:
        children = value
    else:
        return kind in _PLAIN_TYPES
    if _PLAIN_TYPES.issuperset(map(type, children)):
        return True
    return all(type(child) in _PLAIN_TYPES or _plain(child) for child in children)


def deep(text: str) -> bool:
    """Whether the text may nest deeper than MAX_DEPTH: many nesting indicators, or a deep line."""
    indicators = sum(text.count(char) for char in "[{-?")
    return indicators > 4 * MAX_DEPTH or _DEEP_INDENT in text or text.startswith(_DEEP_INDENT[1:])


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many files are read and checked.

    Every Document keeps its node tree for positions, and the trees hold no cycles: full collections
    only rescan them, a quarter of the time of a large run. Memory is bounded by the files' size.

    Before the collector is enabled again, everything allocated meanwhile (all of it in the youngest
    generation) is frozen and unfrozen: both are list splices, which move it to the oldest
    generation at no cost. Enabled with a young generation of a million objects, the collector
    would scan them all at the next allocation, then again in each older generation.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
