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


def test_a_v2_job_s_implied_ceiling_follows_its_resource_config(cli, repo, tmp_path) -> None:
    """A v2 job's CUs are what it occupies (1 CU = 1 core and 4 GB): a bigger TaskManager raises
    the ceiling it scales to, and the report says it follows resourceConfig."""
    v2 = (
        "resourceConfigVersion: v2\nresourceConfig:\n  parallelism: 2\n"
        "  taskManager: {cpu: 2, memory: 8GB}\n"
    )
    edit(tmp_path / ORDERS, "resources:\n  cu: 8\n  managerCu: 1\n  parallelism: 8\n", v2)
    edit(tmp_path / ORDERS, "  cuMin: 4\n  cuMax: 16\n", "  cuMin: 4\n")
    repo("commit", "-qam", "v2, the ceiling follows the job's size")
    edit(tmp_path / ORDERS, "memory: 8GB", "memory: 16GB")
    assert _rows(cli("review", "--base", "HEAD", "jobs").out) == [
        "| `resourceConfig.taskManager.memory` | `8GB` | `16GB` | restart with savepoint |",
        "| `scaling.cuMax` (implied by `resourceConfig`) | `5` | `9` | restart with savepoint |",
    ]
