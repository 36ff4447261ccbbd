"""Resource configuration v2 values outside what DLI takes.

From the DLI API reference ("Updating a Flink Jar Job", dli_02_0231, Tables 3 to 5; the SQL and
create pages give the same tables) and the SDK models ``ResourceConfig`` / ``ResourceSpec``: a
JobManager or TaskManager ``cpu`` is "no less than 0.5 CPU cores"; ``memory`` is given "in MB or GB.
The default unit is GB", "the minimum value is 2 GB"; ``slotsPerTaskManager`` (max_slot) and
``parallelism`` are at least 1 ("The minimum parallelism must not be less than 1"). The reference
gives no upper bounds, so none is checked. Only a job with ``resourceConfigVersion: v2`` is
checked: under v1 DLI does not read resourceConfig (resource-config-unused says so).

PASS::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.17"
    sql: INSERT INTO sink SELECT * FROM src
    resourceConfigVersion: v2
    resourceConfig:
      parallelism: 4
      slotsPerTaskManager: 2
      jobManager: {cpu: 1, memory: 4GB}
      taskManager: {cpu: 2, memory: 8GB}

FAIL::

    kind: FlinkSqlJob
    name: orders-enrich
    queue: flink_q
    flinkVersion: "1.17"
    sql: INSERT INTO sink SELECT * FROM src
    resourceConfigVersion: v2
    resourceConfig:
      taskManager: {cpu: 0.25, memory: 1GB}
"""

from collections.abc import Iterator

from dli_flink.model.fields import V2
from dli_flink.model.findings import Problem, Severity, shown
from dli_flink.model.spec import JobSpec, memory_gb
from dli_flink.rules.base import Context, Option

ID = "resource-config-range"
SEVERITY = Severity.ERROR
OPTIONS: tuple[Option, ...] = ()
MIN_CPU, MIN_MEMORY_GB, MIN_COUNT = 0.5, 2, 1


def check(spec: JobSpec, context: Context) -> Iterator[Problem]:
    if spec.resource_version != V2:
        return
    config = spec.resource_config
    for key, value in (
        ("parallelism", config.parallelism),
        ("slotsPerTaskManager", config.slots_per_task_manager),
    ):
        if isinstance(value, int) and value < MIN_COUNT:
            yield Problem(
                ID,
                ("resourceConfig", key),
                f"resourceConfig {key} {shown(value)} must be at least {MIN_COUNT}",
                rejects=True,
            )
    for manager, name in ((config.job_manager, "jobManager"), (config.task_manager, "taskManager")):
        cpu, memory = manager.cpu, manager.memory
        if isinstance(cpu, int | float) and not isinstance(cpu, bool) and cpu < MIN_CPU:
            yield Problem(
                ID,
                ("resourceConfig", name, "cpu"),
                f"{name} cpu {shown(cpu)} is below {MIN_CPU}, the fewest cores DLI gives a "
                f"{name}: raise it to at least {MIN_CPU}",
                rejects=True,
            )
        if not isinstance(memory, str):
            continue
        gigabytes = memory_gb(memory)
        if gigabytes is None:
            yield Problem(
                ID,
                ("resourceConfig", name, "memory"),
                f"{name} memory {shown(memory)} is not a size DLI reads: write a number in GB or "
                'MB, such as "4GB", "4096MB" or "4" (GB)',
                rejects=True,
            )
        elif gigabytes < MIN_MEMORY_GB:
            yield Problem(
                ID,
                ("resourceConfig", name, "memory"),
                f"{name} memory {shown(memory)} is below {MIN_MEMORY_GB} GB, the least DLI gives "
                f'a {name}: raise it to at least "{MIN_MEMORY_GB}GB"',
                rejects=True,
            )
