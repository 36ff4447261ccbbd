"""The rule registry: every rule, by id, in the order `dli-flink rules` lists them."""

from __future__ import annotations

from types import ModuleType

from dli_flink.rules import (
    agency_required,
    checkpoint_path_enabled,
    dli_package_version,
    job_name,
    queue_capacity,
    resource_config_range,
    resource_config_unused,
    resource_config_version,
    resources_range,
    runtime_config_conflict,
    runtime_config_unknown_key,
    runtime_config_value,
    scaling_cu_max_below_cu,
    scaling_cu_min_above_cu,
    scaling_cu_min_above_max,
    scaling_cu_min_floor,
    scaling_flink_version,
    scaling_inert_keys,
    scaling_interval,
    scaling_job_type,
    scaling_needs_checkpoint,
    scaling_needs_logs,
    scaling_needs_obs_bucket,
    scaling_priority,
    schema,
    sql_file,
    suppression,
    yaml_syntax,
)

RULES: dict[str, ModuleType] = {
    rule.ID: rule
    for rule in (
        yaml_syntax,
        schema,
        scaling_flink_version,
        agency_required,
        scaling_needs_checkpoint,
        scaling_needs_obs_bucket,
        scaling_needs_logs,
        scaling_interval,
        scaling_cu_max_below_cu,
        scaling_cu_min_above_cu,
        scaling_cu_min_floor,
        scaling_cu_min_above_max,
        scaling_inert_keys,
        scaling_job_type,
        scaling_priority,
        resources_range,
        resource_config_version,
        resource_config_range,
        resource_config_unused,
        checkpoint_path_enabled,
        dli_package_version,
        job_name,
        runtime_config_conflict,
        runtime_config_unknown_key,
        runtime_config_value,
        sql_file,
        queue_capacity,
        suppression,
    )
}

JOB_RULES = [rule for rule in RULES.values() if hasattr(rule, "check")]
STACK_RULES = [rule for rule in RULES.values() if hasattr(rule, "check_jobs")]
