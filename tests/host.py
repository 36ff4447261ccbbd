"""The provider host as the Pulumi engine starts and calls it, and the wire between them.

The engine's side of this process boundary, and only that (sources cited per behaviour; engine
sources are pulumi/pulumi v3.259, the SDK is the one installed):
- the host is started as `python -u -m pulumi.dynamic <engine address>` with cwd = the project
  directory; its first stdout line is the port; every later line (stdout and stderr) is what the
  user sees (sdk/python/lib/pulumi/dynamic/__main__.py `main`; pkg/resource/plugin/plugin.go);
- `Configure{args}` carries the whole stack config with its namespaced keys, for a dynamic provider
  (pkg/resource/deploy/target.go `Target.GetPackageConfig`: "For dynamic providers, we always pass
  the full configuration");
- property bags are protobuf Structs: every number is a double, an unknown (preview) is the SDK's
  sentinel string (sdk/go/common/resource/plugin/rpc.go `MarshalPropertyValue`);
- a failed call is a gRPC error whose details are the provider's text, in one of two styles: the
  whole traceback (SDK 3.272's dynamic host aborts with `traceback.format_exc()`) or, in SDKs up to
  3.259, grpc's own `Exception calling application: <exception>` (grpc/_server.py
  `_call_behavior`). `EngineError.message` is the provider's text in either style.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"
TRACEBACK, LEGACY = "traceback", "legacy"
"""The two error styles of the SDK's dynamic host (see the module docstring)."""
_LEGACY_HOST = (
    "import sys, traceback, runpy\n"
    # SDKs up to 3.259 had no handler of their own: grpc answered an unhandled exception with
    # 'Exception calling application: <exception>' (grpc/_server.py _call_behavior). The current
    # host aborts with traceback.format_exc(); giving it grpc's text reproduces the old answer.
    "traceback.format_exc = lambda *a, **k: f'Exception calling application: {sys.exc_info()[1]}'\n"
    "runpy.run_module('pulumi.dynamic', run_name='__main__', alter_sys=True)\n"
)


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
    """Properties on the wire: numbers as doubles (a Struct has no ints), unknowns as the sentinel,
    None left out (rpc.go MarshalPropertyValue skips nulls unless asked to keep them)."""

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


def restore_unknowns(value: Any) -> Any:
    """A Check answer carries unknowns as the sentinel string; the engine sends them on as unknowns."""
    if value == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: restore_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_unknowns(v) for v in value]
    return value


_CLASS_PREFIX = re.compile(r"^[A-Za-z_][\w.]*: ")
_LEGACY_PREFIX = "Exception calling application: "


class EngineError(Exception):
    """A provider call failed. `details` is the text the CLI prints (either style), `message` the
    provider's own text: the last traceback line without the exception's class, or grpc's text
    without its prefix."""

    def __init__(self, call: str, urn: str, details: str) -> None:
        self.call = call
        self.urn = urn
        self.details = details
        lines = [line for line in details.strip().splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        if details.startswith(_LEGACY_PREFIX):
            self.message = details[len(_LEGACY_PREFIX) :].strip()
        else:
            self.message = _CLASS_PREFIX.sub("", last, count=1)
        super().__init__(f"{call} {urn}: {self.message}")


class ProviderHost:
    """The provider process and a gRPC stub to it, configured with the stack config."""

    def __init__(
        self,
        project_dir: Path,
        env: Mapping[str, str],
        config: Mapping[str, Any] | None = None,
        *,
        secret: Collection[str] = (),
        style: str = TRACEBACK,
    ) -> None:
        """`secret`: the config keys set with `pulumi config set --secret`; `style`: TRACEBACK or
        LEGACY, the error text of the SDK the user has."""
        self.config = dict(config or {})
        self.secret = frozenset(secret)
        command = (
            ["-u", "-m", "pulumi.dynamic"] if style == TRACEBACK else ["-u", "-c", _LEGACY_HOST]
        )
        self.process = subprocess.Popen(
            [sys.executable, *command, "127.0.0.1:0"],
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
            provider_pb2.ConfigureRequest(args=to_struct(self.config), acceptSecrets=True)
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

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """The log once it contains `text` (the host's pipes are read by threads: lines lag, and
        on a busy machine by seconds). `timeout` is a hang guard, not a speed bound: it returns as
        soon as the text is there."""
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

    def call(self, method: str, urn: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as error:
            raise EngineError(method, urn, error.details() or str(error)) from None


def host_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The provider's environment: this one minus credentials, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUAWEICLOUD_SDK_", "DLI_FLINK_", "PULUMI_"))
    }
    env.update(extra or {})
    return env
