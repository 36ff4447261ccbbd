"""Benchmark `dli-flink review` on a repository of 1,000 job files with 50 of them changed.

Why: issue 5 wants the review report in a pull request in under a second for that size. There is no
peer that reviews DLI jobs, so the reference measured in the same run is the floor any review pays:
`git diff --stat` of the same change (git's own time to find what changed).

What: the seeded corpus of bench/validate_bench.py committed to a fresh git repository, then 50 job
files edited in the working tree (a scaling ceiling raised in each: restart-class changes). Both
commands run as subprocesses, alternating, several times; best and median are printed. A benchmark,
not a test: exit 0 whether or not the target is met.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from validate_bench import BIN, SEED, make_corpus, measure, write_corpus

TARGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    jobs = [job for job in make_corpus(args.files, SEED) if not job.defect]
    with tempfile.TemporaryDirectory(prefix="dli-flink-review-") as name, contextlib.chdir(name):
        folder = Path(name)
        write_corpus(jobs, folder)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "jobs"]):
            subprocess.run([*git, *command], check=True)
        edited = [job for job in jobs if "resources" in job.document][: args.changed]
        for job in edited:
            path = folder / job.file
            path.write_text(path.read_text().replace("  cu: ", "  cu: 1", 1))
        review = [str(BIN / "dli-flink"), "review", "--base", "HEAD", "--format", "json", "."]
        first = subprocess.run(review, capture_output=True, check=False)
        if first.returncode not in (0, 1):
            print(f"review_bench: review failed:\n{first.stderr.decode()}", file=sys.stderr)
            return 1
        reported = json.loads(first.stdout)["jobs"]
        results = measure(
            {
                "dli-flink review": (review, first.returncode),
                "git diff --stat": (["/usr/bin/git", "diff", "--stat"], 0),
            },
            folder,
            args.repeat,
        )
    ours, floor = results["dli-flink review"], results["git diff --stat"]
    restarts = sum(job["class"] == "restart with savepoint" for job in reported)
    print(
        f"corpus: {len(jobs)} job files in git, {len(edited)} changed (cu raised); "
        f"review reported {len(reported)} jobs, {restarts} restarts"
    )
    print(
        f"dli-flink review: best {ours.best:.3f} s, median {ours.median:.3f} s, peak RSS {ours.peak_rss_mib:.0f} MiB"
    )
    print(f"git diff --stat:  best {floor.best:.3f} s, median {floor.median:.3f} s")
    print(f"ratio review / git diff (median): {ours.median / floor.median:.1f}x")
    met = "met" if ours.median < TARGET_SECONDS else "MISSED"
    print(
        f"target: review under {TARGET_SECONDS:.0f} s on {len(jobs)} files with {len(edited)} changed: {met}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
