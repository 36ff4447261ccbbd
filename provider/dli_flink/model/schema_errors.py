"""Every error jsonschema's Draft 2020-12 validator finds in a document, found without jsonschema.

Why: only a document the compiled gate rejects is explained (model/schema.py), and importing
jsonschema to explain it cost about 70 ms of CPU, more than checking 200 valid files: a run with
one invalid file among a thousand paid it. The job schema keeps to a few keywords (`KEYWORDS`);
for those, this walks the schema as jsonschema 4's validator does (its `_keywords.py` and
`descend`): keywords in the schema's order, subschemas in depth, the same instance paths, the same
`validator`, `validator_value`, `instance` and `schema` on each error, the same messages, and
validity (`if`, `not`, `anyOf`, `oneOf`) as "no error at all". `schema.schema_problems` explains
these errors as it explained jsonschema's. A schema with any other keyword (`supported`) is left to
jsonschema, so a keyword added to the schema never goes unchecked.
`tests/validate/test_schema_errors.py` holds both to the same errors on every document of the
tests' corpus and on generated ones.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from dli_flink.model.findings import Path


class SchemaError:
    """What `schema._explain` reads of an error, named as on jsonschema's ValidationError. A plain
    class, as the validator's others (no dataclasses on its path)."""

    __slots__ = ("absolute_path", "instance", "message", "schema", "validator", "validator_value")

    def __init__(
        self,
        message: str,
        validator: str | None,
        validator_value: Any,
        instance: Any,
        schema: Any,
        absolute_path: Path,
    ) -> None:
        self.message = message
        self.validator = validator
        self.validator_value = validator_value
        self.instance = instance
        self.schema = schema
        self.absolute_path = absolute_path


Found = str | SchemaError
"""What a keyword yields: the message of its own error, or an error found deeper."""


def iter_errors(schema: Any, instance: Any) -> Iterator[SchemaError]:
    """The errors jsonschema's `Draft202012Validator(schema).iter_errors(instance)` yields, in its
    order; `schema` must be `supported`."""
    return _descend(schema, instance, ())


def supported(schema: Any) -> bool:
    """Whether every keyword of `schema`, at any depth, is one this module walks or an annotation."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword in _ONE_SCHEMA:
            if not supported(value):
                return False
        elif keyword in _SCHEMA_LISTS:
            if not (isinstance(value, list) and all(supported(each) for each in value)):
                return False
        elif keyword == "properties":
            if not (isinstance(value, dict) and all(supported(each) for each in value.values())):
                return False
        elif keyword not in KEYWORDS and keyword not in _ANNOTATIONS:
            return False
    return True


def _descend(schema: Any, instance: Any, path: Path) -> Iterator[SchemaError]:
    if schema is True:
        return
    if schema is False:
        yield SchemaError(
            f"False schema does not allow {instance!r}", None, None, instance, schema, path
        )
        return
    for keyword, value in schema.items():
        check = KEYWORDS.get(keyword)
        if check is None:
            continue
        for found in check(value, instance, schema, path):
            if isinstance(found, str):
                yield SchemaError(found, keyword, value, instance, schema, path)
            else:
                yield found


def _valid(schema: Any, instance: Any) -> bool:
    return next(_descend(schema, instance, ()), None) is None


def _is_type(instance: Any, name: str) -> bool:
    """jsonschema's Draft 2020-12 type checker (a whole float is an integer; a bool is no number)."""
    if name == "object":
        return isinstance(instance, dict)
    if name == "string":
        return isinstance(instance, str)
    if name == "array":
        return isinstance(instance, list)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, numbers.Number)
    raise ValueError(f"unknown JSON Schema type {name!r}")


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: True is not 1, nor False 0, also inside lists and mappings."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and _equal(value, two[key]) for key, value in one.items()
        )
    return bool(_unbool(one) == _unbool(two))


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    return _TRUE if value is True else _FALSE if value is False else value


def _properties(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if isinstance(instance, dict):
        for name, subschema in value.items():
            if name in instance:
                yield from _descend(subschema, instance[name], (*path, name))


def _additional_properties(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if not isinstance(instance, dict):
        return
    known = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [
        key for key in instance if key not in known and not (patterns and re.search(patterns, key))
    ]
    if isinstance(value, dict):
        for extra in extras:
            yield from _descend(value, instance[extra], (*path, extra))
    elif not value and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield f"{joined} {verb} not match any of the regexes: {listed}"
        else:
            verb = "was" if len(extras) == 1 else "were"
            joined = ", ".join(repr(extra) for extra in sorted(extras, key=str))
            yield f"Additional properties are not allowed ({joined} {verb} unexpected)"


def _property_names(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if isinstance(instance, dict):
        for name in instance:
            yield from _descend(value, name, path)


def _items(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if not isinstance(instance, list):
        return
    prefix = len(schema.get("prefixItems", []))
    extra = len(instance) - prefix
    if extra <= 0:
        return
    if value is False:
        rest = instance[prefix:] if extra != 1 else instance[prefix]
        item = "items" if prefix != 1 else "item"
        yield f"Expected at most {prefix} {item} but found {extra} extra: {rest!r}"
        return
    for index in range(prefix, len(instance)):
        yield from _descend(value, instance[index], (*path, index))


def _const(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if not _equal(instance, value):
        yield f"{value!r} was expected"


def _enum(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if all(not _equal(each, instance) for each in value):
        yield f"{instance!r} is not one of {value!r}"


def _type(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    types = [value] if isinstance(value, str) else value
    if not any(_is_type(instance, name) for name in types):
        yield f"{instance!r} is not of type {', '.join(repr(name) for name in types)}"


def _required(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if isinstance(instance, dict):
        for name in value:
            if name not in instance:
                yield f"{name!r} is a required property"


def _min_length(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if isinstance(instance, str) and len(instance) < value:
        yield f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}"


def _minimum(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if _is_type(instance, "number") and instance < value:
        yield f"{instance!r} is less than the minimum of {value!r}"


def _exclusive_minimum(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if _is_type(instance, "number") and instance <= value:
        yield f"{instance!r} is less than or equal to the minimum of {value!r}"


def _max_properties(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if isinstance(instance, dict) and len(instance) > value:
        yield f"{instance!r} {'is expected to be empty' if value == 0 else 'has too many properties'}"


def _pattern(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if isinstance(instance, str) and not re.search(value, instance):
        yield f"{instance!r} does not match {value!r}"


def _all_of(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    for subschema in value:
        yield from _descend(subschema, instance, path)


def _any_of(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if not any(_valid(subschema, instance) for subschema in value):
        yield f"{instance!r} is not valid under any of the given schemas"


def _one_of(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    subschemas = iter(value)
    first_valid = next((each for each in subschemas if _valid(each, instance)), _NONE)
    if first_valid is _NONE:
        yield f"{instance!r} is not valid under any of the given schemas"
    more_valid = [each for each in subschemas if _valid(each, instance)]
    if more_valid:
        more_valid.append(first_valid)
        yield f"{instance!r} is valid under each of {', '.join(repr(each) for each in more_valid)}"


_NONE = object()


def _not(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if _valid(value, instance):
        yield f"{instance!r} should not be valid under {value!r}"


def _if(value: Any, instance: Any, schema: Any, path: Path) -> Iterator[Found]:
    if _valid(value, instance):
        if "then" in schema:
            yield from _descend(schema["then"], instance, path)
    elif "else" in schema:
        yield from _descend(schema["else"], instance, path)


KEYWORDS: dict[str, Callable[[Any, Any, Any, Path], Iterator[Found]]] = {
    "properties": _properties,
    "additionalProperties": _additional_properties,
    "propertyNames": _property_names,
    "items": _items,
    "const": _const,
    "enum": _enum,
    "type": _type,
    "required": _required,
    "minLength": _min_length,
    "minimum": _minimum,
    "exclusiveMinimum": _exclusive_minimum,
    "maxProperties": _max_properties,
    "pattern": _pattern,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
}
"""The keywords walked, as jsonschema's Draft 2020-12 validator checks them."""
_ONE_SCHEMA = frozenset(
    ("additionalProperties", "propertyNames", "items", "not", "if", "then", "else")
)
_SCHEMA_LISTS = frozenset(("allOf", "anyOf", "oneOf"))
_ANNOTATIONS = frozenset(
    ("$schema", "$id", "$comment", "title", "description", "default", "examples", "errorMessage")
)
"""Keywords that check nothing (`errorMessage` is yaml-language-server's, read by our messages);
`then` and `else` are walked by `if`."""
