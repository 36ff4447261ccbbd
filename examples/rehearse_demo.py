"""Rehearsal demo: two changes to orders-enrich rehearsed on a local Flink 1.15, as a pull request is.

1. copies examples/jobs into a temporary git repository, whose `main` holds the jobs as they are;
2. a compatible change, parallelism 8 -> 12: `dli-flink rehearse jobs` says it restores (exit 0);
3. an incompatible one, a currency column read from Kafka and written to DWS: the join keeps each
   order in its state, whose row type changes, so the restored job fails (exit 1).

Exits 0 when both verdicts are the expected ones. Needs a JDK 17; the first run downloads Flink
1.15's jars from PyPI into ~/.cache/dli-flink.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def more_parallelism(root: Path) -> None:
    job = root / "jobs/orders-enrich.yaml"
    job.write_text(job.read_text().replace("parallelism: 8", "parallelism: 12", 1))


def add_currency(root: Path) -> None:
    """`currency STRING` in orders (Kafka) and enriched_orders (DWS), and selected in between."""
    sql = root / "jobs/sql/orders-enrich.sql"
    text = sql.read_text()
    for connector in ("'kafka'", "'dws'"):
        at = text.index(connector)
        head, tail = text[:at].rsplit("  order_time TIMESTAMP(3)", 1)
        text = f"{head}  currency STRING,\n  order_time TIMESTAMP(3){tail}{text[at:]}"
    sql.write_text(text.replace("o.amount, o.order_time", "o.amount, o.currency, o.order_time"))


CHANGES: list[tuple[str, Callable[[Path], None], int]] = [
    (
        "A compatible change: orders-enrich at parallelism 12 instead of 8, exit 0",
        more_parallelism,
        0,
    ),
    ("An incompatible change: a currency column through the join, exit 1", add_currency, 1),
]


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="dli-flink-rehearse-demo-") as folder:
        root = Path(folder)
        shutil.copytree(EXAMPLES / "jobs", root / "jobs")
        env = {**os.environ, **GIT_ENV}

        def git(*args: str) -> None:
            subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-qm", "the jobs as they run")
        for title, change, expected in CHANGES:
            git("checkout", "-q", "--", ".")
            change(root)
            print(f"\n== {title}\n$ dli-flink rehearse jobs", flush=True)
            command = [sys.executable, "-m", "dli_flink", "rehearse", "jobs"]
            code = subprocess.run(command, cwd=root, env=env, check=False).returncode
            if code != expected:
                print(f"rehearse demo: expected exit {expected}, got {code}", file=sys.stderr)
                ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
