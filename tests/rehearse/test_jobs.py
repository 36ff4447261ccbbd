"""What of a job document a rehearsal runs: the parallelism is the one DLI runs the job with, by its
resource configuration version (v1 `resources.parallelism`, v2 `resourceConfig.parallelism`)."""

from __future__ import annotations

from typing import Any

from dli_flink.model.planner import plan
from dli_flink.model.spec import JobSpec
from dli_flink.rehearse.changes import JobChange
from dli_flink.rehearse.jobs import JobRehearsal, version

SQL = "INSERT INTO sink SELECT * FROM src"


def job(**fields: Any) -> JobSpec:
    base = {"kind": "FlinkSqlJob", "name": "clicks", "queue": "flink_q", "sql": SQL}
    return JobSpec.from_document({**base, **fields})


def v2(parallelism: int) -> JobSpec:
    return job(
        flinkVersion="1.17",
        resourceConfigVersion="v2",
        resourceConfig={"parallelism": parallelism, "slotsPerTaskManager": 2},
    )


def test_a_v1_job_is_rehearsed_at_its_resources_parallelism() -> None:
    assert version(job(flinkVersion="1.15", resources={"cu": 4, "parallelism": 3})).parallelism == 3


def test_a_v2_job_is_rehearsed_at_its_resource_config_parallelism() -> None:
    assert version(v2(4)).parallelism == 4


def test_a_v2_parallelism_change_is_reported_as_one() -> None:
    old, new = v2(4), v2(8)
    change = JobChange("clicks", "clicks.yaml", old, new, plan(old, new), 0)
    assert JobRehearsal(change, None).parallelism == (4, 8)  # type: ignore[arg-type]
