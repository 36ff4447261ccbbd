"""Provider benchmark: what a restart-class update costs beyond DLI's own work, and how it scales.

Figures (printed; nothing asserted):
1. Added downtime per restart cycle: the seconds the job is not running (from the stop call's
   job_savepointing to job_running again, read from the emulator's timeline) minus the emulator's own
   savepoint, cancel, submit and restore durations and its scheduler lag. Target: under 0.25 s.
2. DLI calls per restart-class update, by operation (counted in a Lifecycle run in this process).
3. Preview (Check + Diff) of a 1,000-job stack through the provider host. Target: under 5 s.
4. 50 jobs updated at once against a single job's cycle: through the provider host (the engine's
   pool of 4 threads bounds it) and through the lifecycle alone with 50 threads. Target: at most 2x.

The emulator runs as its own process (`python -m dli_flink emulator`) at SPEED, the provider host as
the engine starts it (`python -u -m pulumi.dynamic`); the engine's part is played by tests/engine.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dli_flink.deploy.dliapi import DliApi, DliConfig  # noqa: E402
from dli_flink.deploy.inputs import Options  # noqa: E402
from dli_flink.deploy.lifecycle import Lifecycle  # noqa: E402
from dli_flink.deploy.provider import JobProvider  # noqa: E402
from dli_flink.model.spec import JobSpec  # noqa: E402

from tests.engine import Engine, ProviderHost, Resource, State, host_env, provider_blob  # noqa: E402

AK, SK, PROJECT = "BENCH-AK", "bench-secret", "bench-project"
SPEED = 10.0
DURATIONS = {"submit": 10.0, "cancel": 3.0, "savepoint": 2.0, "restore": 2.0}
"""The emulator's defaults at speed 1 (see dli_flink.emulator.models.Durations)."""
SQL_TYPE = "pulumi-python:dynamic/dli:FlinkSqlJob"
CYCLES = 5
PARALLEL = 50
PREVIEW_JOBS = 1000


def start_emulator(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "dli_flink", "emulator", "--port", "0", "--speed", str(SPEED)]
    command += ["--data-dir", str(data_dir), "--access-key", AK, "--secret-key", SK]
    command += ["--project-id", PROJECT, "--queue", "default=100000"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    return proc, line.split(" on ", 1)[1].split(" ", 1)[0]


def document(name: str, cu_max: int = 8) -> dict[str, Any]:
    return {
        "kind": "FlinkSqlJob",
        "name": name,
        "queue": "default",
        "flinkVersion": "1.15",
        "agency": "dli_flink_agency",
        "sql": "INSERT INTO sink SELECT * FROM source",
        "resources": {"cu": 4, "parallelism": 2},
        "checkpoint": {"enabled": True},
        "obsBucket": "bucket",
        "logEnabled": True,
        "scaling": {"enabled": True, "cuMin": 2, "cuMax": cu_max},
    }


def timeline(endpoint: str, job_id: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/_emulator/jobs/{job_id}/timeline") as answer:
        return json.loads(answer.read())["timeline"]


def last_cycle(endpoint: str, job_id: int) -> tuple[float, float]:
    """(seconds not running in the last cycle, of which the emulator's scheduler lag)."""
    entries = timeline(endpoint, job_id)
    start = max(i for i, e in enumerate(entries) if e["status"] == "job_savepointing")
    cycle = entries[start:]
    end = next(e for e in cycle if e["status"] == "job_running")
    lag = sum(e["at"] - e["scheduled_at"] for e in cycle if "scheduled_at" in e)
    return (end["at"] - cycle[0]["at"]) / 1000, lag / 1000


class CountingApi(DliApi):
    """A real DliApi that counts the calls it makes (every call goes to the emulator)."""

    def __init__(self, config: DliConfig) -> None:
        super().__init__(config)
        self.calls: Counter[str] = Counter()

    def _call_once(self, operation: str, request: Any) -> Any:
        self.calls[operation] += 1
        return super()._call_once(operation, request)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        emulator, endpoint = start_emulator(Path(tmp) / "emulator")
        config = {
            "dli-flink:endpoint": endpoint,
            "dli-flink:projectId": PROJECT,
            "dli-flink:accessKey": AK,
            "dli-flink:secretKey": SK,
        }
        project = Path(tmp) / "project"
        project.mkdir()
        host = ProviderHost(project, host_env(), config)
        blob = provider_blob(JobProvider())
        try:
            run(endpoint, host, blob)
        finally:
            host.close()
            emulator.terminate()
            emulator.wait()


def run(endpoint: str, host: ProviderHost, blob: str) -> None:
    own = (DURATIONS["savepoint"] + DURATIONS["cancel"] + DURATIONS["submit"]) / SPEED
    own += DURATIONS["restore"] / SPEED
    print(f"emulator speed {SPEED}: its own stop+savepoint+submit+restore = {own:.2f} s a cycle")

    # 1. Added downtime per restart cycle, through the provider host.
    engine = Engine(host, blob)
    job = Resource(SQL_TYPE, "bench-downtime", document("bench-downtime"))
    engine.up([job])
    job_id = int(engine.state[job.urn].outputs["jobId"])
    added, cycle_seconds = [], []
    for cycle in range(CYCLES):
        job.inputs["scaling"]["cuMax"] = 9 + cycle
        started = time.monotonic()
        step = engine.up([job])[job.urn]
        assert step.error is None, step.error
        cycle_seconds.append(time.monotonic() - started)
        down, lag = last_cycle(endpoint, job_id)
        added.append(down - own - lag)
    print(
        f"1. added downtime per restart cycle: mean {sum(added) / len(added):.3f} s, "
        f"max {max(added):.3f} s over {CYCLES} cycles (target < 0.25 s); "
        f"a whole update takes {sum(cycle_seconds) / len(cycle_seconds):.2f} s"
    )

    # 2. DLI calls per restart-class update.
    api = CountingApi(
        DliConfig(endpoint=endpoint, project_id=PROJECT, access_key=AK, secret_key=SK)
    )
    lifecycle = Lifecycle(api, say=lambda _: None)
    old = JobSpec.from_document(document("bench-calls"))
    outcome = lifecycle.create(old, Options())
    api.calls.clear()
    lifecycle.update(
        outcome.job_id, old, JobSpec.from_document(document("bench-calls", 12)), Options()
    )
    calls = dict(sorted(api.calls.items()))
    print(f"2. DLI calls per restart-class update: {sum(calls.values())} ({calls})")

    # 3. Preview of a 1,000-job stack through the provider host.
    preview = Engine(host, blob)
    resources = [
        Resource(SQL_TYPE, f"preview-{i}", document(f"preview-{i}")) for i in range(PREVIEW_JOBS)
    ]
    for resource in resources[: PREVIEW_JOBS // 2]:  # half deployed (Check + Diff), half new
        inputs = {**resource.inputs, "__provider": blob}
        preview.state[resource.urn] = State(
            resource.urn, "1", SQL_TYPE, inputs, {**inputs, "jobId": 1}
        )
    started = time.monotonic()
    steps = preview.preview(resources)
    seconds = time.monotonic() - started
    assert all(s.op in ("create", "same") for s in steps.values())
    print(f"3. preview of {PREVIEW_JOBS} jobs through the host: {seconds:.2f} s (target < 5 s)")

    # 4. 50 jobs at once against one.
    single = sum(cycle_seconds) / len(cycle_seconds)
    many = [Resource(SQL_TYPE, f"parallel-{i}", document(f"parallel-{i}")) for i in range(PARALLEL)]
    engine.up(many)
    for resource in many:
        resource.inputs["scaling"]["cuMax"] = 10
    started = time.monotonic()
    steps = engine.up(many)
    through_host = time.monotonic() - started
    assert all(s.error is None for s in steps.values())
    ids = [int(engine.state[r.urn].outputs["jobId"]) for r in many]
    new = {r.name: JobSpec.from_document(document(r.name, 12)) for r in many}
    olds = {r.name: JobSpec.from_document(document(r.name, 10)) for r in many}
    started = time.monotonic()
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(
            pool.map(
                lambda pair: lifecycle.update(pair[0], olds[pair[1]], new[pair[1]], Options()),
                zip(ids, [r.name for r in many], strict=True),
            )
        )
    in_process = time.monotonic() - started
    print(
        f"4. {PARALLEL} updates at once: through the provider host {through_host:.2f} s = "
        f"{through_host / single:.1f}x one update ({single:.2f} s; the host serves 4 calls at a "
        f"time); through the lifecycle with {PARALLEL} threads {in_process:.2f} s = "
        f"{in_process / single:.1f}x (target <= 2x)"
    )
    engine.destroy()


if __name__ == "__main__":
    main()
