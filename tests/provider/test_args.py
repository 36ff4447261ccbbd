"""Typed args (snake_case) and the YAML job document converge on the same resource inputs."""

from __future__ import annotations

from pathlib import Path

from dli_flink.deploy.args import (
    CheckpointArgs,
    FlinkJarJobArgs,
    FlinkSqlJobArgs,
    JarArgs,
    ResourcesArgs,
    ScalingArgs,
    to_document,
)
from dli_flink.deploy.resources import read_job_documents

JOBS = Path(__file__).resolve().parents[2] / "examples" / "jobs"


def test_sql_args_give_the_document_of_the_yaml() -> None:
    yaml_document, _ = read_job_documents(JOBS / "orders-enrich.yaml")["orders-enrich"]
    args = FlinkSqlJobArgs(
        name="orders-enrich",
        description="Joins orders with customers and writes enriched orders to DWS.",
        queue="flink_q",
        flink_version="1.15",
        agency="dli_flink_agency",
        sql=yaml_document["sql"],
        resources=ResourcesArgs(cu=8, manager_cu=1, parallelism=8),
        checkpoint=CheckpointArgs(enabled=True, interval_seconds=60, mode="exactly_once"),
        obs_bucket="data-team-flink",
        log_enabled=True,
        restart_on_exception=True,
        resume_from_checkpoint=True,
        resume_max_times=-1,
        smn_topic="data-team-alerts",
        idle_state_retention_seconds=3600,
        scaling=ScalingArgs(enabled=True, interval_minutes=30, cu_min=4, cu_max=16, priority=6),
        runtime_config={"table.exec.state.ttl": "1h"},
        tags={"team": "data"},
    )
    assert {"kind": "FlinkSqlJob", **to_document(args)} == yaml_document


def test_jar_args_give_the_document_of_the_yaml() -> None:
    yaml_document, _ = read_job_documents(JOBS / "clickstream-sessions.yaml")[
        "clickstream-sessions"
    ]
    args = FlinkJarJobArgs(
        name="clickstream-sessions",
        queue="flink_q",
        flink_version="1.15",
        agency="dli_flink_agency",
        jar=JarArgs(
            entrypoint="obs://data-team-flink/jars/sessionizer-2.3.jar",
            main_class="com.example.clickstream.Sessionizer",
            args=["--gap-minutes", "30"],
            dependency_files=["obs://data-team-flink/conf/sessionizer.properties"],
        ),
        resources=ResourcesArgs(cu=6, parallelism=8),
        checkpoint=CheckpointArgs(enabled=True, interval_seconds=120),
        obs_bucket="data-team-flink",
        log_enabled=True,
        scaling=ScalingArgs(enabled=True, interval_minutes=60, cu_min=2, cu_max=12),
    )
    assert {"kind": "FlinkJarJob", **to_document(args)} == yaml_document
