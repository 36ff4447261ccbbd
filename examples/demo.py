"""The README's main command: the job documents of examples/ checked as a pre-commit hook or CI would.

Runs the real `dli-flink` command on the good jobs (clean) and on the deliberately wrong one (every
mistake at its line), then deploys the good jobs with the Pulumi resources on a local DLI emulator
(examples/deploy_demo.py: create, a scaling edit's stop-savepoint-edit-resume cycle with its measured
downtime, destroy), then rehearses a compatible and an incompatible change to orders-enrich on a local
Flink (examples/rehearse_demo.py), and exits 0 only when all of it behaves as it should.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
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


def deploy() -> bool:
    """The same jobs deployed by the Pulumi resources on a local DLI emulator (deploy_demo.py)."""
    print("\n== Deploy with Pulumi on a local DLI emulator: create, edit a scaling key, destroy")
    if importlib.util.find_spec("pulumi") is None:
        print("skipped: the Pulumi extra is not installed (pip install 'dli-flink[pulumi]')")
        return True
    command = [sys.executable, str(EXAMPLES / "deploy_demo.py")]
    code = subprocess.run(command, check=False).returncode
    if code != 0:
        print(f"demo: deploy_demo.py exited {code}", file=sys.stderr)
    return code == 0


def rehearse() -> bool:
    """Two changes to orders-enrich rehearsed on a local Flink (rehearse_demo.py)."""
    print("\n== Rehearse two changes on a local Flink 1.15: does the new version restore?")
    if shutil.which("javac") is None and not os.environ.get("JAVA_HOME"):
        print("skipped: no JDK (rehearse needs a JDK 17: apt-get install openjdk-17-jdk-headless)")
        return True
    code = subprocess.run(
        [sys.executable, str(EXAMPLES / "rehearse_demo.py")], check=False
    ).returncode
    if code != 0:
        print(f"demo: rehearse_demo.py exited {code}", file=sys.stderr)
    return code == 0


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
    ok &= deploy()
    ok &= rehearse()
    print("\ndemo: done" if ok else "\ndemo: FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
