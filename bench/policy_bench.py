"""Benchmark the CrossGuard pack on a 1,000-job stack, over gRPC, as `pulumi preview` drives it.

Why: issue 5 asks the pack to check a 1,000-job stack (Analyze of every resource, then AnalyzeStack)
in under 2 s, so that a pipeline's preview is not held up by its policies.

What: a seeded stack of FlinkSqlJob and FlinkJarJob resources (inputs as the engine sends them:
a protobuf Struct, every number a double, with the pickled `__provider`), about 5% of them with
findings, spread over four queues whose capacities come from the policy config. Each run starts a
fresh pack process (`python -u -m pulumi.policy <engine> policies/`, as the engine does, so the
pack's document cache starts cold as in a real preview), configures it as the CLI does, and times
one Analyze per resource, one after another, then one AnalyzeStack with every resource's outputs.
Start-up is printed apart: the engine pays it once per command, in parallel with the program.

The peer, measured in the same run: a pack of the same policies (names, kinds, levels) that do
nothing, on the same SDK. pulumi_policy deserializes a resource's properties afresh for every
resource policy (protobuf Struct -> dict -> unknown-checking proxy, in pure Python), so that cost
grows with the number of policies whatever they do; the difference between the two is what
dli-flink's checks add. Runs alternate between the packs; best and median are printed (the machine
is shared and noisy). A benchmark, not a test: it exits 0 whether or not the target is met, and
nonzero only if the pack fails or its diagnostics are not the ones the stack was built to produce.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "policies"
TARGET_SECONDS = 2.0
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
NO_OP_PACK = """\
from dli_flink.policy import PACK_NAME, policies
from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy


def nothing(args, report):
    return None


PolicyPack(
    name=PACK_NAME,
    policies=[
        (ResourceValidationPolicy if isinstance(p, ResourceValidationPolicy) else StackValidationPolicy)(
            name=p.name, description=p.description, validate=nothing, enforcement_level=p.enforcement_level
        )
        for p in policies()
    ],
)
"""
"""The peer: dli-flink's policies with their checks taken out."""
PROVIDER_BLOB = "gASV" + "A" * 2400
"""About the size of a pickled dynamic provider (base64), which every resource carries."""


def generate(count: int, rng: random.Random) -> list[tuple[str, dict[str, Any], bool]]:
    """(type token, inputs, has findings) per resource; names unique, every queue within capacity."""
    jobs = []
    for index in range(count):
        kind = "FlinkSqlJob" if index % 3 else "FlinkJarJob"
        cu = rng.choice([2, 4, 8, 16])
        document: dict[str, Any] = {
            "name": f"job-{index:04d}",
            "description": f"generated job {index}",
            "queue": rng.choice(list(QUEUES)),
            "flinkVersion": rng.choice(["1.12", "1.15", "1.17"]),
            "resources": {"cu": cu, "managerCu": 1, "parallelism": cu},
            "checkpoint": {"enabled": True, "intervalSeconds": 60, "mode": "exactly_once"},
            "obsBucket": "bench-bucket",
            "logEnabled": True,
            "scaling": {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": cu * 2},
            "runtimeConfig": {"table.exec.state.ttl": "1h", "pipeline.max-parallelism": "128"},
            "tags": {"team": rng.choice(["data", "payments", "risk"]), "tier": "gold"},
            "__provider": PROVIDER_BLOB,
        }
        if kind == "FlinkSqlJob":
            document["sql"] = f"INSERT INTO sink_{index} SELECT * FROM source WHERE id > {index}"
        else:
            document["jar"] = {"entrypoint": "obs://bench/app.jar", "args": ["--id", str(index)]}
        wrong = rng.random() < FINDINGS_SHARE
        if wrong:
            document["scaling"]["cuMax"] = 1  # below cu: scaling-cu-max-below-cu
        jobs.append((TYPES[kind], document, wrong))
    return jobs


def _struct(document: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(document)
    return message


class Pack:
    """One pack process, started and configured as the engine and the CLI do."""

    def __init__(self, directory: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(directory)],
            cwd=directory,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = self.process.stdout.readline().strip()
        if not port.isdigit():
            raise SystemExit(f"the pack did not start (first line {port!r})")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self.configure()
        self.startup = time.perf_counter() - started

    def configure(self) -> None:
        info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy in info.policies:
            config = request.policyConfig[policy.name]
            config.enforcementLevel = policy.enforcementLevel
            if policy.name == "queue-capacity":
                config.properties.update({"queues": {q: {"cu": c} for q, c in QUEUES.items()}})
        self.stub.Configure(request)

    def cpu(self) -> float:
        """CPU seconds the pack process has used (Linux /proc): what the pack costs, whatever
        else the machine is doing, where wall time also counts waiting for a busy CPU."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


def run_once(
    directory: Path, jobs: list[tuple[str, dict[str, Any], bool]], checks: bool
) -> tuple[float, float, float, float]:
    """Start-up, Analyze of every resource, AnalyzeStack (wall seconds each), and the pack's CPU
    seconds for the last two; the answers of the real pack (`checks`) are checked."""
    requests = [
        analyzer_pb2.AnalyzeRequest(
            type=kind, name=doc["name"], urn=f"urn:bench::{doc['name']}", properties=_struct(doc)
        )
        for kind, doc, _ in jobs
    ]
    stack = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=kind,
                name=doc["name"],
                urn=f"urn:bench::{doc['name']}",
                properties=_struct({**doc, "jobId": 1000 + i, "status": "job_running"}),
            )
            for i, (kind, doc, _) in enumerate(jobs)
        ]
    )
    pack = Pack(directory)
    try:
        cpu = pack.cpu()
        started = time.perf_counter()
        flagged = [bool(pack.stub.Analyze(request).diagnostics) for request in requests]
        analyzed = time.perf_counter()
        stack_diagnostics = pack.stub.AnalyzeStack(stack).diagnostics
        finished = time.perf_counter()
        cpu = pack.cpu() - cpu
    finally:
        pack.close()
    expected = [wrong and checks for _, _, wrong in jobs]
    if flagged != expected or list(stack_diagnostics):
        raise SystemExit("the pack's diagnostics are not the ones the stack was built to produce")
    return pack.startup, analyzed - started, finished - analyzed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    jobs = generate(options.jobs, random.Random(SEED))
    wrong = sum(1 for *_, bad in jobs if bad)
    print(f"policy pack on a {options.jobs}-job stack ({wrong} with findings), {options.runs} runs")
    with tempfile.TemporaryDirectory() as scratch:
        peer = Path(scratch)
        (peer / "PulumiPolicy.yaml").write_text("runtime: python\n")
        (peer / "__main__.py").write_text(NO_OP_PACK)
        runs: dict[str, list[tuple[float, ...]]] = {"dli-flink": [], "no-op peer": []}
        for _ in range(options.runs):
            runs["dli-flink"].append(run_once(PACK, jobs, checks=True))
            runs["no-op peer"].append(run_once(peer, jobs, checks=False))
    medians: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for pack, measured in runs.items():
        print(f"{pack}:")
        totals = [analyze + stack for _, analyze, stack, _ in measured]
        medians[pack] = statistics.median(totals)
        cpus[pack] = statistics.median(r[3] for r in measured)
        for label, values in (
            ("start-up (once per command)", [r[0] for r in measured]),
            (f"Analyze x {options.jobs}", [r[1] for r in measured]),
            ("AnalyzeStack", [r[2] for r in measured]),
            ("Analyze + AnalyzeStack", totals),
            ("  the pack's CPU for them", [r[3] for r in measured]),
        ):
            best, median = min(values), statistics.median(values)
            print(f"  {label:<30} best {best:6.3f} s   median {median:6.3f} s")
    own = cpus["dli-flink"] - cpus["no-op peer"]
    verdict = "met" if medians["dli-flink"] < TARGET_SECONDS else "NOT met"
    print(f"target: Analyze + AnalyzeStack under {TARGET_SECONDS:.0f} s (median wall): {verdict}")
    print(
        f"dli-flink's checks cost {own:.3f} CPU s ({1000 * own / options.jobs:.2f} ms a resource) "
        f"on top of the {cpus['no-op peer']:.3f} CPU s the SDK spends on the same policies doing "
        f"nothing (medians; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
