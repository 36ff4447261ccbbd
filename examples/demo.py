"""The README's main command: the job documents of examples/ checked as a pre-commit hook or CI would.

Runs the real `dli-flink` command on the good jobs (clean) and on the deliberately wrong one (every
mistake at its line), and exits 0 only when both behave as they should.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
CLI = Path(sys.executable).parent / "dli-flink"


def step(title: str, *args: str, expect: int) -> bool:
    shown = " ".join(["dli-flink", *args])
    print(f"\n== {title}\n$ {shown}", flush=True)
    code = subprocess.run([str(CLI), *args], cwd=EXAMPLES.parent, check=False).returncode
    if code != expect:
        print(f"demo: expected exit {expect}, got {code}", file=sys.stderr)
    return code == expect


def main() -> int:
    config = "examples/.dli-flink.yaml"
    ok = step(
        "The team's jobs (SQL and Jar, dynamic scaling on): clean, exit 0",
        *("validate", "--config", config, "examples/jobs"),
        expect=0,
    )
    ok &= step(
        "A deliberately wrong job: every broken rule at its line, exit 1",
        *("validate", "--config", config, "examples/wrong"),
        expect=1,
    )
    ok &= step("The rules, one line each", "rules", "--brief", expect=0)
    print("\ndemo: done" if ok else "\ndemo: FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
