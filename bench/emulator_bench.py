"""Emulator benchmark: show_flink_job throughput and p99 latency with 50 concurrent official-SDK
clients, and the overhead the emulator adds to a status transition beyond its configured duration.

Runs the emulator as a separate process (`python -m dli_flink emulator --port 0`) on loopback, so the
clients do not share its interpreter. Prints figures; asserts nothing.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dli_flink.deploy.dliapi import DliApi, DliConfig, RetryPolicy

AK, SK, PROJECT = "BENCH-AK", "bench-secret", "bench-project"
SQL_JOB = {"queue_name": "default", "run_mode": "exclusive_cluster"}
"""What every bench job is besides its name: on a queue, in the run mode the README's example jobs
get there (a Flink OpenSource SQL job on shared_cluster, DLI's default, is DLI.13024)."""
CLIENTS = 50
SHOW_SECONDS = 10.0
SPEED = 100.0  # submit 100 ms, savepoint 20 ms, cancel 30 ms
TRANSITION_JOBS = 40


def start_emulator(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "dli_flink", "emulator", "--port", "0", "--speed", str(SPEED)]
    command += ["--data-dir", str(data_dir), "--access-key", AK, "--secret-key", SK]
    command += ["--project-id", PROJECT, "--queue", "default=1000"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line.split(" on ", 1)[1].split(" ", 1)[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def show_load(api: DliApi, job_id: int, seconds: float) -> list[float]:
    """Each of CLIENTS threads calls show_flink_job in a loop; the latencies (s)."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            api.show_job(job_id)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client) for _ in range(CLIENTS)]:
            future.result()
    return latencies


def raw_show_load(endpoint: str, job_id: int, seconds: float) -> list[float]:
    """As `show_load`, with keep-alive http.client connections sending a request signed once by the
    SDK's Signer (valid 15 minutes): what the emulator sustains without the SDK's client-side cost."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    host = endpoint.removeprefix("http://")
    path = f"/v1.0/{PROJECT}/streaming/jobs/{job_id}"
    request = SdkRequest(
        method="GET",
        schema="http",
        host=host,
        resource_path=path,
        query_params=[],
        header_params={
            "Content-Type": "application/json",
            "User-Agent": "bench",
            "X-Project-Id": PROJECT,
        },
        body=b"",
    )
    Signer(BasicCredentials(AK, SK)).sign(request)
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, timeout=30)
        mine = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers=request.header_params)
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200, answer.status
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client) for _ in range(CLIENTS)]:
            future.result()
    return latencies


def report(title: str, latencies: list[float]) -> None:
    print(f"{title}, {CLIENTS} concurrent clients, {SHOW_SECONDS:.0f} s:")
    print(f"  {len(latencies) / SHOW_SECONDS:8.0f} requests/s")
    print(f"  {statistics.median(latencies) * 1000:8.1f} ms p50 latency")
    print(f"  {percentile(latencies, 0.99) * 1000:8.1f} ms p99 latency")


def transition_overheads(api: DliApi, endpoint: str, prefix: str) -> list[float]:
    """Per timed transition: when it happened minus when it was due (ms), from the timelines."""
    ids = [
        api.create_sql_job({"name": f"{prefix}-{i}", **SQL_JOB, "obs_bucket": "bench-bucket"})
        for i in range(TRANSITION_JOBS)
    ]
    for job_id in ids:
        api.run_jobs([job_id])
    time.sleep(0.3)
    for job_id in ids:
        api.stop_jobs([job_id], trigger_savepoint=True)
    time.sleep(0.3)
    overheads = []
    for job_id in ids:
        url = f"{endpoint}/_emulator/jobs/{job_id}/timeline"
        with urllib.request.urlopen(url) as answer:
            timeline = json.loads(answer.read())["timeline"]
        assert timeline[-1]["status"] == "job_cancel_success", timeline[-1]
        overheads += [e["at"] - e["scheduled_at"] for e in timeline if "scheduled_at" in e]
    return overheads


def report_overheads(when: str, overheads: list[float]) -> None:
    print(f"transition overhead beyond the configured duration, {when} ({len(overheads)}):")
    print(f"  {statistics.mean(overheads):8.2f} ms mean")
    print(f"  {percentile(overheads, 0.99):8.2f} ms p99   (target < 20 ms)")
    print(f"  {max(overheads):8.2f} ms max")


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        proc, endpoint = start_emulator(Path(data_dir))
        try:
            config = DliConfig(endpoint, PROJECT, AK, SK)
            api = DliApi(config, RetryPolicy(attempts=1))
            job_id = api.create_sql_job({"name": "bench-show", **SQL_JOB})
            show_load(api, job_id, 1.0)  # warm up connections and clients
            report("show_flink_job via the official SDK", show_load(api, job_id, SHOW_SECONDS))
            raw = raw_show_load(endpoint, job_id, SHOW_SECONDS)
            report("show_flink_job via raw keep-alive HTTP (SDK-signed once)", raw)
            report_overheads("idle", transition_overheads(api, endpoint, "idle"))
            with ThreadPoolExecutor(1) as background:
                load = background.submit(raw_show_load, endpoint, job_id, 3.0)
                busy = transition_overheads(api, endpoint, "busy")
                load.result()
            report_overheads(f"while {CLIENTS} clients poll show_flink_job", busy)
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
