"""The fields of a change as written: a value DLI derives from another field is not news of its own.

cuMax, when not written, is the job's CUs: with scaling off it means nothing, with scaling on it
follows resources.cu and is shown after it.
"""

from __future__ import annotations

import json

from tests.review.conftest import edit

ORDERS = "jobs/orders-enrich.yaml"  # scaling on
BEATS = "jobs/clickstream-sessions.yaml"  # its second document, heartbeat-monitor: scaling off


def _fields(cli, *args: str) -> list[tuple]:
    [job] = json.loads(cli("review", "--format", "json", *args).out)["jobs"]
    return [(f["field"], f["old"], f["new"], f["implied"]) for f in job["fields"]]


def _rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("| `")]


def test_cu_of_a_job_without_scaling_is_the_only_field(cli, repo, tmp_path) -> None:
    edit(tmp_path / BEATS, "  cu: 2", "  cu: 4")
    assert _rows(cli("review", "jobs").out) == [
        "| `resources.cu` | `2` | `4` | restart with savepoint |"
    ]
    assert _fields(cli, "jobs") == [("resources.cu", 2, 4, False)]


def test_an_implied_ceiling_is_shown_after_the_field_it_follows(cli, repo, tmp_path) -> None:
    edit(tmp_path / ORDERS, "  cuMax: 16\n", "")
    repo("commit", "-qam", "the ceiling follows the CUs")
    edit(tmp_path / ORDERS, "  cu: 8", "  cu: 10")
    assert _rows(cli("review", "--base", "HEAD", "jobs").out) == [
        "| `resources.cu` | `8` | `10` | restart with savepoint |",
        "| `scaling.cuMax` (implied by `resources.cu`) | `8` | `10` | restart with savepoint |",
    ]
    assert _fields(cli, "--base", "HEAD", "jobs") == [
        ("resources.cu", 8, 10, False),
        ("scaling.cuMax", 8, 10, True),
    ]
