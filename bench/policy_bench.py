"""Benchmark the CrossGuard pack on a 1,000-job stack, over gRPC, as `pulumi preview` drives it.

Why: the engine calls the pack inside step generation, one resource after another, so whatever the
pack takes adds to preview's wall time. Issue 14's target: the pack adds at most half of what the
provider's own preview of the same 1,000 jobs takes (bench/provider_bench.py section 3), measured
in the same run, since the machine's speed varies more than the ratio does.

What the engine sends, and so what is timed (pulumi/pulumi: pkg/resource/deploy/step_generator.go,
pkg/resource/plugin/analyzer_plugin.go, pkg/resource/deploy/target.go), per resource in turn:
- Remediate: the checked inputs, internal keys (`__provider`) included and secrets kept (a pack
  may answer UNIMPLEMENTED, which the engine reads as no remediations: `remediations`), then
- Analyze: the same inputs without internal keys;
both with the resource's provider: the default `pulumi:providers:pulumi-python` resource, whose
inputs are the whole stack config (keys namespaced, `--secret` values as secrets) plus `version`;
then one AnalyzeStack with every resource's outputs (without internal keys), each with its provider.
The stack: seeded FlinkSqlJob and FlinkJarJob resources (every number a double), about 5% of them
with findings, spread over four queues whose capacities come from the policy config.

How the engine calls, and so how this calls: one call at a time. The deployment executor hands
step generation one event after another (deployment_executor.go `Execute` ->
`handleSingleEvent`), and for each resource step generation runs Check, then Remediate, then
Analyze (analyzers run in parallel with each other, and there is one pack here), then Diff
(step_generator.go; in parallel only with the experimental --parallel-diff). So the pack's calls
and the provider's are timed the same way: in turn, each request built before the clock starts,
through the same client. That client is the engine's kind where Go is installed (`apt-get install
golang-go golang-google-grpc-dev`): bench/engine_client, grpc-go with the engine's dial options,
fed the serialized requests, timing each call. Without Go (`--client python`) it is Python's gRPC
client, about 0.2 ms of CPU a call more than Go's, for both sides, which leans against the pack
(it makes 2,001 calls to the provider's 1,500).

How the engine reaches each pack, and so how this does (with the Go client):
- dli-flink's pack says `runtime: dli-flink`, so the engine starts the analyzer plugin
  `pulumi-analyzer-policy-dli-flink` from PATH and calls it directly (dli_flink/policy_plugin.py;
  pkg/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer`);
- a `runtime: python` pack (the others here) is started by the Python language host, whose
  PolicyProxy takes every call and makes it to the pack (sdk/python/cmd/pulumi-language-python/
  main.go `RunPlugin`, sdk/policy_proxy.go): bench/engine_client's proxy stands in for it, a Go
  server forwarding each call's bytes through a Go client (PolicyProxy also unmarshals and
  marshals each message, which the stand-in leaves out).

Each run starts a fresh pack process (so the pack's caches start cold as in a real preview): the
plugin as the engine starts it (its address and `.`, in the pack's folder), a Python pack as the
language host does (`python -u -m pulumi.policy <engine> <pack>`), both with the environment they
get (PACK_ENV), and configures it as the engine and the CLI do (ConfigureStack, then every
policy's level and schema defaults and the user's settings). Start-up is printed apart: the engine
pays it once per command, while the program starts.

Measured in the same run, runs alternating:
- dli-flink's pack (policies/: dli_flink.policy_server);
- the same policies served by pulumi_policy's own server (`PolicyPack`), which converts a
  resource's properties (and its provider's) afresh for every policy, in pure Python;
- the peer: a pack of the same policies (names, kinds, levels) that do nothing, on pulumi_policy's
  server; its difference from the row above is what dli-flink's checks add;
- the transport floor: an analyzer that answers every call at once, no SDK in between: what any
  pack costs on these calls over Python gRPC, whatever it does; and its variants (FLOORS), the
  server's levers: Remediate left unimplemented (as dli-flink's pack does while no policy
  remediates), one pool thread, grpc.aio's server instead of the sync one, and reached without
  the language host's proxy (as dli-flink's pack is);
- the provider's own preview of as many jobs: section 3 of bench/provider_bench.py (Check and Diff
  through the provider host as the engine starts it, half the jobs deployed, half new).
Best and median are printed, with CPU seconds (wall time on a shared machine also counts waiting
for a CPU), each pack's time as a share of the preview of its round, and its CPU as a share of the
provider host's. A benchmark, not a test: it
exits 0 whether or not the target is met, and nonzero only if a pack fails or its diagnostics are
not the ones the stack was built to produce.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, provider_pb2
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "provider"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
"""The packs and the provider host run this tree's dli_flink, whatever else is installed."""

from dli_flink.deploy.provider import JobProvider  # noqa: E402
from provider_bench import SQL_TYPE, document  # noqa: E402

from tests.engine import ProviderHost, Resource, host_env, provider_blob  # noqa: E402
from tests.host import to_struct  # noqa: E402

PACK = ROOT / "policies"
DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
TARGET_SHARE = 0.5
"""The pack may add at most this share of the provider's own preview time."""
SEED = 5
FINDINGS_SHARE = 0.05
QUEUES = {
    "flink_shared": 16000,
    "flink_payments": 12000,
    "flink_analytics": 12000,
    "flink_etl": 12000,
}
TYPES = {
    "FlinkSqlJob": "pulumi-python:dynamic/dli:FlinkSqlJob",
    "FlinkJarJob": "pulumi-python:dynamic/dli:FlinkJarJob",
}
STACK_CONFIG = {
    "dli-flink:region": "cn-north-4",
    "dli-flink:projectId": "0123456789abcdef0123456789abcdef",
    "dli-flink:accessKey": "BENCHACCESSKEY0000000",
    "dli-flink:secretKey": "bench-secret-key-0000000000000000000000",
}
"""The stack config of README's "Deploy with Pulumi" (the secret key set with --secret)."""
SECRET_KEYS = {"dli-flink:secretKey"}
STACK, PROJECT_NAME = "bench", "jobs"
URN_PREFIX = f"urn:pulumi:{STACK}::{PROJECT_NAME}::"
PACK_ENV = {
    "PULUMI_PROJECT": PROJECT_NAME,
    "PULUMI_STACK": STACK,
    "PULUMI_DRY_RUN": "true",
    "PULUMI_CONFIG": json.dumps(STACK_CONFIG),
}
"""What the pack's process finds in its environment: the engine starts a Python pack through the
language host's RunPlugin, which sets these from the stack's ConfigureStack call before it starts
`python -u -m pulumi.policy` (sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`; the
organization is left out, as for a DIY backend). pulumi_policy's server reads them on every call
(policy.py `_configure_runtime_settings`)."""
OPTIONS = analyzer_pb2.AnalyzerResourceOptions(
    parent=f"{URN_PREFIX}pulumi:pulumi:Stack::jobs-bench"
)
POLICY_CONFIG: dict[str, dict[str, Any]] = {
    "queue-capacity": {"queues": {queue: {"cu": cu} for queue, cu in QUEUES.items()}}
}
"""What a user's --policy-pack-config would hold for this stack, by policy."""
NO_OP_PACK = """\
from dli_flink.policy import PACK_NAME, policies
from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy


def nothing(args, report):
    return None


PolicyPack(
    name=PACK_NAME,
    policies=[
        (ResourceValidationPolicy if isinstance(p, ResourceValidationPolicy) else StackValidationPolicy)(
            name=p.name,
            description=p.description,
            validate=nothing,
            enforcement_level=p.enforcement_level,
            config_schema=p.config_schema,
        )
        for p in policies()
    ],
)
"""
"""The peer: dli-flink's policies with their checks taken out."""
FLOOR_PACK = """\
import asyncio
import sys
import threading
from concurrent import futures

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

ANSWERS = {
    "GetAnalyzerInfo": lambda: analyzer_pb2.AnalyzerInfo(
        name="floor", version="0.0.1", supportsConfig=True
    ),
    "Configure": empty_pb2.Empty,
    "Analyze": analyzer_pb2.AnalyzeResponse,
    "AnalyzeStack": analyzer_pb2.AnalyzeResponse,
    "Remediate": analyzer_pb2.RemediateResponse,
}


def answer(method):
    make = ANSWERS[method]
    if AIO:
        async def respond(self, request, context):
            return make()
    else:
        def respond(self, request, context):
            return make()
    return respond


class Nothing(analyzer_pb2_grpc.AnalyzerServicer):
    GetAnalyzerInfo = answer("GetAnalyzerInfo")
    Configure = answer("Configure")
    Analyze = answer("Analyze")
    AnalyzeStack = answer("AnalyzeStack")
    Remediate = answer("Remediate")


class Handlers:
    \"\"\"Collects the generic handler the generated code registers, to leave Remediate out.\"\"\"

    def add_generic_rpc_handlers(self, handlers):
        (self.inner,) = handlers


class Without(grpc.GenericRpcHandler):
    def __init__(self, inner):
        self.inner = inner

    def service(self, details):
        if not REMEDIATE and details.method == "/pulumirpc.Analyzer/Remediate":
            return None
        return self.inner.service(details)


handlers = Handlers()
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Nothing(), handlers)
handler = Without(handlers.inner)


async def serve_aio():
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\\n")
    sys.stdout.flush()
    await server.wait_for_termination()


if AIO:
    asyncio.run(serve_aio())
else:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\\n")
    sys.stdout.flush()
    threading.Event().wait()
"""
"""The transport floor: an analyzer that answers every call at once with an empty answer, no SDK
in between: what any Python pack costs here, whatever it does. Its variants (the constants put in
front of it, FLOORS) are the server's levers: grpc's sync server, which hands every call from its
polling thread to a thread pool, against grpc.aio's, which runs handlers on its event loop; and
Remediate answered empty against left unregistered, which the server rejects as UNIMPLEMENTED
before any handler runs and the engine reads as "no remediations" (analyzer_plugin.go
`Remediate`)."""
FLOORS = {
    "transport floor": "AIO, REMEDIATE, WORKERS = False, True, 4",
    "floor, Remediate unimplemented": "AIO, REMEDIATE, WORKERS = False, False, 4",
    "floor, 1 worker, Remediate unimpl.": "AIO, REMEDIATE, WORKERS = False, False, 1",
    "aio floor": "AIO, REMEDIATE, WORKERS = True, True, 0",
    "aio floor, Remediate unimplemented": "AIO, REMEDIATE, WORKERS = True, False, 0",
    "floor, Remediate unimpl., as a plugin": "AIO, REMEDIATE, WORKERS = False, False, 4",
}
"""The floor's variants, by name: the constants FLOOR_PACK reads."""
AS_PLUGIN = {"dli-flink", "floor, Remediate unimpl., as a plugin"}
"""The packs the engine reaches directly, as an analyzer plugin: dli-flink's, whose
PulumiPolicy.yaml names its own runtime (dli_flink/policy_plugin.py), and a floor started the same
way. The others are `runtime: python` packs, which the engine reaches through the Python language
host's PolicyProxy (with the Go client: `GoClient.proxy`)."""
PLUGIN = "pulumi-analyzer-policy-dli-flink"
LIBRARY_SERVER_PACK = """\
from dli_flink.policy import PACK_NAME, policies
from pulumi_policy import PolicyPack

PolicyPack(name=PACK_NAME, policies=policies())
"""
"""dli-flink's policies served by pulumi_policy's `PolicyPack`, as the pack was served before
dli_flink.policy_server: what that server costs the same checks."""
PROGRAMS = {
    "dli-flink on pulumi_policy's server": LIBRARY_SERVER_PACK,
    "no-op peer": NO_OP_PACK,
    **{name: f"{constants}\n{FLOOR_PACK}" for name, constants in FLOORS.items()},
}
"""The packs measured besides policies/, by name: their __main__.py."""


def generate(count: int, rng: random.Random) -> list[tuple[str, dict[str, Any], bool]]:
    """(type token, inputs, has findings) per resource; names unique, every queue within capacity."""
    jobs = []
    for index in range(count):
        kind = "FlinkSqlJob" if index % 3 else "FlinkJarJob"
        cu = rng.choice([2, 4, 8, 16])
        inputs: dict[str, Any] = {
            "name": f"job-{index:04d}",
            "description": f"generated job {index}",
            "queue": rng.choice(list(QUEUES)),
            "flinkVersion": rng.choice(["1.12", "1.15", "1.13"]),  # 1.17: v2 only
            "agency": "dli_flink_agency",
            "resources": {"cu": cu, "managerCu": 1, "parallelism": cu},
            "checkpoint": {"enabled": True, "intervalSeconds": 60, "mode": "exactly_once"},
            "obsBucket": "bench-bucket",
            "logEnabled": True,
            "scaling": {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": cu * 2},
            "runtimeConfig": {"table.exec.state.ttl": "1h", "pipeline.max-parallelism": "128"},
            "tags": {"team": rng.choice(["data", "payments", "risk"]), "tier": "gold"},
        }
        if kind == "FlinkSqlJob":
            inputs["sql"] = f"INSERT INTO sink_{index} SELECT * FROM source WHERE id > {index}"
        else:
            inputs["jar"] = {"entrypoint": "obs://bench/app.jar", "args": ["--id", str(index)]}
        wrong = rng.random() < FINDINGS_SHARE
        if wrong:
            inputs["scaling"]["cuMax"] = 1  # below cu: scaling-cu-max-below-cu
        jobs.append((TYPES[kind], inputs, wrong))
    return jobs


def _struct(properties: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(properties)
    return message


def _secret(value: Any) -> dict[str, Any]:
    """A secret as the engine marshals it with KeepSecrets."""
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


def requests(
    jobs: list[tuple[str, dict[str, Any], bool]], blob: str
) -> tuple[
    list[tuple[analyzer_pb2.AnalyzeRequest, analyzer_pb2.AnalyzeRequest]],
    analyzer_pb2.AnalyzeStackRequest,
]:
    """(Remediate, Analyze) per resource and the AnalyzeStack request, as the engine builds them."""
    config = {k: _secret(v) if k in SECRET_KEYS else v for k, v in STACK_CONFIG.items()}
    provider = analyzer_pb2.AnalyzerProviderResource(
        type="pulumi:providers:pulumi-python",
        urn=f"{URN_PREFIX}pulumi:providers:pulumi-python::default",
        name="default",
        properties=_struct({**config, "version": "3.272.0"}),
    )
    per_resource = []
    stack = analyzer_pb2.AnalyzeStackRequest()
    for index, (kind, inputs, _) in enumerate(jobs):
        name = inputs["name"]
        urn = f"{URN_PREFIX}{kind}::{name}"
        remediate, analyze = (
            analyzer_pb2.AnalyzeRequest(
                type=kind,
                name=name,
                urn=urn,
                properties=_struct(properties),
                options=OPTIONS,
                provider=provider,
            )
            for properties in ({**inputs, "__provider": blob}, inputs)
        )
        per_resource.append((remediate, analyze))
        outputs = {**inputs, "jobId": 1000 + index, "status": "job_running"}
        stack.resources.append(
            analyzer_pb2.AnalyzerResource(
                type=kind,
                name=name,
                urn=urn,
                properties=_struct(outputs),
                options=OPTIONS,
                provider=provider,
                parent=OPTIONS.parent,
            )
        )
    return per_resource, stack


def cpu_seconds(pid: int) -> float:
    """CPU seconds a process has used (Linux /proc): what it costs, whatever else the machine is
    doing, where wall time also counts waiting for a busy CPU."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ENGINE_CLIENT = ROOT / "bench" / "engine_client"
GO_ENV = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": ""}
"""How bench/engine_client builds: in GOPATH mode against Debian's packaged grpc-go (`apt-get
install golang-go golang-google-grpc-dev`), since no Go module proxy is reachable here."""
UNIMPLEMENTED = grpc.StatusCode.UNIMPLEMENTED.value[0]


class GoClient:
    """The engine's side of the calls, in Go (bench/engine_client): what both sides of the ratio
    are timed with when Go is installed. The Python client costs about 0.2 ms of CPU a call, which
    the engine's Go client does not, and the pack makes more calls than the provider."""

    def __init__(self, scratch: Path) -> None:
        self.binary = scratch / "engine_client"
        env = {**os.environ, **GO_ENV, "GOCACHE": str(scratch / "gocache")}
        built = subprocess.run(
            ["go", "build", "-o", str(self.binary), "main.go"],
            cwd=ENGINE_CLIENT,
            env=env,
            capture_output=True,
            text=True,
        )
        if built.returncode:
            raise SystemExit(f"bench/engine_client did not build:\n{built.stderr}")
        self.scratch = scratch

    def replay(self, port: int, calls: list[tuple[str, bytes]]) -> tuple[list[float], list[Any]]:
        """Seconds per call and (status code, answer bytes) per call, in order."""
        requests_file, answers_file = self.scratch / "calls", self.scratch / "answers"
        with requests_file.open("wb") as out:
            for method, request in calls:
                for data in (method.encode(), request):
                    out.write(len(data).to_bytes(4, "big") + data)
        timed = subprocess.run(
            [
                str(self.binary),
                "replay",
                f"127.0.0.1:{port}",
                str(requests_file),
                str(answers_file),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = [int(line) / 1e9 for line in timed.stdout.split()]
        data, answers, at = answers_file.read_bytes(), [], 0
        while at < len(data):
            size = int.from_bytes(data[at + 1 : at + 5], "big")
            answers.append((data[at], data[at + 5 : at + 5 + size]))
            at += 5 + size
        return seconds, answers

    def proxy(self, port: int) -> tuple[subprocess.Popen[str], int]:
        """A PolicyProxy stand-in in front of the pack on `port`, and the port it serves."""
        process = subprocess.Popen(
            [str(self.binary), "proxy", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True
        )
        return process, int(process.stdout.readline())


class Pack:
    """One pack process, started and configured as the engine and the CLI do."""

    def __init__(self, directory: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
        env.update(PACK_ENV)
        if directory == PACK:  # the analyzer plugin its PulumiPolicy.yaml names, from PATH
            path = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
            plugin = shutil.which(PLUGIN, path=path)
            if not plugin:
                raise SystemExit(f"{PLUGIN} is not installed: pip install -e '.[dev]'")
            command = [plugin, "127.0.0.1:1", "."]
        else:  # what the Python language host runs (pulumi-language-python `RunPlugin`)
            command = [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(directory)]
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=directory,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = self.process.stdout.readline().strip()
        self.port = int(port) if port.isdigit() else 0
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        try:
            if not port.isdigit():
                raise SystemExit(f"the pack did not start (first line {port!r})")
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
            self.start()
        except BaseException:
            self.close()
            raise
        self.startup = time.perf_counter() - started

    def start(self) -> None:
        """The stack's configuration, which a pack may not implement (analyzer_plugin.go
        `NewPolicyAnalyzer` goes on at Unimplemented), then the policies'."""
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=STACK,
            project=PROJECT_NAME,
            dry_run=True,
            config=STACK_CONFIG,
            config_secret_keys=sorted(SECRET_KEYS),
        )
        try:
            self.stub.ConfigureStack(request)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
        self.configure()

    def configure(self) -> None:
        """As the CLI does (pkg/resource/analyzer/config.go): each policy's level and the defaults
        of its config schema's top-level properties, then POLICY_CONFIG's properties over them."""
        info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy in info.policies:
            schema = json_format.MessageToDict(policy.configSchema.properties)
            properties = {k: v["default"] for k, v in schema.items() if "default" in v}
            properties.update(POLICY_CONFIG.get(policy.name, {}))
            config = request.policyConfig[policy.name]
            config.enforcementLevel = policy.enforcementLevel
            config.properties.update(properties)
        self.stub.Configure(request)

    def close(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


def remediations(
    stub: analyzer_pb2_grpc.AnalyzerStub, request: analyzer_pb2.AnalyzeRequest
) -> bool:
    """Whether the pack remediates the resource. As the engine's client: a pack that answers
    UNIMPLEMENTED has no remediations (sdk/go/common/resource/plugin/analyzer_plugin.go
    `Remediate`, `codes.Unimplemented` -> an empty RemediateResponse), and the Python language
    host's PolicyProxy hands the pack's status on unchanged (sdk/policy_proxy.go `Remediate`)."""
    try:
        return bool(stub.Remediate(request).remediations)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise
        return False


def run_pack(
    directory: Path,
    per_resource: list[tuple[analyzer_pb2.AnalyzeRequest, analyzer_pb2.AnalyzeRequest]],
    stack: analyzer_pb2.AnalyzeStackRequest,
    expected: list[bool],
    go: GoClient | None,
    plugin: bool,
) -> dict[str, float]:
    """Start-up; Remediate + Analyze of every resource; AnalyzeStack (wall seconds each); the
    pack's CPU seconds for the last two. Resources flagged must be exactly `expected`. With `go`,
    the calls are the Go client's, and they reach a pack that is not a `plugin` through a
    PolicyProxy stand-in, as the engine reaches a `runtime: python` pack."""
    pack = Pack(directory)
    proxy = None
    try:
        if go:
            proxy, port = (None, pack.port) if plugin else go.proxy(pack.port)
            calls = [
                (f"/pulumirpc.Analyzer/{method}", request.SerializeToString())
                for pair in per_resource
                for method, request in zip(("Remediate", "Analyze"), pair, strict=True)
            ]
            calls.append(("/pulumirpc.Analyzer/AnalyzeStack", stack.SerializeToString()))
            cpu = cpu_seconds(pack.process.pid)
            seconds, answers = go.replay(port, calls)
            cpu = cpu_seconds(pack.process.pid) - cpu
            resources, stack_seconds = sum(seconds[:-1]), seconds[-1]
            if any(code not in (0, UNIMPLEMENTED) for code, _ in answers[:-1:2]) or any(
                code for code, _ in answers[1::2]
            ):
                raise SystemExit(f"{directory}: a call failed")
            remediated = any(
                not code and analyzer_pb2.RemediateResponse.FromString(data).remediations
                for code, data in answers[:-1:2]
            )
            flagged = [
                bool(analyzer_pb2.AnalyzeResponse.FromString(data).diagnostics)
                for _, data in answers[1:-1:2]
            ]
            stack_diagnostics = analyzer_pb2.AnalyzeResponse.FromString(answers[-1][1]).diagnostics
        else:
            cpu = cpu_seconds(pack.process.pid)
            started = time.perf_counter()
            flagged, remediated = [], False
            for remediate, analyze in per_resource:
                remediated |= remediations(pack.stub, remediate)
                flagged.append(bool(pack.stub.Analyze(analyze).diagnostics))
            analyzed = time.perf_counter()
            stack_diagnostics = pack.stub.AnalyzeStack(stack).diagnostics
            finished = time.perf_counter()
            cpu = cpu_seconds(pack.process.pid) - cpu
            resources, stack_seconds = analyzed - started, finished - analyzed
    finally:
        if proxy:
            proxy.kill()
            proxy.wait()
            proxy.stdout.close()
        pack.close()
    if flagged != expected or remediated or list(stack_diagnostics):
        raise SystemExit(f"{directory}: the diagnostics are not the ones the stack was built for")
    return {
        "start-up": pack.startup,
        "resources": resources,
        "stack": stack_seconds,
        "total": resources + stack_seconds,
        "cpu": cpu,
    }


class Preview:
    """The provider's own preview of `count` jobs, as bench/provider_bench.py section 3 runs it:
    one provider host, and per job in turn Check, then Diff for the half already deployed (the
    other half is new), as tests/engine.py `Engine._generate` sends them. Check and Diff make no
    DLI call, so no emulator is needed.

    Timed as the pack is: every request is built before the clock starts (Diff's news are the
    inputs Check answers, the same on every run), so both sides pay the same client work per call,
    a serialized message and a parsed answer, and neither is charged for this script building the
    engine's messages in Python, which the engine does in Go."""

    def __init__(self, count: int, project: Path, go: GoClient | None) -> None:
        self.go = go
        self.host = ProviderHost(project, host_env(), STACK_CONFIG)
        try:
            self.prepare(count)
        except BaseException:
            self.host.close()
            raise

    def prepare(self, count: int) -> None:
        self.blob = provider_blob(JobProvider())
        self.calls: list[tuple[str, Any]] = []
        for index in range(count):
            resource = Resource(SQL_TYPE, f"p-{index}", document(f"p-{index}"))
            news = {"__provider": self.blob, **resource.inputs}
            deployed = index < count // 2
            check = provider_pb2.CheckRequest(
                urn=resource.urn, olds=to_struct(news if deployed else {}), news=to_struct(news)
            )
            self.calls.append(("Check", check))
            if deployed:
                checked = self.host.call("Check", resource.urn, check).inputs
                diff = provider_pb2.DiffRequest(
                    id="1",
                    urn=resource.urn,
                    old_inputs=to_struct(news),
                    olds=to_struct({**news, "jobId": 1}),
                    news=checked,
                )
                self.calls.append(("Diff", diff))
        self.run()  # warm the host, as provider_bench's earlier sections do

    def run(self) -> dict[str, float]:
        cpu = cpu_seconds(self.host.process.pid)
        if self.go:
            calls = [
                (f"/pulumirpc.ResourceProvider/{method}", request.SerializeToString())
                for method, request in self.calls
            ]
            took, replies = self.go.replay(self.host.port, calls)
            if any(code for code, _ in replies):
                raise SystemExit("a call to the provider failed")
            seconds = sum(took)
            kinds = {"Check": provider_pb2.CheckResponse, "Diff": provider_pb2.DiffResponse}
            answers = [
                kinds[method].FromString(data)
                for (method, _), (_, data) in zip(self.calls, replies, strict=True)
            ]
        else:
            started = time.perf_counter()
            answers = [getattr(self.host.stub, method)(request) for method, request in self.calls]
            seconds = time.perf_counter() - started
        planned = [
            not answer.failures if method == "Check" else answer.changes == DIFF_NONE
            for (method, _), answer in zip(self.calls, answers, strict=True)
        ]
        if not all(planned):
            raise SystemExit("the provider's preview did not plan the steps it should")
        return {"total": seconds, "cpu": cpu_seconds(self.host.process.pid) - cpu}

    def close(self) -> None:
        self.host.close()


def _line(label: str, values: list[float], unit: str = " s") -> str:
    best, median = min(values), statistics.median(values)
    return f"  {label:<38} best {best:6.3f}{unit}   median {median:6.3f}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--packs", nargs="+", choices=["dli-flink", *PROGRAMS], help="measure only these packs"
    )
    parser.add_argument(
        "--client",
        choices=["go", "python"],
        default="go" if shutil.which("go") else "python",
        help="whose gRPC client makes the engine's calls: Go's, as the engine's, through a "
        "PolicyProxy stand-in for the packs (the default where `go` is installed), or Python's",
    )
    options = parser.parse_args()
    jobs = generate(options.jobs, random.Random(SEED))
    expected = [wrong for *_, wrong in jobs]
    print(
        f"policy pack on a {options.jobs}-job stack ({sum(expected)} with findings), "
        f"{options.runs} runs; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        + (
            "the engine's calls from Go (bench/engine_client), a `runtime: python` pack's "
            "through a PolicyProxy stand-in"
            if options.client == "go"
            else "the engine's calls from Python's gRPC client, not Go's as the engine's (--client)"
        )
    )
    packs: dict[str, list[dict[str, float]]] = {
        name: [] for name in ["dli-flink", *PROGRAMS] if not options.packs or name in options.packs
    }
    previews: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        directories = {"dli-flink": PACK}
        for name, program in PROGRAMS.items():
            directories[name] = Path(scratch) / re.sub(r"[^a-z0-9]+", "-", name)
            directories[name].mkdir()
            (directories[name] / "PulumiPolicy.yaml").write_text("runtime: python\n")
            (directories[name] / "__main__.py").write_text(program)
        project = Path(scratch) / "project"
        project.mkdir()
        go = GoClient(Path(scratch)) if options.client == "go" else None
        preview = Preview(options.jobs, project, go)
        per_resource, stack = requests(jobs, preview.blob)
        try:
            for _ in range(options.runs):
                for name, measured in packs.items():
                    flags = expected if name.startswith("dli-flink") else [False] * len(jobs)
                    measured.append(
                        run_pack(
                            directories[name], per_resource, stack, flags, go, name in AS_PLUGIN
                        )
                    )
                previews.append(preview.run())
        finally:
            preview.close()
    print(f"the provider's own preview of {options.jobs} jobs (bench/provider_bench.py section 3):")
    print(_line("Check + Diff", [p["total"] for p in previews]))
    print(_line("  the host's CPU for them", [p["cpu"] for p in previews]))
    shares: dict[str, float] = {}
    for name, measured in packs.items():
        print(f"{name}:")
        print(_line("start-up (once per command)", [r["start-up"] for r in measured]))
        print(_line(f"Remediate + Analyze x {options.jobs}", [r["resources"] for r in measured]))
        print(_line("AnalyzeStack", [r["stack"] for r in measured]))
        print(_line("all the engine waits for", [r["total"] for r in measured]))
        print(_line("  the pack's CPU for them", [r["cpu"] for r in measured]))
        share = [r["total"] / p["total"] for r, p in zip(measured, previews, strict=True)]
        print(_line("  as a share of that round's preview", share, unit=" x"))
        cpu_share = [r["cpu"] / p["cpu"] for r, p in zip(measured, previews, strict=True)]
        print(_line("  its CPU as a share of the host's", cpu_share, unit=" x"))
        shares[name] = statistics.median(share)
    verdict = "met" if shares.get("dli-flink", TARGET_SHARE + 1) <= TARGET_SHARE else "NOT met"
    print(
        f"target: the pack adds at most {TARGET_SHARE} x the provider's preview (median share): "
        + ", ".join(
            f"{name} {share:.2f} x ({share / TARGET_SHARE:.2f} of the target)"
            for name, share in shares.items()
        )
        + f": dli-flink {verdict}"
    )
    library, peer = "dli-flink on pulumi_policy's server", "no-op peer"
    if library in packs and peer in packs:
        own = statistics.median(r["cpu"] for r in packs[library])
        own -= statistics.median(r["cpu"] for r in packs[peer])
        print(
            f"dli-flink's checks cost {own:.3f} CPU s ({1000 * own / options.jobs:.2f} ms a "
            "resource) on top of what pulumi_policy's server spends on the same policies doing "
            "nothing (medians)"
        )


if __name__ == "__main__":
    main()
