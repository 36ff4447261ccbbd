"""Benchmark `dli-flink validate` against `check-jsonschema` on one generated corpus of job files.

Why: issue 2 asks the validator, which runs in every pre-commit hook and CI job, to be fast while it
checks more than a schema checker does, and issue 14 raises the bar. The bar is check-jsonschema, the
usual way to check YAML against a JSON Schema: on the same 1,000 job files, `dli-flink validate`
(schema + every rule, exact line:column) must check at least 15x as many files per second as
`check-jsonschema --schemafile schemas/flink-job.schema.json` (schema only), and on a single file
take at most 0.2 of its wall time (a pre-commit run on one changed file is mostly interpreter and
import start-up).

What: a seeded corpus of FlinkSqlJob and FlinkJarJob documents shaped like the job document of the
issue, with unique names (the job-name rule compares all files), some SQL in separate sqlFile files,
and a project `.dli-flink.yaml` with queue capacities so that the queue-capacity rule runs too. About
5% of the files carry findings (schema errors and rule errors or warnings), so the path that looks up
exact positions runs as well. Both commands run as subprocesses from this virtualenv's console
scripts, the way a user or pre-commit runs them, with the same file list as arguments. Each
measurement is repeated (best and median are printed: the machine is shared and noisy) and the runs
of the two commands alternate. Peak RSS and CPU time come from wait4() of each child.

With its per-user cache (cli/cache.py) dli-flink is measured twice more on the same corpus, in the
same alternating rounds: warm (nothing changed since the last run; the bar is 50x check-jsonschema's
files per second) and with one file changed before each run (30x). The cold rows run with
--no-cache. The corpus's files are dated an hour back, as in a checkout nobody is editing: the cache
trusts the stamps of files that old (fresher ones it hashes).

Before timing, one untimed run of each command in JSON output mode checks that the corpus is what it
claims: dli-flink reports findings in exactly the defective files, check-jsonschema rejects exactly
the files with schema errors. This is a benchmark, not a test: the exit status is 0 whether or not the
targets are met, and nonzero only when a command fails unexpectedly (a crash, a usage error, an exit
status or result that the corpus does not explain).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "flink-job.schema.json"
BIN = Path(sys.executable).parent
"""The virtualenv's console scripts (not resolved: the interpreter may be a symlink out of it)."""
FILES_PER_SECOND_TARGET = 15.0
SINGLE_FILE_TARGET = 0.2
WARM_TARGET = 50.0
ONE_CHANGED_TARGET = 30.0
AGE_SECONDS = 3600
FINDINGS_SHARE = 0.05
SEED = 2

QUEUES = {
    "flink_shared": 16000,
    "flink_payments": 12000,
    "flink_analytics": 12000,
    "flink_etl": 12000,
}
"""Queue capacities for .dli-flink.yaml, large enough for the whole valid corpus."""
DOMAINS = ("orders", "payments", "clicks", "inventory", "shipments", "users", "ads", "fraud")
ACTIONS = ("enrich", "dedup", "aggregate", "join", "sessionize", "alert", "archive", "score")
TEAMS = ("data", "payments", "growth", "risk", "logistics")
SCALING_VERSIONS = ("1.12", "1.13", "1.15")
"""Flink 1.17 is left out: it takes only resource config v2, and the corpus sizes jobs in CUs (v1)."""

_PLAIN = re.compile(r"[A-Za-z_][\w./:@ -]*[\w./]|[A-Za-z_]")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


# --- the corpus ----------------------------------------------------------------------------------


def scalar(value: object) -> str:
    """A YAML 1.2 scalar that reads back as `value` (floats stay numbers: a defect uses that)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = _PLAIN.fullmatch(text) and ": " not in text and " #" not in text
    return text if plain and text.lower() not in _RESERVED else json.dumps(text)


def render(document: dict[str, object], indent: str = "") -> Iterator[str]:
    """Block-style YAML as people write it: nested mappings, flow lists, `|` for multi-line text."""
    for key, value in document.items():
        if isinstance(value, dict):
            yield f"{indent}{key}:"
            yield from render(value, indent + "  ")
        elif isinstance(value, list):
            yield f"{indent}{key}: [{', '.join(scalar(item) for item in value)}]"
        elif isinstance(value, str) and "\n" in value:
            yield f"{indent}{key}: |"
            yield from (f"{indent}  {line}" for line in value.rstrip("\n").split("\n"))
        else:
            yield f"{indent}{key}: {scalar(value)}"


def sql_text(rng: random.Random, domain: str) -> str:
    columns = rng.sample(["id", "user_id", "amount", "currency", "status", "region", "sku"], 4)
    typed = ",\n".join(f"  {column} STRING" for column in columns)
    return (
        f"CREATE TABLE {domain}_src (\n{typed},\n  ts TIMESTAMP(3),\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n) WITH (\n"
        f"  'connector' = 'kafka',\n  'topic' = '{domain}',\n"
        "  'properties.bootstrap.servers' = 'kafka:9092',\n  'format' = 'json'\n);\n"
        f"CREATE TABLE {domain}_sink (\n{typed},\n  window_end TIMESTAMP(3)\n) WITH (\n"
        f"  'connector' = 'jdbc',\n  'url' = 'jdbc:mysql://rds:3306/{domain}',\n"
        f"  'table-name' = '{domain}_{rng.choice(ACTIONS)}'\n);\n"
        f"INSERT INTO {domain}_sink\nSELECT {', '.join(columns)},\n"
        f"  TUMBLE_END(ts, INTERVAL '{rng.choice([1, 5, 15])}' MINUTE)\n"
        f"FROM {domain}_src\nGROUP BY {', '.join(columns)}, "
        f"TUMBLE(ts, INTERVAL '{rng.choice([1, 5, 15])}' MINUTE);\n"
    )


@dataclass
class Job:
    """One job file: the document, optional SQL file, and what the validators should say."""

    file: str
    document: dict[str, object]
    sql_file: str | None = None
    sql: str = ""
    defect: str = ""
    schema_error: bool = False
    with_findings: set[str] = field(default_factory=set)
    """Files in which this job's defect shows (a duplicated name shows in both of its files)."""


def make_job(rng: random.Random, index: int, scaling: bool, jar: bool) -> Job:
    """A job that passes the schema and every rule."""
    domain, action = rng.choice(DOMAINS), rng.choice(ACTIONS)
    name = f"{domain}-{action}-{index:04d}"
    cu = rng.choice([2, 4, 8, 8, 16, 16, 32, 64])
    manager = 1 if cu <= 16 else 2
    team = rng.choice(TEAMS)
    bucket = f"dli-{team}-prod"
    document: dict[str, object] = {
        "kind": "FlinkJarJob" if jar else "FlinkSqlJob",
        "name": name,
        "description": f"{action.capitalize()} {domain} events for the {team} team",
        "queue": rng.choice(list(QUEUES)),
        "flinkVersion": rng.choice(SCALING_VERSIONS if scaling else ("1.10", *SCALING_VERSIONS)),
    }
    if document["flinkVersion"] == "1.15":  # rule agency-required: 1.15 checkpoints with one
        document["agency"] = "dli_flink_agency"
    job = Job(f"jobs/{domain}/{name}.yaml", document)
    if jar:
        package = f"com.example.{domain}"
        document["jar"] = {
            "entrypoint": f"obs://{bucket}/apps/{domain}-{action}-{rng.randint(1, 9)}.2.0.jar",
            "mainClass": f"{package}.{action.capitalize()}Job",
            "args": ["--window", str(rng.choice([30, 60, 300])), "--env", "prod"],
            "dependencyJars": [f"obs://{bucket}/lib/common-2.{rng.randint(0, 9)}.jar"],
            "dependencyFiles": [f"obs://{bucket}/conf/{domain}.properties"],
        }
    else:
        document["jobType"] = "flink_opensource_sql_job"
        sql = sql_text(rng, domain)
        if rng.random() < 0.2:
            job.sql_file, job.sql = f"{name}.sql", sql
            document["sqlFile"] = job.sql_file
        else:
            document["sql"] = sql
    spare = cu - manager
    document["resources"] = {
        "cu": cu,
        "managerCu": manager,
        "parallelism": rng.randint(1, min(4 * spare, 64)),
        "taskManagerCu": 1,
        "slotsPerTaskManager": rng.choice([1, 2]),
    }
    document["checkpoint"] = {
        "enabled": scaling or rng.random() < 0.7,
        "intervalSeconds": rng.choice([30, 60, 120]),
        "mode": rng.choice(["exactly_once", "at_least_once"]),
    }
    if jar and not document["checkpoint"]["enabled"]:  # DLI takes no custom path with it on
        document["checkpoint"]["path"] = f"obs://{bucket}/checkpoints/{name}/"  # type: ignore[index]
    document["obsBucket"] = bucket
    document["logEnabled"] = scaling or rng.random() < 0.5
    document["restartOnException"] = True
    document["resumeFromCheckpoint"] = rng.random() < 0.8
    document["resumeMaxTimes"] = rng.choice([-1, 3, 10])
    document["smnTopic"] = f"{domain}-alerts"
    if not jar:
        document["idleStateRetentionSeconds"] = rng.choice([3600, 86400])
        document["dirtyDataStrategy"] = rng.choice(["0", "1", f"2:obs://{bucket}/dirty/{name}"])
    if scaling:
        document["scaling"] = {
            "enabled": True,
            "intervalMinutes": rng.choice([10, 15, 30, 60]),
            "cuMin": rng.randint(2, cu),
            "cuMax": cu * rng.choice([1, 2, 4]),
            "priority": rng.randint(1, 10),
        }
    document["runtimeConfig"] = {"table.exec.state.ttl": rng.choice(["1h", "12h", "1d"])}
    document["tags"] = {"team": team, "domain": domain}
    return job


def _section(job: Job, key: str) -> dict[str, object]:
    value = job.document[key]
    assert isinstance(value, dict)
    return value


def _rename(job: Job, old: str, new: str) -> None:
    job.document = {(new if key == old else key): value for key, value in job.document.items()}


DEFECTS: dict[str, Callable[[Job, list[Job]], None]] = {
    # Schema errors: check-jsonschema rejects these files too.
    "typo-key": lambda job, _: _rename(job, "logEnabled", "logEnable"),
    "unquoted-version": lambda job, _: job.document.update(flinkVersion=1.15),
    "missing-queue": lambda job, _: job.document.pop("queue"),
    "bad-entrypoint": lambda job, _: job.document.update(jar={"entrypoint": ""}),
    # Rule findings: valid for the schema.
    "cu-max-below-cu": lambda job, _: _section(job, "scaling").update(cuMax=1),
    "short-interval": lambda job, _: _section(job, "scaling").update(intervalMinutes=5),
    "no-checkpoint": lambda job, _: _section(job, "checkpoint").update(enabled=False),
    "parallelism": lambda job, _: _section(job, "resources").update(parallelism=2001),
    "runtime-key-typo": lambda job, _: _section(job, "runtimeConfig").update(
        {"flink.dli.job.scale.enabled": True}
    ),
    "duplicate-name": lambda job, broken: job.document.update(name=broken[-1].document["name"]),
}
SCHEMA_DEFECTS = {"typo-key", "unquoted-version", "missing-queue", "bad-entrypoint"}


def make_corpus(count: int, seed: int) -> list[Job]:
    """`count` jobs, the same for the same seed; a share of them each with one defect."""
    rng = random.Random(seed)
    defective = set(rng.sample(range(count), max(len(DEFECTS), round(count * FINDINGS_SHARE))))
    names = list(DEFECTS)
    jobs: list[Job] = []
    broken: list[Job] = []
    for index in range(count):
        defect = names[len(broken) % len(names)] if index in defective else ""
        scaling = rng.random() < 0.6 or bool(defect)
        jar = rng.random() < 0.35 or defect == "bad-entrypoint"
        job = make_job(rng, index, scaling, jar)
        if defect:
            DEFECTS[defect](job, broken)
            job.defect, job.schema_error = defect, defect in SCHEMA_DEFECTS
            job.with_findings.add(job.file)
            if defect == "duplicate-name":
                job.with_findings.add(broken[-1].file)
            broken.append(job)
        jobs.append(job)
    return jobs


def write_corpus(jobs: list[Job], folder: Path) -> None:
    capacities = "\n".join(f"  {name}: {{cu: {cu}}}" for name, cu in QUEUES.items())
    (folder / ".dli-flink.yaml").write_text(f"queues:\n{capacities}\n")
    for job in jobs:
        path = folder / job.file
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"# {job.document['name']}: owned by the {_section(job, 'tags')['team']} team\n"
        path.write_text(header + "\n".join(render(job.document)) + "\n")
        if job.sql_file:
            (path.parent / job.sql_file).write_text(job.sql)
    aged = time.time() - AGE_SECONDS
    for written in folder.rglob("*"):
        os.utime(written, (aged, aged))


def change_one_file(path: Path) -> Callable[[], None]:
    """Before each run: edit one job file (its description, alternately two ways, same verdict)."""
    original = path.read_text()
    edits = iter(range(1_000_000))

    def edit() -> None:
        path.write_text(original.replace("description: ", f"description: edit {next(edits)} "))

    return edit


# --- running and timing --------------------------------------------------------------------------


def child_environment(folder: Path) -> dict[str, str]:
    """This environment, with bytecode caching on (as on a user's machine) but kept out of the repo.

    With PYTHONDONTWRITEBYTECODE set (as in some sandboxes and CI images) an editable install of
    dli-flink compiles its whole package on every run while check-jsonschema's installed package has
    its .pyc files: a start-up penalty no user pays. A cache prefix in the corpus folder puts both
    commands on the same footing: every module's bytecode cached there by the untimed runs.
    """
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return environment | {
        "PYTHONPYCACHEPREFIX": str(folder / "pycache"),
        "XDG_CACHE_HOME": str(folder / "user-cache"),  # dli-flink's cache starts empty
    }


class CommandFailed(Exception):
    """A command exited in a way the corpus does not explain."""


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    """User + system CPU time: unlike the wall time, without the time other processes held the CPU."""
    peak_rss_kib: int


def run(argv: list[str], folder: Path, expected: int) -> Run:
    """Run `argv` to its end, output into files in `folder`: its wall and CPU time and peak RSS.

    CommandFailed if it exits with another status than `expected`, or with a traceback (Python
    exits 1 then, the status of a run with findings).
    """
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(out), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, str(err), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, child_environment(folder), file_actions=actions)
    _, wait_status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    status = os.waitstatus_to_exitcode(wait_status)
    if status != expected or b"Traceback (most recent call last)" in err.read_bytes():
        tail = err.read_text(errors="replace")[-2000:] or out.read_text(errors="replace")[-2000:]
        raise CommandFailed(
            f"{' '.join(argv[:4])} ... exited {status}, expected {expected}:\n{tail}"
        )
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


@dataclass
class Measurement:
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss_mib(self) -> float:
        return max(r.peak_rss_kib for r in self.runs) / 1024


def check_results(jobs: list[Job], folder: Path, dli: list[str], cjs: list[str]) -> None:
    """One untimed run of each in JSON: the corpus must hold the findings it was built with."""
    files = [job.file for job in jobs]
    run([*dli, "--format", "json", *files], folder, expected=1)
    found = {f["file"] for f in json.loads((folder / "stdout.txt").read_text())["findings"]}
    meant = set().union(*(job.with_findings for job in jobs))
    if found != meant:
        raise CommandFailed(
            f"dli-flink found findings in {len(found)} files, the corpus has them in {len(meant)}: "
            f"unexpected {sorted(found - meant)[:5]}, missed {sorted(meant - found)[:5]}"
        )
    run([*cjs, "--output-format", "json", *files], folder, expected=1)
    result = json.loads((folder / "stdout.txt").read_text())
    rejected = {e["filename"] for e in result["errors"]} | {
        e["filename"] for e in result["parse_errors"]
    }
    meant = {job.file for job in jobs if job.schema_error}
    if rejected != meant:
        raise CommandFailed(
            f"check-jsonschema rejected {len(rejected)} files, the corpus has {len(meant)} "
            f"schema errors: unexpected {sorted(rejected - meant)[:5]}, "
            f"missed {sorted(meant - rejected)[:5]}"
        )


def measure(
    commands: dict[str, tuple[list[str], int]],
    folder: Path,
    repeat: int,
    before: dict[str, Callable[[], None]] | None = None,
) -> dict[str, Measurement]:
    """Run each command `repeat` times, alternating between them so that noise hits both alike;
    `before[name]`, untimed, before each run of that command.

    A first, untimed round warms the bytecode and disk caches (and dli-flink's own cache).
    """
    before = before or {}
    for argv, expected in commands.values():
        run(argv, folder, expected)
    results = {name: Measurement() for name in commands}
    for _ in range(repeat):
        for name, (argv, expected) in commands.items():
            if name in before:
                before[name]()
            results[name].runs.append(run(argv, folder, expected))
    return results


# --- the report ----------------------------------------------------------------------------------


def verdict(best: bool, median: bool) -> str:
    """A target is met when both the best and the median run meet it; noise can split them."""
    if best == median:
        return "met" if best else "MISSED"
    return f"unclear (met on the {'best' if best else 'median'} only: noise, run again)"


def table(
    count: int, repeat: int, corpus: dict[str, Measurement], single: dict[str, Measurement]
) -> str:
    dli, cjs = corpus["dli-flink"], corpus["check-jsonschema"]
    one_dli, one_cjs = single["dli-flink"], single["check-jsonschema"]
    speedup = {"best": cjs.best / dli.best, "median": cjs.median / dli.median}
    share = {"best": one_dli.best / one_cjs.best, "median": one_dli.median / one_cjs.median}
    fast = {kind: ratio >= FILES_PER_SECOND_TARGET for kind, ratio in speedup.items()}
    light = {kind: ratio <= SINGLE_FILE_TARGET for kind, ratio in share.items()}
    speed_target, share_target = (
        f">= {FILES_PER_SECOND_TARGET:.0f}x",
        f"<= {SINGLE_FILE_TARGET:.2f}",
    )

    def met(ok: bool) -> str:
        return "yes" if ok else "NO"

    rows = [
        ("", "dli-flink", "check-jsonschema", "ratio", "target", "met"),
        (f"{count} files, best (s)", f"{dli.best:.3f}", f"{cjs.best:.3f}", "", "", ""),
        (f"{count} files, median (s)", f"{dli.median:.3f}", f"{cjs.median:.3f}", "", "", ""),
        ("files/s, best", f"{count / dli.best:.0f}", f"{count / cjs.best:.0f}",
         f"{speedup['best']:.1f}x", speed_target, met(fast["best"])),
        ("files/s, median", f"{count / dli.median:.0f}", f"{count / cjs.median:.0f}",
         f"{speedup['median']:.1f}x", speed_target, met(fast["median"])),
        ("1 file, best (ms)", f"{one_dli.best * 1000:.0f}", f"{one_cjs.best * 1000:.0f}",
         f"{share['best']:.2f}", share_target, met(light["best"])),
        ("1 file, median (ms)", f"{one_dli.median * 1000:.0f}", f"{one_cjs.median * 1000:.0f}",
         f"{share['median']:.2f}", share_target, met(light["median"])),
        (f"{count} files, CPU median (s)", f"{dli.cpu_median:.3f}", f"{cjs.cpu_median:.3f}",
         f"{cjs.cpu_median / dli.cpu_median:.1f}x", "", ""),
        ("1 file, CPU median (ms)", f"{one_dli.cpu_median * 1000:.0f}",
         f"{one_cjs.cpu_median * 1000:.0f}", f"{one_dli.cpu_median / one_cjs.cpu_median:.2f}",
         "", ""),
        (f"peak RSS, {count} files (MiB)", f"{dli.peak_rss_mib:.0f}", f"{cjs.peak_rss_mib:.0f}",
         "", "", ""),
        ("peak RSS, 1 file (MiB)", f"{one_dli.peak_rss_mib:.0f}",
         f"{one_cjs.peak_rss_mib:.0f}", "", "", ""),
    ]  # fmt: skip
    verdicts = []
    for name, label, target in (
        ("warm", "warm (nothing changed)", WARM_TARGET),
        ("one changed", "one file changed", ONE_CHANGED_TARGET),
    ):
        cached = corpus[f"dli-flink, {name}"]
        ratios = {"best": cjs.best / cached.best, "median": cjs.median / cached.median}
        ok = {kind: ratio >= target for kind, ratio in ratios.items()}
        rows += [
            (f"{count} files {label}, best (s)", f"{cached.best:.3f}", f"{cjs.best:.3f}",
             f"{ratios['best']:.1f}x", f">= {target:.0f}x", met(ok["best"])),
            (f"{count} files {label}, median (s)", f"{cached.median:.3f}", f"{cjs.median:.3f}",
             f"{ratios['median']:.1f}x", f">= {target:.0f}x", met(ok["median"])),
            (f"{count} files {label}, CPU median (s)", f"{cached.cpu_median:.3f}",
             f"{cjs.cpu_median:.3f}", f"{cjs.cpu_median / cached.cpu_median:.1f}x", "", ""),
        ]  # fmt: skip
        verdicts.append(
            f"target {count} files, {label}: dli-flink files/s >= {target:.0f}x check-jsonschema's: "
            + verdict(ok["best"], ok["median"])
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(
        [
            *lines,
            f"(best and median of {repeat} runs of each command, alternating; targets are on wall"
            " time; the CPU rows leave out the time other processes held the CPU; the cold rows"
            " run dli-flink with --no-cache, the warm ones with its cache filled by the run"
            " before)",
            f"target {count} files: dli-flink files/s {speed_target} check-jsonschema's: "
            + verdict(fast["best"], fast["median"]),
            f"target 1 file: dli-flink wall time {share_target} of check-jsonschema's: "
            + verdict(light["best"], light["median"]),
            *verdicts,
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    args = parser.parse_args()
    if args.files < 2 * len(DEFECTS) or args.repeat < 1:
        parser.error(f"--files must be at least {2 * len(DEFECTS)} and --repeat at least 1")
    dli_flink, check_jsonschema = BIN / "dli-flink", BIN / "check-jsonschema"
    for script in (dli_flink, check_jsonschema):
        if not script.is_file():
            print(f"validate_bench: {script} is missing: run `make test` first", file=sys.stderr)
            return 2

    jobs = make_corpus(args.files, SEED)
    files = [job.file for job in jobs]
    single = next(
        job.file for job in jobs if not job.defect and job.document["kind"] == "FlinkSqlJob"
    )
    with_findings = len(set().union(*(job.with_findings for job in jobs)))
    dli = [str(dli_flink), "validate", "--no-cache"]
    cached = [str(dli_flink), "validate"]
    cjs = [str(check_jsonschema), "--schemafile", str(SCHEMA)]
    # Run in the corpus folder, as a user in their repository: dli-flink finds its .dli-flink.yaml.
    with tempfile.TemporaryDirectory(prefix="dli-flink-bench-") as name, contextlib.chdir(name):
        folder = Path(name)
        write_corpus(jobs, folder)
        print(
            f"corpus: {len(jobs)} job files "
            f"({sum(job.document['kind'] == 'FlinkSqlJob' for job in jobs)} FlinkSqlJob, "
            f"{sum(job.document['kind'] == 'FlinkJarJob' for job in jobs)} FlinkJarJob), "
            f"{with_findings} with findings, "
            f"{sum(job.schema_error for job in jobs)} of them schema errors; seed {SEED}",
            flush=True,
        )
        try:
            check_results(jobs, folder, dli, cjs)
            corpus = measure(
                {
                    "dli-flink": ([*dli, *files], 1),
                    "check-jsonschema": ([*cjs, *files], 1),
                    "dli-flink, warm": ([*cached, *files], 1),
                    "dli-flink, one changed": ([*cached, *files], 1),
                },
                folder,
                args.repeat,
                before={"dli-flink, one changed": change_one_file(folder / single)},
            )
            one = measure(
                {"dli-flink": ([*dli, single], 0), "check-jsonschema": ([*cjs, single], 0)},
                folder,
                args.repeat,
            )
        except CommandFailed as error:
            print(f"validate_bench: {error}", file=sys.stderr)
            return 1
    print(table(len(jobs), args.repeat, corpus, one))
    return 0


if __name__ == "__main__":
    sys.exit(main())
