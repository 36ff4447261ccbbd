"""Just enough of Flink SQL's syntax to run a job's script statement by statement and to swap its
connectors: a lexer, a statement splitter, and readers for SET, INSERT INTO and CREATE TABLE.

Why not a SQL library: general parsers do not know Flink's DDL (WATERMARK, METADATA columns, WITH
options, PRIMARY KEY ... NOT ENFORCED) and would refuse exactly the statements that matter here. The
planner itself parses every statement later; this module only has to cut the script where Flink's
SQL client cuts it (flink-rehearsal.md, pitfalls: "Split SQL with a quote- and comment-aware
splitter; SET statements apply before the environment is built") and find a few clauses by their
tokens, never by regular expressions over raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*'?)
  | (?P<quoted>`(?:[^`]|``)*`?|"(?:[^"]|"")*"?)
  | (?P<word>[A-Za-z_$][\w$]*)
  | (?P<number>\d+(?:\.\d*)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_TYPE_WITH_ANGLES = frozenset({"ROW", "MAP", "ARRAY", "MULTISET"})


class Token(NamedTuple):
    kind: str
    """space, comment, string, quoted (an identifier in backquotes), word, number or punct."""
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text

    @property
    def blank(self) -> bool:
        return self.kind in ("space", "comment")


def tokenize(text: str) -> list[Token]:
    return [Token(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]  # type: ignore[arg-type]


def unquote(token: Token) -> str:
    """A string literal's value, or an identifier's name."""
    if token.kind == "string":
        return token.text[1:-1].replace("''", "'")
    if token.kind == "quoted":
        quote = token.text[0]
        return token.text[1:-1].replace(quote * 2, quote)
    return token.text


def quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def render(tokens: list[Token]) -> str:
    return "".join(token.text for token in tokens).strip()


@dataclass
class Statement:
    tokens: list[Token]

    @property
    def text(self) -> str:
        return render(self.tokens)

    @property
    def words(self) -> list[Token]:
        """The tokens that are not blanks (whitespace and comments)."""
        return [token for token in self.tokens if not token.blank]

    @property
    def kind(self) -> str:
        """set, insert, create_table or other."""
        head = [token.upper for token in self.words[:4]]
        if head[:1] == ["SET"]:
            return "set"
        if head[:1] == ["INSERT"]:
            return "insert"
        if head[:1] == ["CREATE"] and "TABLE" in head[1:3] + head[2:4]:
            return "create_table"
        return "other"

    def shape(self) -> tuple[str, ...]:
        """The statement without layout or comments: two statements with the same shape compile to
        the same graph."""
        return tuple(token.upper for token in self.words)


def split(script: str) -> list[Statement]:
    """The statements of a script, as Flink's SQL client cuts it at top-level semicolons.

    Statement-set wrappers (`BEGIN STATEMENT SET; ... END;`, `EXECUTE STATEMENT SET BEGIN ... END;`)
    are dropped: every INSERT of a job goes into one statement set anyway, as DLI runs it.
    """
    statements: list[Statement] = []
    current: list[Token] = []
    for token in [*tokenize(script), Token("punct", ";")]:
        if token.kind == "punct" and token.text == ";":
            statement = Statement(_unwrapped(current))
            if statement.words:
                statements.append(statement)
            current = []
        else:
            current.append(token)
    return statements


_WRAPPERS = (("BEGIN", "STATEMENT", "SET"), ("EXECUTE", "STATEMENT", "SET", "BEGIN"), ("EXECUTE",))


def _unwrapped(tokens: list[Token]) -> list[Token]:
    words = [i for i, token in enumerate(tokens) if not token.blank]
    upper = [tokens[i].upper for i in words]
    if upper == ["END"]:
        return []
    for wrapper in _WRAPPERS:
        if tuple(upper[: len(wrapper)]) == wrapper and (
            len(upper) == len(wrapper) or upper[len(wrapper)] == "INSERT"
        ):
            return [] if len(upper) == len(wrapper) else tokens[words[len(wrapper)] :]
    return tokens


def set_option(statement: Statement) -> tuple[str, str] | None:
    """`SET 'key' = 'value'` (or unquoted, as the 1.12 client wrote it) as (key, value)."""
    words = statement.words[1:]
    if "=" not in [token.text for token in words]:
        return None
    at = next(i for i, token in enumerate(words) if token.text == "=")
    key = "".join(unquote(token) for token in words[:at]).strip()
    value = "".join(unquote(token) for token in words[at + 1 :]).strip()
    return key, value


def name_of(tokens: list[Token]) -> str:
    """The table a dotted name (`cat`.`db`.`t`) refers to, by its last part."""
    parts = [unquote(token) for token in tokens if token.kind in ("word", "quoted")]
    return parts[-1] if parts else ""


def _dotted(words: list[Token], start: int) -> tuple[list[Token], int]:
    """The dotted name starting at `start`, and the index after it."""
    end = start + 1
    while end + 1 < len(words) and words[end].text == ".":
        end += 2
    return words[start:end], end


def insert_target(statement: Statement) -> str | None:
    """The table an INSERT writes to."""
    words = statement.words
    for i, token in enumerate(words[:-1]):
        if token.upper in ("INTO", "OVERWRITE") and words[i + 1].upper != "TABLE":
            return name_of(_dotted(words, i + 1)[0])
        if token.upper in ("INTO", "OVERWRITE"):
            return name_of(_dotted(words, i + 2)[0])
    return None


def lookup_tables(statement: Statement) -> set[str]:
    """Tables joined `FOR SYSTEM_TIME AS OF`: the name just before those words."""
    words = statement.words
    found = set()
    for i in range(1, len(words) - 3):
        if [token.upper for token in words[i : i + 4]] == ["FOR", "SYSTEM_TIME", "AS", "OF"]:
            start = i - 1
            while start >= 2 and words[start - 1].text == ".":
                start -= 2
            found.add(name_of(words[start:i]))
    return found


@dataclass
class Column:
    """One element of a CREATE TABLE's column list."""

    tokens: list[Token]

    @property
    def words(self) -> list[Token]:
        return [token for token in self.tokens if not token.blank]

    @property
    def role(self) -> str:
        """physical, metadata, computed or constraint (PRIMARY KEY, WATERMARK, ...)."""
        words = self.words
        if words[0].upper in ("PRIMARY", "CONSTRAINT", "WATERMARK", "PERIOD", "UNIQUE"):
            return "constraint"
        if len(words) > 1 and words[1].upper == "AS":
            return "computed"
        if any(token.upper == "METADATA" for token in words):
            return "metadata"
        return "physical"

    @property
    def name(self) -> str:
        return unquote(self.words[0])

    @property
    def type_name(self) -> str:
        """The first word of a physical or metadata column's type: INT, STRING, TIMESTAMP..."""
        return self.words[1].upper if len(self.words) > 1 else ""

    @property
    def virtual(self) -> bool:
        return any(token.upper == "VIRTUAL" for token in self.words)

    def as_physical(self) -> Column:
        """A metadata column as a plain column of the same name and type."""
        at = next(i for i, token in enumerate(self.tokens) if token.upper == "METADATA")
        return Column(self.tokens[:at])


@dataclass
class CreateTable:
    """A CREATE TABLE statement, cut where its column list and WITH options are."""

    statement: Statement
    name: str
    columns: list[Column]
    options: dict[str, str]
    _head: list[Token] = field(repr=False)
    _middle: list[Token] = field(repr=False)
    _tail: list[Token] = field(repr=False)

    @property
    def connector(self) -> str:
        """The connector identifier (legacy `connector.type` too), lower case."""
        return (self.options.get("connector") or self.options.get("connector.type") or "").lower()

    @property
    def watermark(self) -> tuple[str, ...]:
        """The WATERMARK clause's words; empty when there is none."""
        for column in self.columns:
            if column.words[0].upper == "WATERMARK":
                return tuple(token.upper for token in column.words)
        return ()

    def rebuilt(self, columns: list[Column], options: dict[str, str]) -> Statement:
        """The same statement with another column list and WITH options."""
        body = ",\n  ".join(render(column.tokens) for column in columns)
        pairs = ",\n  ".join(f"{quote_string(k)} = {quote_string(v)}" for k, v in options.items())
        middle, tail = render(self._middle), render(self._tail)
        text = (
            f"{render(self._head)} (\n  {body}\n)"
            + (f" {middle}" if middle else "")
            + f" WITH (\n  {pairs}\n)"
            + (f" {tail}" if tail else "")
        )
        return Statement(tokenize(text))


def create_table(statement: Statement) -> CreateTable | None:
    """The parts of a CREATE TABLE with a column list and WITH options; None for other forms
    (CREATE TABLE ... LIKE without columns, AS SELECT)."""
    tokens = statement.tokens
    opened = next((i for i, t in enumerate(tokens) if t.text == "("), None)
    if opened is None:
        return None
    closed = _closing(tokens, opened)
    with_at = next((i for i in range(closed + 1, len(tokens)) if tokens[i].upper == "WITH"), None)
    if with_at is None:
        return None
    options_open = next((i for i in range(with_at, len(tokens)) if tokens[i].text == "("), None)
    if options_open is None:
        return None
    options_close = _closing(tokens, options_open)
    head = tokens[:opened]
    head_words = [t for t in head if not t.blank]
    at = len(head_words) - 1
    while at >= 2 and head_words[at - 1].text == ".":
        at -= 2
    name = name_of(head_words[at:])
    options = _options(tokens[options_open + 1 : options_close])
    if options is None:
        return None
    return CreateTable(
        statement,
        name,
        [
            Column(part)
            for part in _top_level_parts(tokens[opened + 1 : closed])
            if _has_words(part)
        ],
        options,
        head,
        tokens[closed + 1 : with_at],
        tokens[options_close + 1 :],
    )


def _closing(tokens: list[Token], opened: int) -> int:
    depth = 0
    for i in range(opened, len(tokens)):
        if tokens[i].text == "(":
            depth += 1
        elif tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens)


def _has_words(tokens: list[Token]) -> bool:
    return any(not token.blank for token in tokens)


def _top_level_parts(tokens: list[Token]) -> list[list[Token]]:
    """Split at commas outside parentheses and outside the angle brackets of ROW<...>, MAP<...>."""
    parts: list[list[Token]] = [[]]
    depth = angles = 0
    previous = ""
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "<" and previous in _TYPE_WITH_ANGLES:
            angles += 1
        elif token.text == ">" and angles:
            angles -= 1
        if token.text == "," and depth == 0 and angles == 0:
            parts.append([])
            continue
        parts[-1].append(token)
        if not token.blank:
            previous = token.upper
    return parts


def _options(tokens: list[Token]) -> dict[str, str] | None:
    """'key' = 'value' pairs; None when the list holds anything else."""
    options = {}
    for part in _top_level_parts(tokens):
        words = [token for token in part if not token.blank]
        if not words:
            continue
        if len(words) != 3 or words[1].text != "=" or words[0].kind != "string":
            return None
        options[unquote(words[0])] = unquote(words[2])
    return options
