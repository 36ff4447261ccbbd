"""A small stand-in for the Pulumi engine: it drives our dynamic provider over gRPC as the engine does.

The Pulumi CLI cannot be installed here (shared/docs/pulumi-engine.md), so this plays its part, and
only its part, faithfully:
- it starts the provider host the way the engine does: `python -u -m pulumi.dynamic <address>` with
  cwd = the project directory, reads the port from the first stdout line, keeps every later line
  (what the user would see) in `ProviderHost.log`;
- `Configure{args}` with the namespaced stack config, secrets unwrapped;
- `__provider` built as `pulumi.dynamic.Resource` builds it (dill by reference, base64, through
  `serialize_provider`);
- every number travels as a protobuf double, exactly as in a Struct; unknown values (preview) travel
  as the SDK's unknown sentinel string;
- olds: old inputs for Check, old OUTPUTS for Diff, Update, Read and Delete;
- preview = Check + Diff only; up = Check, Diff, then Create / Update / delete-before-replace, resources
  in parallel as the engine steps independent resources; refresh = Read; destroy = Delete.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
"""Put this in a resource's inputs for a value that is unknown during preview."""


def provider_blob(provider: Any) -> str:
    """`__provider` exactly as pulumi.dynamic.Resource builds it."""
    blob, _ = _serialize(True, serialize_provider, provider)
    return blob


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties on the wire: numbers as doubles (a Struct has no ints), unknowns as the sentinel."""

    def wire(value: Any) -> Any:
        if value is UNKNOWN:
            return rpc.UNKNOWN
        if isinstance(value, Mapping):
            return {k: wire(v) for k, v in value.items() if v is not None}
        if isinstance(value, list | tuple):
            return [wire(v) for v in value]
        return value

    struct = struct_pb2.Struct()
    struct.update(wire(props))
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


class EngineError(Exception):
    """A provider call failed; `details` is the provider's traceback text, `last_line` its last line
    (what the Pulumi CLI user reads)."""

    def __init__(self, call: str, name: str, details: str) -> None:
        self.call = call
        self.name = name
        self.details = details
        lines = [line for line in details.strip().splitlines() if line.strip()]
        self.last_line = lines[-1] if lines else ""
        super().__init__(f"{call} {name}: {self.last_line}")


class ProviderHost:
    """The provider process and a gRPC stub to it."""

    def __init__(
        self, project_dir: Path, env: Mapping[str, str], config: Mapping[str, Any] | None = None
    ) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:0"],
            cwd=project_dir,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline() if self.process.stdout else ""
        if not first.strip().isdigit():
            self.process.kill()
            raise RuntimeError(f"provider host did not print its port: {first!r}")
        self.port = int(first)
        self._lines: list[str] = []
        self._lock = threading.Condition()
        self._readers = [
            threading.Thread(target=self._drain, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=10)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.stub.Configure(
            provider_pb2.ConfigureRequest(args=to_struct(config or {}), acceptSecrets=True)
        )

    def _drain(self, stream: Any) -> None:
        for line in stream:
            with self._lock:
                self._lines.append(line)
                self._lock.notify_all()

    @property
    def log(self) -> str:
        """Everything the host printed after its port line (stdout and stderr)."""
        with self._lock:
            return "".join(self._lines)

    def wait_for(self, text: str, timeout: float = 5.0) -> str:
        """The log once it contains `text` (the host's pipes are read by threads: lines lag)."""
        with self._lock:
            self._lock.wait_for(lambda: text in "".join(self._lines), timeout)
            return "".join(self._lines)

    def kill(self) -> None:
        """SIGKILL, as when a CI runner is cancelled mid-deploy."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.channel.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.channel.close()
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for reader in self._readers:
            reader.join(timeout=5)

    def call(self, method: str, name: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as error:
            raise EngineError(method, name, error.details() or str(error)) from None


@dataclass
class Resource:
    """A resource as a program declares it: type token, name, inputs (no `__provider`)."""

    type: str
    name: str
    inputs: dict[str, Any]

    @property
    def urn(self) -> str:
        return f"urn:pulumi:test::dli-flink::{self.type}::{self.name}"


@dataclass
class State:
    id: str
    type: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Step:
    """What the engine did (or would do) to one resource."""

    op: str
    """create | update | replace | same | delete | refresh | gone | failed"""
    failures: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    error: EngineError | None = None


class Engine:
    """A stack's state and the preview / up / refresh / destroy operations over one provider host."""

    def __init__(self, host: ProviderHost, blob: str) -> None:
        self.host = host
        self.blob = blob
        self.state: dict[str, State] = {}

    def _inputs(self, resource: Resource) -> dict[str, Any]:
        return {**resource.inputs, PROVIDER_KEY: self.blob}

    def check(self, resource: Resource) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        old = self.state.get(resource.name)
        request = provider_pb2.CheckRequest(
            urn=resource.urn,
            olds=to_struct(old.inputs if old else {}),
            news=to_struct(self._inputs(resource)),
        )
        answer = self.host.call("Check", resource.name, request)
        failures = [(f.property, f.reason) for f in answer.failures]
        return from_struct(answer.inputs), failures

    def diff(self, resource: Resource, checked: dict[str, Any]) -> provider_pb2.DiffResponse:
        old = self.state[resource.name]
        request = provider_pb2.DiffRequest(
            id=old.id,
            urn=resource.urn,
            olds=to_struct(old.outputs),
            news=to_struct(_restore_unknowns(checked)),
        )
        return self.host.call("Diff", resource.name, request)

    def _plan(self, resource: Resource) -> tuple[Step, dict[str, Any]]:
        checked, failures = self.check(resource)
        if failures:
            return Step("failed", failures=failures), checked
        if resource.name not in self.state:
            return Step("create"), checked
        answer = self.diff(resource, checked)
        if answer.changes != provider_pb2.DiffResponse.DIFF_SOME:
            return Step("same"), checked
        if answer.replaces:
            return Step("replace", replaces=list(answer.replaces)), checked
        return Step("update"), checked

    def preview(self, resources: Iterable[Resource]) -> dict[str, Step]:
        """Check and Diff only, as `pulumi preview` does."""
        return {r.name: self._plan(r)[0] for r in resources}

    def up(self, resources: Iterable[Resource]) -> dict[str, Step]:
        """Plan every resource, then carry the steps out in parallel; delete what left the program."""
        resources = list(resources)
        steps: dict[str, Step] = {}
        with ThreadPoolExecutor(max_workers=max(len(resources), 1)) as pool:
            for name, step in zip(
                [r.name for r in resources], pool.map(self._apply, resources), strict=True
            ):
                steps[name] = step
        wanted = {r.name for r in resources}
        for name in [n for n in self.state if n not in wanted]:
            steps[name] = self._delete(name)
        return steps

    def _apply(self, resource: Resource) -> Step:
        try:
            step, checked = self._plan(resource)
            if step.op == "failed":
                return step
            if step.op == "replace":
                self._delete(resource.name, raise_errors=True)
            if step.op in ("create", "replace"):
                answer = self.host.call(
                    "Create",
                    resource.name,
                    provider_pb2.CreateRequest(urn=resource.urn, properties=to_struct(checked)),
                )
                self.state[resource.name] = State(
                    answer.id, resource.type, checked, from_struct(answer.properties)
                )
            elif step.op == "update":
                old = self.state[resource.name]
                answer = self.host.call(
                    "Update",
                    resource.name,
                    provider_pb2.UpdateRequest(
                        id=old.id,
                        urn=resource.urn,
                        olds=to_struct(old.outputs),
                        news=to_struct(checked),
                    ),
                )
                self.state[resource.name] = State(
                    old.id, resource.type, checked, from_struct(answer.properties)
                )
            return step
        except EngineError as error:
            return Step("failed", error=error)

    def refresh(self) -> dict[str, Step]:
        steps = {}
        for name, old in list(self.state.items()):
            urn = Resource(old.type, name, {}).urn
            try:
                answer = self.host.call(
                    "Read",
                    name,
                    provider_pb2.ReadRequest(
                        id=old.id,
                        urn=urn,
                        properties=to_struct(old.outputs),
                        inputs=to_struct(old.inputs),
                    ),
                )
            except EngineError as error:
                steps[name] = Step("failed", error=error)
                continue
            if not answer.id:
                del self.state[name]
                steps[name] = Step("gone")
                continue
            inputs = from_struct(answer.inputs) if answer.HasField("inputs") else old.inputs
            self.state[name] = State(answer.id, old.type, inputs, from_struct(answer.properties))
            steps[name] = Step("refresh")
        return steps

    def _delete(self, name: str, raise_errors: bool = False) -> Step:
        old = self.state[name]
        try:
            self.host.call(
                "Delete",
                name,
                provider_pb2.DeleteRequest(
                    id=old.id,
                    urn=Resource(old.type, name, {}).urn,
                    properties=to_struct(old.outputs),
                ),
            )
        except EngineError as error:
            if raise_errors:
                raise
            return Step("failed", error=error)
        del self.state[name]
        return Step("delete")

    def destroy(self) -> dict[str, Step]:
        names = list(self.state)
        with ThreadPoolExecutor(max_workers=max(len(names), 1)) as pool:
            return dict(zip(names, pool.map(self._delete, names), strict=True))


def _restore_unknowns(value: Any) -> Any:
    """Check's answer carries unknowns as the sentinel string; send them on as unknowns."""
    if value == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _restore_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_unknowns(v) for v in value]
    return value


def host_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The provider's environment: this one minus credentials, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUAWEICLOUD_SDK_", "DLI_FLINK_", "PULUMI_"))
    }
    env.update(extra or {})
    return env
