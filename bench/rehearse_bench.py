"""Benchmark one rehearsal on real Flink: cold (a new runner JVM) and warm (the same JVM again).

Why: a rehearsal runs in a pull request's check and on a developer's machine; issue 12 asks for the
time of one rehearsal cold and warm and for the peak memory. No other tool rehearses a Flink SQL
restore, so the figures stand alone; shared/docs/flink-rehearsal.md measured a hand-made runner on
this kind of machine (first rehearsal 10.5 s, then 1.6-1.9 s refused or failing and 3.6-5.4 s
restoring; RSS 430-575 MB after 17 rehearsals), which these can be read against.

What: two changes to a Kafka-to-JDBC aggregate (stand-ins: datagen sequence, blackhole), on the
Flink version given (default 1.17): the same SQL at parallelism 2 -> 4 (restores) and a column added
to the aggregate (fails after restore). Cold: a new Runners, its JVM started, the first rehearsal
(the planner warms up). Warm: each change again `--repeat` times on that JVM, best and median. Peak
memory: the JVM's high-water RSS (VmHWM) and this Python's. Flink's jars must be in the cache or are
downloaded first (that time is printed apart). A benchmark, not a test: exit 0 unless a verdict is
wrong.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from dli_flink.rehearse.install import install
from dli_flink.rehearse.rehearsal import Verdict, Version, rehearse
from dli_flink.rehearse.runner import Runners

SQL = """
CREATE TABLE orders (customer_id INT, amount BIGINT, region STRING)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'k:9092',
        'format' = 'json');
CREATE TABLE totals (customer_id INT, biggest BIGINT)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://db:5432/shop', 'table-name' = 'totals');
INSERT INTO totals SELECT customer_id, MAX(amount) FROM orders GROUP BY customer_id;
"""
WIDER = SQL.replace("biggest BIGINT)", "biggest BIGINT, smallest BIGINT)").replace(
    "MAX(amount) FROM", "MAX(amount), MIN(amount) FROM"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flink", default="1.17", choices=("1.12", "1.15", "1.17"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = {
        "restores (parallelism 2 -> 4)": (
            Version(SQL, 2, args.flink, {}),
            Version(SQL, 4, args.flink, {}),
            Verdict.RESTORES,
        ),
        "fails after restore (column added)": (
            Version(SQL, 2, args.flink, {}),
            Version(WIDER, 2, args.flink, {}),
            Verdict.FAILS,
        ),
    }
    started = time.monotonic()
    install(args.flink)
    print(f"Flink {args.flink} jars and runner ready in {time.monotonic() - started:.1f} s")
    with Runners(progress=False) as runners:
        started = time.monotonic()
        runner = runners.get(args.flink)
        jvm = time.monotonic() - started
        old, new, expected = cases["restores (parallelism 2 -> 4)"]
        outcome = rehearse(old, new, runners, False)
        cold = time.monotonic() - started
        if outcome.verdict != expected:
            print(f"rehearse_bench: cold rehearsal gave {outcome.verdict}", file=sys.stderr)
            return 1
        print(f"cold: {cold:.1f} s (JVM and MiniCluster up in {jvm:.1f} s, then one rehearsal)")
        for name, (old, new, expected) in cases.items():
            times = []
            for _ in range(args.repeat):
                outcome = rehearse(old, new, runners, False)
                if outcome.verdict != expected:
                    print(f"rehearse_bench: {name} gave {outcome.verdict}", file=sys.stderr)
                    return 1
                times.append(outcome.seconds)
            print(
                f"warm, {name}: best {min(times):.2f} s, median {statistics.median(times):.2f} s"
                f" ({args.repeat} runs)"
            )
        status = Path(f"/proc/{runner.pid}/status").read_text()
        peak = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    python_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rehearsals = 1 + args.repeat * len(cases)
    print(
        f"peak memory: JVM {int(peak.split()[1]) / 1024:.0f} MiB RSS after {rehearsals} rehearsals,"
        f" Python {python_peak:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
