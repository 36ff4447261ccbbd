"""What refresh reports as the job's real configuration (observed_document), on DLI's own answers.

The job dicts below are shaped as DLI's show_flink_job answers (the emulator's responses module
renders the same shape); they are data, not a fake service.
"""

from __future__ import annotations

import json
from typing import Any

from dli_flink.deploy.observed import observed_document

DECLARED = {
    "kind": "FlinkSqlJob",
    "name": "orders",
    "queue": "flink_q",
    "flinkVersion": "1.15",
    "agency": "dli_flink_agency",
    "sql": "INSERT INTO a SELECT * FROM b",
    "resources": {"cu": 4},
    "checkpoint": {"enabled": True},
    "obsBucket": "bucket",
    "logEnabled": True,
    "scaling": {"enabled": True, "cuMax": 8},
    "runtimeConfig": {"table.exec.state.ttl": "1h", "flink.dli.job.cu.min": "3"},
}


def dli_answer(runtime: dict[str, str], **config: Any) -> dict[str, Any]:
    job_config = {
        "cu_number": 4,
        "manager_cu_number": 1,
        "parallel_number": 1,
        "checkpoint_enabled": True,
        "checkpoint_interval": 10,
        "checkpoint_mode": "exactly_once",
        "obs_bucket": "bucket",
        "log_enabled": True,
        "smn_topic": None,
        "restart_when_exception": False,
        "resume_checkpoint": False,
        "resume_max_num": -1,
        "flink_version": "1.15",
        "real_cu_number": 0,
        "runtime_config": json.dumps([{"key": k, "value": v} for k, v in runtime.items()]),
        **config,
    }
    return {
        "name": "orders",
        "desc": "",
        "queue_name": "flink_q",
        "sql_body": "INSERT INTO a SELECT * FROM b",
        "status": "job_running",
        "job_config": job_config,
    }


AS_DECLARED = {
    "flink.dli.job.scale.enable": "true",
    "flink.dli.job.cu.max": "8",
    "table.exec.state.ttl": "1h",
    "flink.dli.job.cu.min": "3",
}


def test_defaults_nulls_and_keys_dli_added_are_no_drift() -> None:
    answer = dli_answer({**AS_DECLARED, "dli.added.by.itself": "x"})
    assert observed_document(DECLARED, answer) == DECLARED


def test_dli_scaling_the_job_changes_no_declared_value() -> None:
    assert observed_document(DECLARED, dli_answer(AS_DECLARED, real_cu_number=7)) == DECLARED


def test_console_edits_show_where_the_document_writes_them() -> None:
    runtime = {**AS_DECLARED, "flink.dli.job.cu.max": "12", "flink.dli.job.cu.min": "2"}
    del runtime["table.exec.state.ttl"]
    observed = observed_document(DECLARED, dli_answer(runtime, parallel_number=3))
    assert observed["scaling"] == {"enabled": True, "cuMax": 12}
    assert observed["runtimeConfig"] == {"flink.dli.job.cu.min": "2"}
    assert observed["resources"] == {"cu": 4, "parallelism": 3}


def test_values_dli_works_out_or_defaults_itself_are_no_drift() -> None:
    """Real DLI reports tm_slot_num worked out from the CUs, and its defaults for fields never
    sent (tm_cus 1, idle_state_retention 3600, dirty_data_strategy "0"): none of it is drift."""
    answer = dli_answer(
        AS_DECLARED, tm_slot_num=3, tm_cus=1, idle_state_retention=3600, dirty_data_strategy="0"
    )
    assert observed_document(DECLARED, answer) == DECLARED
    declared = {**DECLARED, "resources": {"cu": 4, "slotsPerTaskManager": 2}}
    assert observed_document(declared, answer)["resources"]["slotsPerTaskManager"] == 3
