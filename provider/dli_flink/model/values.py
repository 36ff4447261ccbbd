"""Values as the model holds them: the UNKNOWN sentinel, whole numbers, and DLI's string form.

Values the checker cannot trust are UNKNOWN rather than guessed: a value the schema rejected, a
required key that is missing, or a Pulumi input not yet known during preview. Rules skip what they
cannot know, so a finding is never built on a default the user did not write.

Pulumi sends every number as a float (8 -> 8.0): `whole` turns a whole float back into an int, and
every reader of engine values (JobSpec, provider inputs, policy properties) goes through it.
"""

from __future__ import annotations

import math
from typing import Any, Final, TypeVar

T = TypeVar("T")


class Unknown:
    """A value that is not known (yet): see the module docstring."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
Maybe = T | Unknown


def known(*values: object) -> bool:
    """True when none of `values` is UNKNOWN. A containment test, in C: Unknown is a singleton
    compared by identity (no value of a job equals it), and any() over a generator cost three
    times as much, for a question rules ask many times per job."""
    return UNKNOWN not in values


def whole(value: Any) -> Any:
    """A whole finite float as an int (8.0 -> 8); anything else as it is."""
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


JAVA_INT_MAX: Final = 2**31 - 1
"""The largest int DLI's Java reads (Integer.MAX_VALUE)."""


def java_int(text: str) -> int | None:
    """`text` as Java's Integer.parseInt reads it; None where parseInt throws NumberFormatException.

    DLI reads runtime_config values in Java. parseInt takes an optional + or - and then decimal
    digits only: no spaces, no underscores, no decimal point, and the value must fit 32 bits. A digit
    is whatever Character.digit(char, 10) accepts: every Unicode decimal digit of the Basic
    Multilingual Plane (Character.isDigit names Arabic-Indic, Devanagari and fullwidth digits), but
    none written as a surrogate pair, since parseInt reads chars, not code points. Python's int()
    reads more: it strips spaces, skips underscores and takes digits beyond the BMP.
    """
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not all(char.isdecimal() and char <= "\uffff" for char in digits):
        return None
    try:
        value = int(text)
    except ValueError:  # past Python's 4300-digit limit: far past 32 bits anyway
        return None
    return value if -JAVA_INT_MAX - 1 <= value <= JAVA_INT_MAX else None


def wire_string(value: Any) -> str:
    """A scalar as the string DLI receives in runtime_config, tags and lists: true, 8, 1h."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(whole(value))
