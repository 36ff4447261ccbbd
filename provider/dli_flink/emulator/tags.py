"""DLI's resource tag API (v3) for Flink jobs: the rules a request must follow and the answers' shapes.

Sources, each rule below citing its own: the API reference's "APIs Related to Resource Tags" pages,
Batch Adding Resource Tags (dli_02_0396), Batch Deleting Resource Tags (dli_02_0397), Querying Tags
of a Specified Resource Instance (dli_02_0501), Querying the Number of Resource Instances (dli_02_0398)
and Listing Resource Instances (dli_02_0399), https://support.huaweicloud.com/intl/en-us/api-dli/; and
the official SDK's models (huaweicloudsdkdli 3.1.219: BatchCreateResourceTagsRequestBody, Tag,
ShowResourceTagsResponse, ListResourcesByTagsRequestBody, TagWithValues, Match, Resource). Terraform's
huaweicloud_dli_flinksql_job / flinkjar_job call these paths with resource_type "dli_flink_job" and
the job id as resource_id (resource_huaweicloud_dli_flinksql_job.go, addTagsToResource).

The tags a job was created with (the create body's `tags`) are the same tags: the job record keeps
one list, which the create body fills and these calls edit, and list_flink_jobs filters on.
"""

from __future__ import annotations

import re
from typing import Any

from dli_flink.emulator.checks import long_id, shown
from dli_flink.emulator.errors import OperationNotSupported, ParameterError

FLINK_JOB = "dli_flink_job"
RESOURCE_TYPES = frozenset(
    {
        "dli_queue",
        "dli_elastic_resource_pool",
        "dli_enhanced_datasource",
        "dli_database",
        "dli_package_resource",
        FLINK_JOB,
    }
)
"""The resource types the pages list. Only Flink jobs are emulated; the others are DLI.0007 here."""
MAX_TAGS = 20
"""dli_02_0396 / 0397 / 0399: "A maximum of 20 tags can be added" (deleted, filtered) per request.
Whether a job may hold more than 20 after several calls the pages do not say: not checked."""
KEY_MAX, VALUE_MAX = 128, 255
# dli_02_0396, Table 3: a key "can contain a maximum of 128 characters. Only letters, digits,
# spaces, and special characters (_.:+-@) are allowed, but the value cannot start or end with a
# space or start with _sys_"; a value "a maximum of 255 characters", the same characters, and "can be
# empty". The Chinese page says letters of any language (任意语种字母): \w, which also takes digits
# and "_".
_CHARS = re.compile(r"[\w .:+\-@]*")
SYSTEM_PREFIX = "_sys_"
LIMIT_DEFAULT = 1000
"""dli_02_0501 / 0399: limit "The default value is 1000", offset "The default value is 0"."""


def resource(resource_type: str, resource_id: str) -> int:
    """The Flink job id a tag call names, or DLI's refusal of the path."""
    check_type(resource_type)
    # resource_id: "Minimum length: 1 character, Maximum length: 1,000"; a Flink job's is its id.
    if not resource_id.isdigit() or len(resource_id) > 1000:
        raise ParameterError(f"resource_id of a {FLINK_JOB} is a job id, got {shown(resource_id)}")
    return long_id(resource_id, "resource_id")


def check_type(resource_type: str) -> None:
    """DLI.0001 for a resource type the pages do not list; DLI.0007 for one not emulated."""
    if resource_type not in RESOURCE_TYPES:
        raise ParameterError(
            f"resource_type must be one of {', '.join(sorted(RESOURCE_TYPES))}, "
            f"got {shown(resource_type)}"
        )
    if resource_type != FLINK_JOB:
        raise OperationNotSupported(f"the emulator models tags of {FLINK_JOB} resources only")


def tag_list(body: dict[str, Any], *, delete: bool) -> list[dict[str, str]]:
    """The request's tags as {key, value} pairs, or DLI.0001 naming the rule broken.

    Adding (dli_02_0396): `tags` is mandatory, at most 20, each key once ("Each key within a resource
    must be unique"), key and value by the character rules above. Deleting (dli_02_0397): "The tags
    structure cannot be missing during deletion, and the key field cannot be empty or a null
    string"; at most 20; "Character set validation is not performed when deleting tags", and the
    value may be left out (the page does not require it; the SDK's Tag makes neither field
    required): the key alone deletes the tag."""
    tags = body.get("tags")
    if not isinstance(tags, list) or (not tags and not delete):
        raise ParameterError("tags must be a non-empty list of {key, value} objects")
    if len(tags) > MAX_TAGS:
        raise ParameterError(f"A maximum of {MAX_TAGS} tags can be given, got {len(tags)}")
    found: list[dict[str, str]] = []
    for tag in tags:
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str) or not tag["key"]:
            raise ParameterError("Each tag needs a key: a non-empty string")
        value = tag.get("value")
        if (value is None and not delete) or (value is not None and not isinstance(value, str)):
            # dli_02_0396 Table 3: key and value are both mandatory when adding.
            raise ParameterError(f"The value of tag {shown(tag['key'])} must be a string")
        if not delete:
            _check_key(tag["key"])
            _check_value(tag["key"], value)
        if any(t["key"] == tag["key"] for t in found):
            raise ParameterError(f"Tag key {shown(tag['key'])} is given more than once")
        found.append({"key": tag["key"], "value": value})
    return found


def _check_key(key: str) -> None:
    if len(key) > KEY_MAX or not _CHARS.fullmatch(key):
        raise ParameterError(
            f"Tag key {shown(key)}: at most {KEY_MAX} letters, digits, spaces and _ . : + - @"
        )
    if key != key.strip(" ") or key.startswith(SYSTEM_PREFIX):
        raise ParameterError(
            f"Tag key {shown(key)} cannot start or end with a space or start with {SYSTEM_PREFIX}"
        )


def _check_value(key: str, value: str) -> None:
    if len(value) > VALUE_MAX or not _CHARS.fullmatch(value):
        raise ParameterError(
            f"The value of tag {shown(key)}: at most {VALUE_MAX} letters, digits, spaces and "
            "_ . : + - @"
        )


def added(current: list[dict[str, str]], tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """The job's tags after adding `tags`. A key the job already holds takes the new value: DLI's
    page says only that a key holds one value ("Only one tag value can be added to a tag key"); the
    Tag Management convention other Huawei Cloud services document for this call (DNS, DIS:
    "If a key exists in the database, its value will be overwritten") is followed."""
    keys = {t["key"] for t in tags}
    return [t for t in current if t["key"] not in keys] + tags


def deleted(current: list[dict[str, str]], tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """The job's tags after deleting `tags`: by key and value, or by key where no value is given.
    dli_02_0397: "if the tag to be deleted does not exist, the deletion is successful"."""

    def removed(tag: dict[str, str]) -> bool:
        return any(t["key"] == tag["key"] and t["value"] in (None, tag["value"]) for t in tags)

    return [t for t in current if not removed(t)]


def page(query: Any) -> tuple[int, int]:
    """limit and offset from the query (dli_02_0501, dli_02_0399), or DLI.0001."""
    try:
        limit = int(query.get("limit", LIMIT_DEFAULT))
        offset = int(query.get("offset", 0))
    except ValueError:
        raise ParameterError("limit and offset must be integers") from None
    if limit < 1 or offset < 0:
        raise ParameterError("limit must be at least 1 and offset at least 0")
    return limit, offset


def matcher(body: dict[str, Any]) -> Any:
    """Which jobs a resource-instances filter or count body selects (dli_02_0398 / 0399, SDK
    ListResourcesByTagsRequestBody): with `without_any_tag` true, jobs without tags; else jobs that
    hold every key of `tags` with one of its `values` ("If left unset, the list of all resource
    instances is returned"), and whose name equals each `matches` entry of key resource_name (the
    pages name resource_name as the search field; whether it matches a part of the name they do not
    say: the whole name is compared)."""
    without = body.get("without_any_tag", False)
    if not isinstance(without, bool):
        raise ParameterError("without_any_tag must be a boolean")
    wanted = body.get("tags") or []
    if not isinstance(wanted, list) or len(wanted) > MAX_TAGS:
        raise ParameterError(f"tags must be a list of at most {MAX_TAGS} {{key, values}} objects")
    for tag in wanted:
        values = tag.get("values") if isinstance(tag, dict) else None
        if (
            not isinstance(tag, dict)
            or not isinstance(tag.get("key"), str)
            or not (isinstance(values, list) and all(isinstance(v, str) for v in values))
        ):
            raise ParameterError("Each tag filter needs a key and a list of values")
    matches = body.get("matches") or []
    if not isinstance(matches, list) or not all(
        isinstance(m, dict) and m.get("key") == "resource_name" and isinstance(m.get("value"), str)
        for m in matches
    ):
        raise ParameterError('matches must be a list of {"key": "resource_name", "value": ...}')

    def selects(name: str, tags: list[dict[str, str]]) -> bool:
        if without:
            return not tags
        held = {t["key"]: t["value"] for t in tags}
        return all(
            w["key"] in held and (not w["values"] or held[w["key"]] in w["values"]) for w in wanted
        ) and all(m["value"] == name for m in matches)

    return selects


def instance(job_id: int, name: str, tags: list[dict[str, str]]) -> dict[str, Any]:
    """A job as the SDK's Resource: resource_id, resource_name, resource_detail, tags."""
    return {
        "resource_id": str(job_id),
        "resource_name": name,
        "resource_detail": None,
        "tags": tags,
    }
