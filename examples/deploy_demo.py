"""Deploy demo: the jobs of examples/jobs on a local DLI emulator, one scaling edit, and clean-up.

1. starts the emulator (`dli-flink emulator`, fast clock) with the queue the jobs use;
2. deploys examples/jobs: with `pulumi up` on examples/pulumi when the Pulumi CLI is on PATH,
   otherwise through tests/engine.py, which drives the same provider host over the same gRPC calls
   as the engine (it says which);
3. raises orders-enrich's scaling.cuMax, previews it (restart with savepoint), and applies it: the
   stop-savepoint-edit-submit cycle with its steps and the seconds the job was not running;
4. destroys the stack and stops the emulator.

Exits 0 when every step did what it should.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(EXAMPLES.parent))

AK, SK, PROJECT = "DEMO-AK", "demo-secret-key", "demo-project"
SPEED = 20.0
EDITED_JOB, NEW_CU_MAX = "orders-enrich", 20


def start_emulator(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "dli_flink", "emulator", "--port", "0", "--speed", str(SPEED)]
    command += ["--data-dir", str(data_dir), "--access-key", AK, "--secret-key", SK]
    command += ["--project-id", PROJECT, "--queue", "flink_q=64"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    return proc, line.split(" on ", 1)[1].split(" ", 1)[0]


def stack_config(endpoint: str) -> dict[str, str]:
    return {
        "dli-flink:endpoint": endpoint,
        "dli-flink:projectId": PROJECT,
        "dli-flink:accessKey": AK,
        "dli-flink:secretKey": SK,
    }


def downtime(endpoint: str, job_id: int) -> float:
    """Seconds between the last stop (job_savepointing) and job_running again, per the emulator."""
    with urllib.request.urlopen(f"{endpoint}/_emulator/jobs/{job_id}/timeline") as answer:
        entries = json.loads(answer.read())["timeline"]
    start = max(i for i, e in enumerate(entries) if e["status"] == "job_savepointing")
    end = next(e for e in entries[start:] if e["status"] == "job_running")
    return (end["at"] - entries[start]["at"]) / 1000


def with_harness(endpoint: str, work: Path) -> bool:
    from dli_flink.deploy.provider import JobProvider
    from dli_flink.deploy.resources import read_job_documents

    from tests.engine import Engine, ProviderHost, Resource, host_env, provider_blob

    print("no pulumi CLI on PATH: deploying through tests/engine.py, which calls the provider host")
    print("(python -m pulumi.dynamic) with the engine's gRPC calls\n")
    project = work / "project"
    project.mkdir()
    host = ProviderHost(project, host_env(), stack_config(endpoint))
    engine = Engine(host, provider_blob(JobProvider()))
    token = "pulumi-python:dynamic/dli:"
    resources = [
        Resource(token + doc["kind"], name, doc)
        for name, (doc, _) in read_job_documents(EXAMPLES / "jobs").items()
    ]
    try:
        print("== pulumi up")
        ok = report(engine.up(resources))
        for urn, state in engine.state.items():
            out = state.outputs
            print(
                f"   {urn.rsplit('::', 1)[1]}: job {int(out['jobId'])} {out['status']}, {int(out['currentCu'])} CU"
            )
        edited = next(r for r in resources if r.name == EDITED_JOB)
        old = edited.inputs["scaling"]["cuMax"]
        edited.inputs["scaling"]["cuMax"] = NEW_CU_MAX
        print(f"\n== edit {EDITED_JOB}: scaling.cuMax {old} -> {NEW_CU_MAX}; pulumi preview")
        for urn, step in engine.preview(resources).items():
            print(f"   {urn.rsplit('::', 1)[1]}: {step.op}")
        print("\n== pulumi up")
        ok &= report(engine.up(resources))
        change = engine.outputs(edited)["lastChange"]
        print(f"   {EDITED_JOB}: {change['class']}, savepoint {change['savepointUsed']}")
        for step in change["steps"]:
            print(f"     +{step['seconds']:6.3f}s  {step['step']}")
        job_id = int(engine.outputs(edited)["jobId"])
        cycle = (2 + 3 + 10 + 2) / SPEED  # the emulator's savepoint, cancel, submit, restore
        measured = downtime(endpoint, job_id)
        print(
            f"   not running for {measured:.3f} s, of which the emulator's own work "
            f"{cycle:.3f} s: {measured - cycle:.3f} s added by the provider"
        )
        print("\n== pulumi destroy")
        ok &= report(engine.destroy())
    finally:
        host.close()
    print("\nprovider output, as the Pulumi CLI would show it:\n" + host.log)
    return ok


def report(steps: dict[str, Any]) -> bool:
    ok = True
    for urn, step in steps.items():
        problem = step.error.message if step.error else "; ".join(r for _, r in step.failures)
        print(f"   {urn.rsplit('::', 1)[1]}: {step.op}{'  ' + problem if problem else ''}")
        ok &= step.error is None and step.op != "invalid"
    return ok


def with_pulumi_cli(endpoint: str, work: Path) -> bool:
    print("pulumi CLI found: deploying examples/pulumi with a local file backend\n")
    project = work / "project"
    shutil.copytree(EXAMPLES / "pulumi", project)
    (project / "Pulumi.yaml").write_text(
        "name: dli-flink-jobs\nruntime:\n  name: python\n  options:\n"
        f"    virtualenv: {sys.prefix}\n",
        encoding="utf-8",
    )
    (project / "__main__.py").write_text(
        (EXAMPLES / "pulumi" / "__main__.py")
        .read_text(encoding="utf-8")
        .replace('Path(__file__).resolve().parent.parent / "jobs"', repr(str(work / "jobs"))),
        encoding="utf-8",
    )
    shutil.copytree(EXAMPLES / "jobs", work / "jobs")
    (work / "state").mkdir()
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": (work / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "demo",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }

    def pulumi(*args: str) -> bool:
        print(f"$ pulumi {' '.join(args)}", flush=True)
        return subprocess.run(["pulumi", *args], cwd=project, env=env, check=False).returncode == 0

    ok = pulumi("stack", "init", "demo")
    for key, value in stack_config(endpoint).items():
        ok &= pulumi("config", "set", *(["--secret"] if key.endswith("Key") else []), key, value)
    ok &= pulumi("up", "--yes", "--skip-preview")
    jobs = work / "jobs" / "orders-enrich.yaml"
    jobs.write_text(
        jobs.read_text(encoding="utf-8").replace("cuMax: 16", f"cuMax: {NEW_CU_MAX}"),
        encoding="utf-8",
    )
    ok &= pulumi("preview")
    ok &= pulumi("up", "--yes", "--skip-preview")
    ok &= pulumi("destroy", "--yes", "--skip-preview")
    return ok


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        emulator, endpoint = start_emulator(work / "emulator")
        print(f"DLI emulator on {endpoint} (clock x{SPEED})\n")
        try:
            deploy = with_pulumi_cli if shutil.which("pulumi") else with_harness
            ok = deploy(endpoint, work)
        finally:
            emulator.terminate()
            emulator.wait()
    print("deploy demo: done" if ok else "deploy demo: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
