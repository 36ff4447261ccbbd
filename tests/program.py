"""A Pulumi program's registrations, as the engine receives them, for tests/engine.py to step.

`pulumi up` runs the program under the language host, which sends the engine one
RegisterResourceRequest per resource (sdk/python/lib/pulumi/runtime/resource.py `register_resource`):
type, name, parent, inputs (with `__provider`), aliases, the deleteBeforeReplace option. Here the
program runs under the SDK's mock monitor (`pulumi.runtime.set_mocks`), which answers every
registration with its inputs as outputs; each request is kept, unchanged, and becomes a
`tests.engine.Resource`. Only the monitor is a stand-in: the program, our resource classes and the
SDK's serialisation of them are the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2

from tests.engine import PROJECT, STACK, Alias, Resource
from tests.host import from_struct


class _Echo(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return {}


class _Recorder(MockMonitor):
    """The mock monitor, keeping every RegisterResourceRequest it is sent."""

    def __init__(self) -> None:
        super().__init__(_Echo())
        self.requests: list[resource_pb2.RegisterResourceRequest] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.requests.append(request)
        return super().RegisterResource(request)


def registrations(program: Callable[[], Any], stack: str = STACK) -> list[Resource]:
    """Run `program` (a function that declares resources) in `stack` and return what it
    registered."""
    recorder = _Recorder()
    pulumi.runtime.set_mocks(_Echo(), project=PROJECT, stack=stack, preview=False, monitor=recorder)

    @pulumi.runtime.test
    def run() -> Any:
        return program()

    run()
    return [_resource(request) for request in recorder.requests]


def _resource(request: resource_pb2.RegisterResourceRequest) -> Resource:
    aliases = [
        Alias(urn=a.urn)
        if a.urn
        else Alias(
            name=a.spec.name,
            type=a.spec.type,
            parent=a.spec.parentUrn,
            no_parent=a.spec.noParent,
        )
        for a in request.aliases
    ]
    return Resource(
        type=request.type,
        name=request.name,
        inputs=from_struct(request.object),
        aliases=aliases,
        parent=request.parent,
        delete_before_replace=(
            request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
        ),
    )
