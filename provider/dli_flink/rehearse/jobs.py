"""From job documents to rehearsals: what of a JobSpec Flink sees, and one rehearsal per change.

A rehearsal needs only the SQL, the parallelism and the flinkVersion, plus the settings DLI hands
Flink that shape state; whatever the rules say about the rest of the document is validate's business.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from dli_flink.model.spec import OPENSOURCE_SQL, JobSpec, known
from dli_flink.rehearse.changes import JobChange
from dli_flink.rehearse.install import find_jdk
from dli_flink.rehearse.rehearsal import PASSED_PREFIXES, TTL, Outcome, Verdict, Version, rehearse
from dli_flink.rehearse.runner import Runners

CHECKPOINT_MODES = {"exactly_once": "EXACTLY_ONCE", "at_least_once": "AT_LEAST_ONCE"}


@dataclass
class JobRehearsal:
    change: JobChange
    outcome: Outcome

    @property
    def versions(self) -> tuple[str, str]:
        return str(self.change.old.flink_version), str(self.change.new.flink_version)

    @property
    def parallelism(self) -> tuple[object, object]:
        return self.change.old.parallelism, self.change.new.parallelism


def version(spec: JobSpec) -> Version | str:
    """What Flink runs of a job; or why it cannot be rehearsed."""
    if not spec.is_sql:
        return (
            f"a Jar job ({spec.jar.entrypoint}): only SQL jobs are rehearsed, since a jar's own "
            "sources and sinks cannot be swapped for stand-ins"
        )
    if spec.job_type != OPENSOURCE_SQL:
        return f"a {spec.job_type}: DLI's own SQL dialect, which open-source Flink does not run"
    sql, parallelism, flink = spec.sql, spec.parallelism, spec.flink_version
    if not (isinstance(sql, str) and isinstance(parallelism, int) and isinstance(flink, str)):
        return "needs the SQL, the parallelism and the flinkVersion: `dli-flink validate` says what is wrong"
    options = {
        key: value
        for key, value in (spec.runtime_config if known(spec.runtime_config) else ())
        if key.startswith(PASSED_PREFIXES)
    }
    retention = spec.idle_state_retention_seconds
    if isinstance(retention, int) and TTL not in options:
        options[TTL] = f"{retention} s"
    mode = CHECKPOINT_MODES.get(spec.checkpoint.mode or "")
    if mode:
        options["execution.checkpointing.mode"] = mode
    return Version(sql, max(parallelism, 1), flink, options)


def rehearse_all(
    changes: list[JobChange],
    runners: Runners,
    allow_non_restored: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[JobRehearsal]:
    """Rehearse every change, one after the other on the run's runners."""
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    sides = [(change, version(change.old), version(change.new)) for change in changes]
    if any(isinstance(new, Version) for _, _, new in sides):
        find_jdk()  # before any output: without a JDK nothing can be rehearsed
    results = []
    for change, old, new in sides:
        if isinstance(old, str) or isinstance(new, str):
            reason = old if isinstance(old, str) else new
            results.append(JobRehearsal(change, Outcome(Verdict.NOT_REHEARSED, str(reason))))
            continue
        say(f"dli-flink: rehearsing {change.name} on Flink {new.flink} ...")
        results.append(JobRehearsal(change, rehearse(old, new, runners, allow_non_restored)))
    return results
