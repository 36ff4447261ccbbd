"""Job documents as the Pulumi engine hands them to the policy pack, and the rules' documented examples.

The engine sends properties as a protobuf Struct: every number is a double, and a value not known
during preview is one of the SDK's sentinel strings. `struct` and `props` build exactly that, and
`resource_args` / `stack_args` wrap it the way pulumi_policy's server does before calling a policy.
"""

from __future__ import annotations

import copy
import re
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from dli_flink.model.source import load_documents
from dli_flink.policy import JobProps
from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import unknown_checking_proxy

SQL_TYPE = "pulumi-python:dynamic/dli:FlinkSqlJob"
JAR_TYPE = "pulumi-python:dynamic/dli:FlinkJarJob"
TYPES = {"FlinkSqlJob": SQL_TYPE, "FlinkJarJob": JAR_TYPE}

GOOD_JOB: dict[str, Any] = {
    "name": "orders-enrich",
    "queue": "flink_q",
    "flinkVersion": "1.15",
    "agency": "dli_flink_agency",
    "sql": "INSERT INTO sink SELECT * FROM src",
    "resources": {"cu": 8, "parallelism": 4},
    "checkpoint": {"enabled": True, "intervalSeconds": 60},
    "obsBucket": "my-bucket",
    "logEnabled": True,
    "scaling": {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": 16},
    "runtimeConfig": {"table.exec.state.ttl": "1h"},
    "__provider": "gASVAAAAAAAAAACMBWRpbGwu...",  # the pickled provider: the pack ignores it
}
"""A FlinkSqlJob's inputs (no `kind`: the type token implies it) that every policy passes."""


def job(**changes: Any) -> dict[str, Any]:
    """GOOD_JOB with `changes` applied: `scaling__cuMax=6` sets a nested key, None removes one."""
    document = copy.deepcopy(GOOD_JOB)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = document
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return document


def struct(document: dict[str, Any]) -> struct_pb2.Struct:
    """The protobuf Struct the engine sends (numbers become doubles)."""
    message = struct_pb2.Struct()
    message.update(document)
    return message


def props(document: dict[str, Any]) -> Any:
    """A document as a policy receives it from pulumi_policy's server: Struct round trip,
    deserialized, unknown-checking proxy."""
    wire = json_format.MessageToDict(struct(document))
    return unknown_checking_proxy(deserialize_properties(wire))


def job_props(document: dict[str, Any]) -> JobProps:
    """A document as a policy receives it from the pack's own server (dli_flink.policy_server):
    the Struct the engine sent, parsed from its bytes as the server's gRPC stack parses it."""
    return JobProps(struct_pb2.Struct.FromString(struct(document).SerializeToString()))


PROPS = {"pulumi_policy": props, "policy_server": job_props}
"""How each server hands a policy a resource's properties: the policies must read both alike."""


_OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def resource_args(
    document: dict[str, Any], config: dict[str, Any] | None = None, resource_type: str = SQL_TYPE
) -> ResourceValidationArgs:
    name = str(document.get("name", "job"))
    urn = f"urn:pulumi:dev::jobs::{resource_type.split(':', 1)[1]}::{name}"
    return ResourceValidationArgs(
        resource_type, props(document), urn, name, _OPTIONS, None, config or None
    )


def stack_args(
    documents: list[tuple[str, dict[str, Any]]], config: dict[str, Any] | None = None
) -> StackValidationArgs:
    """(resource type, outputs) pairs as the resources of a stack, with URNs named by position."""
    resources = [
        PolicyResource(
            kind, props(outputs), f"urn:job-{i}", f"job-{i}", _OPTIONS, None, None, [], {}
        )
        for i, (kind, outputs) in enumerate(documents)
    ]
    return StackValidationArgs(resources, config or None)


_EXAMPLE = re.compile(r"^(PASS|FAIL|CONFIG)::\n\n((?:    .*\n|\n)+)", re.MULTILINE)


def examples(rule: ModuleType, kind: str) -> list[list[dict[str, Any]]]:
    """The job documents of each `kind` (PASS or FAIL) example in the rule's documentation."""
    found = []
    for found_kind, block in _EXAMPLE.findall(rule.__doc__ or ""):
        if found_kind == kind:
            text = textwrap.dedent(block).strip() + "\n"
            found.append([doc.data for doc in load_documents(Path("example.yaml"), text)])
    return found


def as_resource(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A YAML job document as a resource: the type token from its kind, inputs without it."""
    inputs = {key: value for key, value in document.items() if key != "kind"}
    return TYPES[document["kind"]], inputs
