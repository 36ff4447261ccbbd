"""Benchmark `dli-flink fix` on 1,000 job files with one finding each, next to a plain ruamel.yaml
round-trip rewrite of the same files.

Why: issue 13 asks that fix be quick on a real repository and never rewrite a file it does not
change (a rewrite costs a CI cache, a file watcher's rebuild, an editor's "file changed on disk").
The corpus: 1,000 files, each a job with comments and one fixable finding (a missing
checkpoint.enabled, a small scaling interval, cuMax below the job's CUs, an unquoted flinkVersion, a
runtime key contradicting the scaling block), plus 1,000 files with nothing to fix. `dli-flink fix`
runs as a subprocess from this virtualenv, as a user runs it. The peer is what fixing with ruamel's
round trip alone would be: load and dump every file (nothing is even fixed), in one process.

Printed: wall time of each (best and median of the runs), the ratio, how many files each rewrote
that it did not need to (by mtime and bytes), and how many of fix's results validate clean. This is
a benchmark, not a test: it exits nonzero only when a command fails or fix breaks its promises.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FILES = 1000
RUNS = 3

BASE = """\
# {name}: a job of the {team} team.
kind: FlinkSqlJob
name: {name}
queue: flink_q
flinkVersion: {version}

sql: |
  INSERT INTO {name}_sink
  SELECT * FROM {name}_src
resources: {{cu: {cu}, parallelism: 2}}   # sized for peak
checkpoint:
  enabled: {checkpoint}
  intervalSeconds: 60
obsBucket: data-{team}
logEnabled: true
scaling:
  enabled: true
  intervalMinutes: {interval}      # between scaling checks
  cuMax: {cu_max}
{runtime}"""

DEFECTS = ("checkpoint", "interval", "cu_max", "version", "conflict")


def job(index: int, defect: str | None) -> str:
    values = {
        "name": f"job-{index:04d}",
        "team": ("data", "risk", "growth")[index % 3],
        "version": '"1.15"',
        "cu": 4 + index % 5,
        "checkpoint": "true",
        "interval": 30,
        "cu_max": 16,
        "runtime": "runtimeConfig:\n  table.exec.state.ttl: 1h\n",
    }
    if defect == "checkpoint":
        values["checkpoint"] = "false"
    elif defect == "interval":
        values["interval"] = 2
    elif defect == "cu_max":
        values["cu_max"] = 2
    elif defect == "version":
        values["version"] = "1.15"
    elif defect == "conflict":
        values["runtime"] += '  flink.dli.job.cu.max: "32"   # old habit\n'
    return BASE.format(**values)


def corpus(folder: Path) -> tuple[list[Path], list[Path]]:
    broken, clean = folder / "broken", folder / "clean"
    broken.mkdir()
    clean.mkdir()
    fix_these = []
    keep = []
    for i in range(FILES):
        path = broken / f"job-{i:04d}.yaml"
        path.write_text(job(i, DEFECTS[i % len(DEFECTS)]), encoding="utf-8")
        fix_these.append(path)
        other = clean / f"job-{FILES + i:04d}.yaml"
        other.write_text(job(FILES + i, None), encoding="utf-8")
        keep.append(other)
    old = time.time() - 3600  # an hour ago: a rewrite shows in the mtime whatever the clock
    for path in fix_these + keep:
        os.utime(path, (old, old))
    return fix_these, keep


def run_fix(folder: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "dli-flink"), "fix", str(folder)], capture_output=True, text=True, cwd=folder
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"dli-flink fix failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def run_ruamel(paths: list[Path]) -> float:
    from ruamel.yaml import YAML

    yaml = YAML()
    start = time.perf_counter()
    for path in paths:
        data = yaml.load(path.read_text(encoding="utf-8"))
        out = io.StringIO()
        yaml.dump(data, out)
        path.write_text(out.getvalue(), encoding="utf-8")
    return time.perf_counter() - start


def main() -> int:
    fix_times, ruamel_times = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            broken, clean = corpus(folder)
            before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in clean}
            fix_times.append(run_fix(folder))
            rewritten = sum(1 for p in clean if (p.stat().st_mtime_ns, p.read_bytes()) != before[p])
            changed = sum(1 for p in broken if p.stat().st_mtime > time.time() - 600)
            check = subprocess.run(
                [str(BIN / "dli-flink"), "validate", str(folder / "broken")],
                capture_output=True,
                text=True,
                cwd=folder,
            )
            if rewritten or changed != FILES or check.returncode != 0:
                sys.exit(
                    f"fix broke a promise: {rewritten} clean files rewritten, {changed} of "
                    f"{FILES} broken files fixed, validate after: {check.stdout[-300:]}"
                )
        with tempfile.TemporaryDirectory() as tmp:
            broken, clean = corpus(Path(tmp))
            before = {p: p.read_bytes() for p in clean}
            ruamel_times.append(run_ruamel(broken + clean))
            differ = sum(1 for p in clean if p.read_bytes() != before[p])
    best_fix, best_ruamel = min(fix_times), min(ruamel_times)
    print(f"corpus: {FILES} files with one finding each, {FILES} with none ({RUNS} runs)")
    print(
        f"dli-flink fix (a process, start-up included): best {best_fix:.2f} s, "
        f"median {statistics.median(fix_times):.2f} s; {FILES} files fixed, all validate clean; "
        f"files with nothing to fix rewritten: 0 of {FILES} (mtime and bytes unchanged)"
    )
    print(
        f"ruamel.yaml round trip (load + dump, in process, fixes nothing): best {best_ruamel:.2f} s, "
        f"median {statistics.median(ruamel_times):.2f} s; files rewritten: {2 * FILES}, "
        f"of which {differ} of the {FILES} clean files no longer byte-identical"
    )
    print(f"ratio fix / ruamel round trip (best): {best_fix / best_ruamel:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
