"""What every rule module holds, and what a rule is given.

A rule is a module (yamllint's pattern): `ID`, `SEVERITY`, `OPTIONS` (its Option declarations), a
docstring that is its documentation with PASS and FAIL examples (the tests run them), and
`check(spec, context)` for a rule on one job or `check_jobs(specs, context)` for a rule across jobs.
A rule whose problems include refusals by DLI (`Problem.hard`) next to advice says `HARD = True`: it
runs even when configured off, and only its advice follows the configured severity.
`schema` and `yaml-syntax` have no check: the loader reports them, and they are modules only for their
docs and configuration.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles each string annotation
# of its fields; the NamedTuples of findings, fields, rules/base and fix/edits cost 2 ms more of
# every validate run's start-up with it.
import functools
import re
from collections.abc import Mapping
from types import MappingProxyType, ModuleType
from typing import Any, Literal, NamedTuple

from dli_flink.model import schema
from dli_flink.model.findings import quoted

OptionType = Literal["integer", "string", "string-list", "version", "version-list"]
_EXPECTED: dict[str, str] = {
    "integer": "a whole number",
    "string": "a string",
    "string-list": "a list of strings",
    "version": 'a quoted Flink version such as "1.12"',
    "version-list": 'a list of quoted Flink versions such as ["1.15", "1.20"]',
}
"""How a message names what each option type takes."""


_NONE: Mapping[str, Any] = MappingProxyType({})


class Context(NamedTuple):
    """A rule's options (defaults merged with configuration) and the project facts rules need.

    A NamedTuple, as Option: see model/findings.py's Problem."""

    options: Mapping[str, Any] = _NONE
    queues: Mapping[str, int] = _NONE
    """Queue name -> capacity in CUs, where the configuration declares them."""


class Option(NamedTuple):
    """One option of a rule, declared once, with the rule (yamllint's CONF and DEFAULT in one).

    `.dli-flink.yaml` and the policy pack's config are both checked by `option_values` against it,
    and the pack's config schema and `dli-flink rules` are built from it, so they cannot disagree.
    A NamedTuple rather than a dataclass: every `dli-flink validate` defines it, and a frozen
    dataclass costs half a millisecond more to define.
    """

    name: str
    default: Any
    description: str
    """One sentence, for the policy pack's config schema."""
    type: OptionType
    minimum: int | None = None
    """The smallest value an integer option takes, if it has one."""

    def json_schema(self) -> dict[str, Any]:
        """The option as a JSON Schema property (what `pulumi` checks policy config against)."""
        version = {"type": "string", "pattern": _version_pattern().pattern}
        types: dict[str, dict[str, Any]] = {
            "string-list": {"type": "array", "items": {"type": "string"}},
            "version": version,
            "version-list": {"type": "array", "items": version},
        }
        property_schema = types.get(self.type, {"type": self.type})
        if self.minimum is not None:
            property_schema = {**property_schema, "minimum": self.minimum}
        return {**property_schema, "description": self.description, "default": self.default}

    def check(self, value: Any) -> Any:
        """`value`, if the option takes it; else an OptionError naming what it takes and the fix."""
        reason = _mismatch(self.type, value)
        if reason is None and self.minimum is not None and value < self.minimum:
            reason = f"must be at least {self.minimum}, not {quoted(value)}"
        if reason is not None:
            raise OptionError(self.name, reason)
        return value


def _mismatch(kind: OptionType, value: Any) -> str | None:
    """Why `value` is not an option value of type `kind`, with the fix; None when it is one."""
    expected = f"must be {_EXPECTED[kind]}"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    strings = isinstance(value, list) and all(isinstance(item, str) for item in value)
    if kind == "integer":
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "string":
        fits = isinstance(value, str)
    elif kind == "string-list":
        fits = strings
    elif kind == "version":
        if number:
            return f"{expected}, not the number {value}: quote it"
        fits = isinstance(value, str) and _is_version(value)
    elif not strings:  # versions as numbers: YAML and JSON read 1.20 as 1.2, which rejects 1.20
        hint = (
            ": quote each one (unquoted, 1.20 is the number 1.2)" if isinstance(value, list) else ""
        )
        return f"{expected}, not {quoted(value)}{hint}"
    else:
        wrong = [item for item in value if not _is_version(item)]
        if wrong:
            return f"{expected}; {quoted(wrong[0])} is not a version"
        fits = True
    return None if fits else f"{expected}, not {quoted(value)}"


@functools.cache
def _version_pattern() -> re.Pattern[str]:
    """What a Flink version looks like: the job schema's flinkVersion pattern, written once there.
    Read only when a version option is checked, which costs an ordinary run nothing."""
    return re.compile(schema.load_schema()["properties"]["flinkVersion"]["pattern"])


def _is_version(text: str) -> bool:
    return _version_pattern().search(text) is not None


class OptionError(ValueError):
    """An option value its declaration does not take; the message reads "NAME must be ..."."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} {reason}")
        self.name = name
        self.reason = reason


def option_values(rule: ModuleType, given: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's options: each default, overridden by `given`'s value once checked.

    Keys of `given` that name no option are left out: whether they are mistakes is the caller's to
    say (`.dli-flink.yaml` rejects them; policy config also holds `enforcementLevel`).
    """
    options: tuple[Option, ...] = rule.OPTIONS
    return {
        option.name: option.check(given[option.name]) if option.name in given else option.default
        for option in options
    }


def summary(rule: ModuleType) -> str:
    """The first line of a rule's documentation."""
    return (rule.__doc__ or "").strip().splitlines()[0]


@functools.lru_cache(maxsize=1024)
def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """A Flink version as a key that orders like its numbers, compared as digit strings (shortest
    first): the schema lets a part have any number of digits, and int() refuses more than 4,300.
    Cached: the version rules ask for the same few versions' keys for every job of a run."""
    parts = (part.lstrip("0") for part in version.split(".") if part.isdigit())
    return tuple((len(part), part) for part in parts)
