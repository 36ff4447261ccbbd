"""Every rule, both ways: the PASS and FAIL examples of its documentation are run as tests.

The docs are what `dli-flink rules` prints; running them keeps them true. Edge cases that the
examples do not show follow below.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from dli_flink.cli.validate import validate
from dli_flink.model.findings import Severity
from dli_flink.rules import RULES
from dli_flink.rules import config as configuration

_EXAMPLE = re.compile(r"^(PASS|FAIL|CONFIG)::\n\n((?:    .*\n|\n)+)", re.MULTILINE)
_FILE_LEVEL = {"yaml-syntax"}  # rules with nothing to pass: any readable file passes them


def _examples(rule: ModuleType, kind: str) -> list[str]:
    return [
        textwrap.dedent(block).strip() + "\n"
        for found_kind, block in _EXAMPLE.findall(rule.__doc__ or "")
        if found_kind == kind
    ]


def _run(tmp_path: Path, rule: ModuleType, example: str) -> list:
    job = tmp_path / "job.yaml"
    job.write_text(example, encoding="utf-8")
    config = configuration.Config()
    for block in _examples(rule, "CONFIG"):
        (tmp_path / ".dli-flink.yaml").write_text(block, encoding="utf-8")
        config = configuration.load(tmp_path / ".dli-flink.yaml")
    return validate([job], config).findings


def _cases(kind: str) -> list:
    return [
        pytest.param(rule, example, id=f"{rule_id}-{i}")
        for rule_id, rule in RULES.items()
        for i, example in enumerate(_examples(rule, kind))
    ]


def test_every_rule_documents_a_failing_example() -> None:
    missing = [rid for rid, rule in RULES.items() if not _examples(rule, "FAIL")]
    assert missing == []


def test_every_rule_but_file_level_documents_a_passing_example() -> None:
    missing = [
        rid for rid, r in RULES.items() if not _examples(r, "PASS") and rid not in _FILE_LEVEL
    ]
    assert missing == []


@pytest.mark.parametrize(("rule", "example"), _cases("FAIL"))
def test_failing_example_is_reported(tmp_path: Path, rule: ModuleType, example: str) -> None:
    findings = _run(tmp_path, rule, example)
    assert rule.ID in {f.rule for f in findings}, findings


@pytest.mark.parametrize(("rule", "example"), _cases("PASS"))
def test_passing_example_is_clean(tmp_path: Path, rule: ModuleType, example: str) -> None:
    """A passing example passes every rule, so it can be copied as it is."""
    assert _run(tmp_path, rule, example) == []


def _findings(write, text: str, **config_kwargs) -> list:
    path = write("job.yaml", text)
    return validate([path], configuration.Config(**config_kwargs)).findings


BASE = """\
kind: FlinkSqlJob
name: orders-enrich
queue: flink_q
flinkVersion: "1.15"
sql: INSERT INTO sink SELECT * FROM src
resources: {cu: 8}
checkpoint: {enabled: true}
obsBucket: my-bucket
logEnabled: true
agency: dli_flink_agency
"""


def test_scaling_rules_read_runtime_config_keys_too(write) -> None:
    """A team that writes the raw DLI keys gets the same checks as with the scaling block."""
    findings = _findings(
        write,
        BASE.replace("logEnabled: true", "logEnabled: false")
        + 'runtimeConfig:\n  flink.dli.job.scale.enable: "true"\n  flink.dli.job.cu.max: "4"\n',
    )
    assert {(f.rule, f.line) for f in findings} == {
        ("scaling-needs-logs", 9),
        ("scaling-cu-max-below-cu", 13),
    }


SCALING_ON = 'runtimeConfig:\n  flink.dli.job.scale.enable: "true"\n'


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    [
        ("scale.enable", " TRUE ", "write true"),
        ("scale.enable", "yes", "write true or false"),
        ("cu.max", "1_6", "write 16"),
        ("cu.max", " 16", "write 16"),
        ("cu.max", "16.0", "write a whole number"),
        ("cu.max", "2147483648", "write a whole number"),
        ("cu.max", "\U0001d7cf\U0001d7d4", "write 16"),
    ],
    ids=["spaces-bool", "yes", "underscore", "space-int", "decimal", "past-int", "math-digits"],
)
def test_runtime_values_dli_would_not_read_are_reported(write, key, value, fix) -> None:
    """DLI is a Java service: Boolean.parseBoolean reads "true" in any case as true and anything
    else, " TRUE " too, as false; Integer.parseInt takes decimal digits with an optional sign, no
    spaces or underscores, within 32 bits. Python's strip() and int() read all of these."""
    on = SCALING_ON if key != "scale.enable" else "runtimeConfig:\n"
    text = BASE + on + f"  flink.dli.job.{key}: {value!r}\n"
    findings = _findings(write, text)
    assert [f.rule for f in findings] == ["runtime-config-value"], findings
    assert findings[0].message.endswith(fix), findings[0].message
    assert "Java" in findings[0].message


def test_a_runtime_value_dli_would_not_read_is_not_also_a_conflict(write) -> None:
    """One wrong value, one finding: the unreadable value is not compared with the scaling block."""
    text = (
        BASE
        + "scaling: {enabled: true, cuMax: 16}\n"
        + 'runtimeConfig: {flink.dli.job.cu.max: "1_6"}\n'
    )
    assert [f.rule for f in _findings(write, text)] == ["runtime-config-value"]


def test_runtime_values_in_other_scripts_digits_are_read_as_java_reads_them(write) -> None:
    """Integer.parseInt accepts every decimal digit Character.digit knows, Arabic-Indic ones too
    (Java's Character.isDigit lists U+0660-U+0669): DLI reads "١٦" as 16, and so does the check."""
    text = BASE + SCALING_ON + '  flink.dli.job.cu.max: "\u0664"\n'
    [finding] = _findings(write, text)
    assert (finding.rule, finding.message.split(":")[0]) == (
        "scaling-cu-max-below-cu",
        "scaling cuMax 4 is below the job's 8 CUs (resources.cu)",
    )
    assert _findings(write, BASE + SCALING_ON + '  flink.dli.job.cu.max: "\u0661\u0666"\n') == []


def test_scaling_rules_are_silent_while_scaling_is_off(write) -> None:
    findings = _findings(write, BASE + "scaling: {cuMin: 1, cuMax: 4, intervalMinutes: 0}\n")
    assert {f.rule for f in findings} == {"scaling-inert-keys"}
    assert all(f.severity == Severity.WARNING for f in findings)


def test_interval_below_one_minute_is_an_error_and_below_minimum_a_warning(write) -> None:
    zero = _findings(write, BASE + "scaling: {enabled: true, intervalMinutes: 0}\n")
    five = _findings(write, BASE + "scaling: {enabled: true, intervalMinutes: 5}\n")
    ten = _findings(write, BASE + "scaling: {enabled: true, intervalMinutes: 10}\n")
    assert [(f.rule, f.severity) for f in zero] == [("scaling-interval", Severity.ERROR)]
    assert [(f.rule, f.severity) for f in five] == [("scaling-interval", Severity.WARNING)]
    assert "288 restarts a day" in five[0].message
    assert ten == []


def test_rule_options_come_from_configuration(write) -> None:
    text = BASE + "scaling: {enabled: true, intervalMinutes: 12}\n"
    assert _findings(write, text) == []
    stricter = _findings(write, text, options={"scaling-interval": {"min-minutes": 15}})
    assert [f.rule for f in stricter] == ["scaling-interval"]
    old = BASE.replace('"1.15"', '"1.13"') + "scaling: {enabled: true}\n"
    assert _findings(write, old) == []
    only_112 = _findings(write, old, options={"scaling-flink-version": {"versions": ["1.12"]}})
    assert [f.rule for f in only_112] == ["scaling-flink-version"]


def test_a_wrong_type_is_reported_once_by_the_schema_not_again_by_rules(write) -> None:
    """cu: "eight" must not make the CU rules compare against a default the user never wrote."""
    text = BASE.replace("{cu: 8}", '{cu: "eight"}') + "scaling: {enabled: true, cuMax: 4}\n"
    findings = _findings(write, text)
    assert [(f.rule, f.line) for f in findings] == [("schema", 6)]
    assert "whole number" in findings[0].message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("resources: {cu: -4}\nscaling: {enabled: true}\n", [("resources-range", 10)]),
        ("resources: {cu: 500}\nscaling: {enabled: true, cuMax: 16}\n", [("resources-range", 10)]),
        ("resources: {cu: 8, managerCu: 0, parallelism: 40}\n", [("resources-range", 10)]),
        ("resources: {cu: 8}\nscaling: {enabled: true, cuMin: 1, cuMax: 0}\n", None),
        (
            'resources: {cu: 1}\nruntimeConfig: {flink.dli.job.scale.enable: "true"}\n',
            [("resources-range", 10)],
        ),
    ],
    ids=[
        "cu-negative",
        "cu-too-large",
        "manager-zero",
        "min-and-max-below-floor",
        "runtime-config",
    ],
)
def test_one_wrong_value_is_one_finding(write, written, expected) -> None:
    """A value a rule rejects is not also compared with others: cu: -4 once gave four errors, one
    advising "lower cuMin to at most -4"."""
    text = BASE.replace("resources: {cu: 8}\n", "") + written
    findings = _findings(write, text, queues={"flink_q": 64})
    if expected is None:  # cuMin 1 and cuMax 0: each rejected on its own, nothing compared
        assert sorted(f.rule for f in findings) == [
            "scaling-cu-max-below-cu",
            "scaling-cu-min-floor",
        ]
    else:
        assert [(f.rule, f.line) for f in findings] == expected, findings


@pytest.mark.parametrize(
    ("scaling", "line", "column"),
    [
        ("scaling:\n  <<: &defaults {enabled: true, cuMax: 4}\n", 12, 40),
        ("scaling:\n  <<: [{enabled: true}, {cuMax: 4}]\n", 12, 33),
        ("scaling:\n  <<:\n    enabled: true\n    cuMax: 4\n", 14, 12),
    ],
    ids=["anchored", "list-of-sources", "block"],
)
def test_a_finding_on_a_merged_key_points_at_where_it_is_written(
    write, scaling, line, column
) -> None:
    """A key that comes from a merge key (<<) is written in the merged mapping: point there, not at
    the mapping that merges it."""
    [finding] = _findings(write, BASE + scaling)
    assert (finding.rule, finding.line, finding.column) == ("scaling-cu-max-below-cu", line, column)


def test_missing_checkpoint_points_at_the_scaling_switch_that_needs_it(write) -> None:
    text = BASE.replace("checkpoint: {enabled: true}\n", "") + "scaling:\n  enabled: true\n"
    [finding] = _findings(write, text)
    assert (finding.rule, finding.line, finding.column) == ("scaling-needs-checkpoint", 11, 3)


@pytest.mark.parametrize(
    "written",
    [
        "scaling: {priority: 3, cuMax: 16}\n",
        'runtimeConfig: {flink.dli.job.priority: "3", flink.dli.job.cu.max: "16"}\n',
    ],
    ids=["scaling-block", "runtime-config"],
)
def test_an_inert_priority_gets_the_verdict_of_the_other_inert_keys(write, written) -> None:
    """Without scaling, priority does nothing, as cuMax does nothing: one meaning, one verdict (it
    was an error while cuMax beside it was a warning)."""
    findings = _findings(write, BASE + written)
    assert [(f.rule, f.severity) for f in findings] == [
        ("scaling-inert-keys", Severity.WARNING),
        ("scaling-inert-keys", Severity.WARNING),
    ]
    assert "priority has no effect while scaling is disabled" in findings[0].message


def test_duplicate_names_are_reported_in_every_file(write) -> None:
    a = write("a.yaml", BASE)
    b = write("b.yaml", BASE)
    findings = validate([a, b], configuration.Config()).findings
    assert [(f.file.rsplit("/", 1)[-1], f.rule, f.line) for f in findings] == [
        ("a.yaml", "job-name", 2),
        ("b.yaml", "job-name", 2),
    ]


def test_queue_capacity_counts_the_jobs_of_a_queue_together(write) -> None:
    jobs = [
        BASE.replace("orders-enrich", f"job-{i}") + "scaling: {enabled: true, cuMax: 16}\n"
        for i in range(3)
    ]
    path = write("jobs.yaml", "---\n".join(jobs))
    findings = validate([path], configuration.Config(queues={"flink_q": 40})).findings
    assert [(f.rule, f.job) for f in findings] == [("queue-capacity", "job-2")]
    assert "48 CUs" in findings[0].message
    assert validate([path], configuration.Config(queues={"flink_q": 48})).findings == []


def test_queue_capacity_leaves_out_jobs_that_are_kept_stopped(write) -> None:
    """A job with desiredState: stopped holds no CUs: counting it warned of a full queue."""
    jobs = [
        BASE.replace("orders-enrich", f"job-{i}") + "scaling: {enabled: true, cuMax: 16}\n"
        for i in range(3)
    ]
    jobs[1] += "desiredState: stopped\n"
    path = write("jobs.yaml", "---\n".join(jobs))
    assert validate([path], configuration.Config(queues={"flink_q": 40})).findings == []
    alone = write("alone.yaml", jobs[1].replace("cuMax: 16", "cuMax: 64"))
    assert validate([alone], configuration.Config(queues={"flink_q": 40})).findings == []


def test_sql_file_is_read_relative_to_the_yaml_file(write) -> None:
    write("jobs/sql/a.sql", "INSERT INTO x SELECT 1")
    text = BASE.replace("sql: INSERT INTO sink SELECT * FROM src", "sqlFile: sql/a.sql")
    path = write("jobs/a.yaml", text)
    assert validate([path], configuration.Config()).findings == []


def test_an_agency_is_needed_from_flink_1_15_only_where_dli_uses_one(write) -> None:
    """DLI's user guide: a Flink 1.15 job without an agency cannot checkpoint, take savepoints
    or save its logs; the runtime key names the agency as well as the field."""
    without = BASE.replace("agency: dli_flink_agency\n", "")
    [finding] = _findings(write, without)
    assert (finding.rule, finding.line) == ("agency-required", 4)
    assert "checkpointing and saved logs" in finding.message
    by_key = without + "runtimeConfig:\n  flink.dli.job.agency.name: dli_flink_agency\n"
    assert _findings(write, by_key) == []
    assert _findings(write, without.replace('"1.15"', '"1.13"')) == []
    stateless = without.replace("checkpoint: {enabled: true}\n", "").replace(
        "logEnabled: true", "logEnabled: false"
    )
    assert _findings(write, stateless) == []


V2 = """\
kind: FlinkSqlJob
name: orders-enrich
queue: flink_q
flinkVersion: "1.17"
sql: INSERT INTO sink SELECT * FROM src
checkpoint: {enabled: true}
obsBucket: my-bucket
logEnabled: true
agency: dli_flink_agency
resourceConfigVersion: v2
resourceConfig:
  parallelism: 4
  slotsPerTaskManager: 2
  jobManager: {cpu: 1, memory: 4GB}
  taskManager: {cpu: 2, memory: 8GB}
scaling: {enabled: true, cuMax: 4}
"""


def test_flink_1_17_takes_only_resource_config_v2(write) -> None:
    """SDK models and API reference (dli_02_0231): v1 is for Flink 1.12-1.15, 1.17 only v2; a job
    that writes no version runs v1."""
    v1 = V2.split("resourceConfigVersion")[0]
    [finding] = _findings(write, v1)
    assert (finding.rule, finding.line) == ("resource-config-version", 4)
    assert "set resourceConfigVersion: v2" in finding.message
    [written] = _findings(write, v1 + "resourceConfigVersion: v1\n")
    assert (written.rule, written.line) == ("resource-config-version", 10)
    assert _findings(write, v1.replace('"1.17"', '"1.15"')) == []


def test_scaling_limits_of_a_v2_job_count_its_cores_and_memory(write) -> None:
    """A v2 job sets no CUs: it occupies 1 CU for the JobManager and 2 TaskManagers (4 tasks, 2
    slots each) of max(2 cores, 8 GB / 4 GB) = 2 CUs: 5 CUs, which cuMax 4 is below."""
    [finding] = _findings(write, V2)
    assert (finding.rule, finding.line) == ("scaling-cu-max-below-cu", 16)
    assert "below the job's 5 CUs (resourceConfig" in finding.message
    assert _findings(write, V2.replace("cuMax: 4", "cuMax: 5")) == []
    bigger = V2.replace("cuMax: 4", "cuMax: 5").replace("memory: 8GB", "memory: 16GB")
    [memory] = _findings(write, bigger)
    assert "below the job's 9 CUs" in memory.message
    [floor] = _findings(write, V2.replace("cuMax: 4", "cuMin: 6, cuMax: 8"))
    assert floor.rule == "scaling-cu-min-above-cu" and "at most 5" in floor.message


def test_v2_sizes_below_dli_s_minimum_are_one_finding_each(write) -> None:
    """dli_02_0231 Tables 3-5: cpu at least 0.5, memory at least 2 GB in MB or GB, slots at least 1;
    a rejected size is left out of the scaling comparison (one wrong value, one finding)."""
    text = V2.replace("{cpu: 2, memory: 8GB}", "{cpu: 0.25, memory: 1024MB}").replace(
        "slotsPerTaskManager: 2", "slotsPerTaskManager: 0"
    )
    found = {(f.rule, f.line, f.column) for f in _findings(write, text)}
    assert found == {
        ("resource-config-range", 13, 24),
        ("resource-config-range", 15, 22),
        ("resource-config-range", 15, 36),
    }
    [unreadable] = _findings(write, V2.replace("memory: 4GB", "memory: 4 gigs"))
    assert unreadable.rule == "resource-config-range" and '"4096MB"' in unreadable.message


def test_the_other_version_s_block_is_reported_as_unused(write) -> None:
    cu = V2.replace("cuMax: 4", "cuMax: 5").replace(
        "resourceConfigVersion: v2\n", "resourceConfigVersion: v2\nresources: {cu: 4}\n"
    )
    [finding] = _findings(write, cu)
    assert (finding.rule, finding.line) == ("resource-config-unused", 11)
    v1 = V2.replace('"1.17"', '"1.15"').replace("resourceConfigVersion: v2\n", "")
    v1 = v1.replace("scaling: {enabled: true, cuMax: 4}\n", "")
    [ignored] = _findings(write, v1)
    assert (
        ignored.rule == "resource-config-unused"
        and "resourceConfig is read only" in ignored.message
    )


def test_dli_package_names_are_for_jar_jobs_below_flink_1_15(write) -> None:
    """SDK models: DLI-managed packages "not recommended" on Flink 1.15, unsupported above it."""
    jar = (
        'kind: FlinkJarJob\nname: app\nqueue: flink_q\nflinkVersion: "1.13"\n'
        "jar: {entrypoint: my_group/app.jar, dependencyJars: [my_group/lib.jar]}\n"
    )
    assert _findings(write, jar) == []
    [warned, _] = _findings(write, jar.replace('"1.13"', '"1.15"'))
    assert (warned.rule, warned.severity) == ("dli-package-version", "warning")
    refused = _findings(write, jar.replace('"1.13"', '"1.17"'))
    assert {(f.rule, f.severity, f.column) for f in refused if f.line == 5} == {
        ("dli-package-version", "error", 19),
        ("dli-package-version", "error", 54),
    }


def test_a_jar_checkpoint_path_goes_with_checkpointing_off(write) -> None:
    """Terraform's flinkjar resource: no custom checkpoint_path while checkpoint_enabled is true."""
    jar = (
        'kind: FlinkJarJob\nname: app\nqueue: flink_q\nflinkVersion: "1.13"\n'
        "jar: {entrypoint: obs://b/app.jar}\n"
        "checkpoint: {enabled: true, path: obs://b/ckpt/}\nobsBucket: my-bucket\n"
    )
    [finding] = _findings(write, jar)
    assert (finding.rule, finding.line) == ("checkpoint-path-enabled", 6)
    assert _findings(write, jar.replace("enabled: true", "enabled: false")) == []
