"""The deploy demo (examples/deploy_demo.py) runs as a user runs it and shows the restart cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.engine import host_env

DEMO = Path(__file__).resolve().parents[2] / "examples" / "deploy_demo.py"


def test_the_deploy_demo_deploys_edits_and_cleans_up() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)],
        env=host_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "orders-enrich: update" in out
    assert "orders-enrich: restart with savepoint, savepoint obs://data-team-flink/" in out
    assert "added by the provider" in out
    assert out.rstrip().endswith("deploy demo: done")
