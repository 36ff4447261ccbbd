"""One rehearsal: the old version runs and is stopped with a savepoint, the new one starts from it.

The verdict follows flink-rehearsal.md ("The verdict"): `restores` when every task runs, checkpoints
complete after the restore, the restore is recorded, no exception was raised and the new version can
itself be stopped with a savepoint; `refused at restore` when Flink cannot map saved state to the new
graph; `fails after restore` when a task fails initialising its state. The change is DLI's own: the
same SQL, parallelism, Flink minor version and the settings that shape state (TTL, state backend,
max parallelism), with connectors that cannot run here replaced by stand-ins (standins.py).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dli_flink.rehearse import graph, semantics, standins
from dli_flink.rehearse.install import RELEASES, RehearseError
from dli_flink.rehearse.runner import SLOTS, Runner, Runners, wait_until

CHECKPOINTS_BEFORE = 2
CHECKPOINTS_AFTER = 3
"""Checkpoints the old version completes before it is stopped, and the new one after its restore
(flink-rehearsal.md: "at least 3 checkpoints completed after the restore")."""
SETTLE_SECONDS = 120.0
FORCED = {
    # flink-rehearsal.md, "Machinery": short checkpoints; no restart, or a failed restore loops
    # RESTARTING forever; full operator names, which the warnings read (names are not hashed).
    "execution.checkpointing.interval": "500 ms",
    "restart-strategy": "none",
    "table.exec.simplify-operator-name-enabled": "false",
}
PASSED_PREFIXES = ("table.", "state.backend", "pipeline.max-parallelism")
"""runtimeConfig keys that shape state or the graph, passed on as DLI passes them to Flink."""
_UNMAPPED = re.compile(r"Cannot map checkpoint/savepoint state for operator [0-9a-f]{32}[^.]*\.")


class Verdict(StrEnum):
    RESTORES = "restores"
    UNCERTAIN = "uncertain"
    REFUSED = "refused at restore"
    FAILS = "fails after restore"
    OLD_DOES_NOT_RUN = "old version does not run"
    NEW_DOES_NOT_COMPILE = "new version does not compile"
    NOT_REHEARSED = "not rehearsed"

    @property
    def blocks(self) -> bool:
        """The new version would not restore on DLI (exit 1)."""
        return self in (Verdict.REFUSED, Verdict.FAILS, Verdict.NEW_DOES_NOT_COMPILE)


@dataclass(frozen=True)
class Version:
    """One side of a change, as far as Flink is concerned."""

    sql: str
    parallelism: int
    flink: str
    """The Flink minor version: "1.17"."""
    options: dict[str, str]
    """Flink options from the job document (runtimeConfig, TTL, checkpoint mode)."""


@dataclass(frozen=True)
class SavedState:
    """An operator's state in the old version's savepoint."""

    operator: str
    """Its name in the old job graph (the planner's description)."""
    id: str
    bytes: int


@dataclass
class Outcome:
    verdict: Verdict
    reason: str = ""
    """One line: the engine's own words when it refused or failed, else what was checked."""
    state: list[SavedState] = field(default_factory=list)
    """Refused: the state with nowhere to go; restored with allowNonRestoredState: what was dropped."""
    warnings: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    substitutions: list[standins.Substitution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def rehearse(old: Version, new: Version, runners: Runners, allow_non_restored: bool) -> Outcome:
    started = time.monotonic()
    outcome = _rehearse(old, new, runners, allow_non_restored)
    outcome.seconds = time.monotonic() - started
    return outcome


def _rehearse(old: Version, new: Version, runners: Runners, allow_non_restored: bool) -> Outcome:
    for side in (old, new):
        if side.flink not in RELEASES:
            return Outcome(
                Verdict.NOT_REHEARSED,
                f"Flink {side.flink} cannot be rehearsed (supported: {', '.join(RELEASES)})",
            )
    folder = runners.job_folder()
    old_script = standins.prepare(old.sql, old.flink, folder)
    new_script = standins.prepare(new.sql, new.flink, folder)
    substitutions = list(dict.fromkeys(old_script.substitutions + new_script.substitutions))
    unrunnable = old_script.unrunnable + new_script.unrunnable
    if unrunnable:
        return Outcome(Verdict.NOT_REHEARSED, unrunnable[0], substitutions=substitutions)
    rehearsal = _Rehearsal(
        runners.get(old.flink), runners.get(new.flink), old, new, old_script, new_script
    )
    try:
        outcome = rehearsal.run(allow_non_restored)
    finally:
        rehearsal.cancel_all()
    outcome.substitutions = substitutions
    same = graph.read_alike(rehearsal.old_graph, rehearsal.new_graph, old_script.tables)
    outcome.caveats = standins.caveats(old_script, new_script, new.flink, same)
    outcome.notes.extend(rehearsal.notes)
    if outcome.verdict == Verdict.RESTORES and outcome.caveats:
        outcome.verdict = Verdict.UNCERTAIN
    return outcome


class _Rehearsal:
    def __init__(
        self,
        old_runner: Runner,
        new_runner: Runner,
        old: Version,
        new: Version,
        old_script: standins.Script,
        new_script: standins.Script,
    ) -> None:
        self.old_runner, self.new_runner = old_runner, new_runner
        self.old, self.new = old, new
        self.old_script, self.new_script = old_script, new_script
        self.jobs: list[tuple[Runner, str]] = []
        self.notes: list[str] = []
        self.old_graph: list[graph.Operator] = []
        self.new_graph: list[graph.Operator] = []

    def run(self, allow_non_restored: bool) -> Outcome:
        dry = self.new_runner.call(self._submit(self.new, self.new_script, dry=True))
        if not dry["ok"]:
            return Outcome(Verdict.NEW_DOES_NOT_COMPILE, _planner_message(dry))
        self.new_graph = graph.operators(dry)
        started = self.old_runner.call(self._submit(self.old, self.old_script))
        if not started["ok"]:
            return Outcome(Verdict.OLD_DOES_NOT_RUN, _planner_message(started))
        old_job = started["job"]
        self.jobs.append((self.old_runner, old_job))
        self.old_graph = graph.operators(started)
        problem = self._settle(self.old_runner, old_job, CHECKPOINTS_BEFORE, restored=False)
        if problem:
            return Outcome(Verdict.OLD_DOES_NOT_RUN, problem)
        savepoint, problem = self._stop_with_savepoint(self.old_runner, old_job)
        if problem:
            return Outcome(Verdict.OLD_DOES_NOT_RUN, f"no savepoint: {problem}")
        saved = self._saved_state(savepoint)
        names = {op.id: op.name for op in self.old_graph}
        new_ids = {op.id for op in self.new_graph}
        orphans = [
            SavedState(names.get(op_id, "(unknown operator)"), op_id, size)
            for op_id, size in saved.items()
            if op_id not in new_ids
        ]
        warnings = semantics.warnings(
            self.old_graph,
            self.new_graph,
            set(saved),
            (
                _options(self.old, self.old_script).get(TTL),
                _options(self.new, self.new_script).get(TTL),
            ),
            (self.old_script.inserts, self.new_script.inserts),
        )
        outcome = self._restore(savepoint, allow_non_restored, orphans)
        outcome.warnings = warnings
        return outcome

    def _restore(self, savepoint: str, allow: bool, orphans: list[SavedState]) -> Outcome:
        answer = self.new_runner.call(
            self._submit(self.new, self.new_script, savepoint=savepoint, allow=allow)
        )
        if not answer["ok"]:
            cause = _planner_message(answer)
            if unmapped := _UNMAPPED.search(cause):
                return Outcome(Verdict.REFUSED, unmapped.group(), orphans)
            return Outcome(Verdict.NEW_DOES_NOT_COMPILE, cause)
        job = answer["job"]
        self.jobs.append((self.new_runner, job))
        problem = self._settle(self.new_runner, job, CHECKPOINTS_AFTER, restored=True)
        if problem:
            if unmapped := _UNMAPPED.search(problem):
                return Outcome(Verdict.REFUSED, unmapped.group(), orphans)
            return Outcome(Verdict.FAILS, problem)
        _, problem = self._stop_with_savepoint(self.new_runner, job)
        if problem:
            return Outcome(Verdict.FAILS, f"the restored job cannot take a savepoint: {problem}")
        reason = (
            f"all tasks running, {CHECKPOINTS_AFTER} checkpoints completed after the restore, "
            "and the new version took a savepoint"
        )
        return Outcome(Verdict.RESTORES, reason, orphans if allow else [])

    def _submit(
        self,
        side: Version,
        script: standins.Script,
        *,
        dry: bool = False,
        savepoint: str | None = None,
        allow: bool = False,
    ) -> dict[str, Any]:
        options = {**_options(side, script), **FORCED}
        parallelism = side.parallelism
        if parallelism > SLOTS:
            # Run it smaller, but keep the max parallelism (key groups) production derives from it.
            options.setdefault("pipeline.max-parallelism", str(_max_parallelism(side.parallelism)))
            self.notes.append(f"parallelism {parallelism} rehearsed as {SLOTS}")
            parallelism = SLOTS
        return {
            "op": "submit",
            "dry": dry,
            "statements": script.runner_statements(),
            "conf": options,
            "parallelism": parallelism,
            "savepoint": savepoint,
            "allowNonRestored": allow,
        }

    def _settle(self, runner: Runner, job: str, checkpoints: int, restored: bool) -> str | None:
        """None once the job runs and has checkpointed; else what went wrong, in Flink's words."""

        def check() -> str | None:
            details = runner.get(f"/jobs/{job}")
            if details["state"] in ("FAILED", "CANCELED", "FINISHED"):
                return _first_cause(runner.get(f"/jobs/{job}/exceptions")) or details["state"]
            statuses = {vertex["status"] for vertex in details["vertices"]}
            if details["state"] != "RUNNING" or not statuses <= {"RUNNING", "FINISHED"}:
                return None
            history = runner.get(f"/jobs/{job}/checkpoints")
            if history["counts"]["completed"] < checkpoints:
                return None
            if restored and not (history.get("latest") or {}).get("restored"):
                return "the job runs but recorded no restore"
            return _first_cause(runner.get(f"/jobs/{job}/exceptions")) or ""

        found = wait_until(SETTLE_SECONDS, check)
        if found is None:
            return f"not running with {checkpoints} checkpoints after {SETTLE_SECONDS:.0f} s"
        return found or None

    def _stop_with_savepoint(self, runner: Runner, job: str) -> tuple[str, str | None]:
        """The savepoint's path; or "" and why not. A failed stop may still report COMPLETED, so
        the savepoint's location is what counts (flink-rehearsal.md, pitfalls)."""
        target = runner.folder / "savepoints"
        trigger = runner.post(f"/jobs/{job}/stop", {"targetDirectory": str(target), "drain": False})

        def check() -> dict[str, Any] | None:
            status = runner.get(f"/jobs/{job}/savepoints/{trigger['request-id']}")
            return status if status["status"]["id"] == "COMPLETED" else None

        status = wait_until(SETTLE_SECONDS, check)
        if status is None:
            return "", f"no answer in {SETTLE_SECONDS:.0f} s"
        operation = status.get("operation") or {}
        if not operation.get("location"):
            return "", _first_line(operation.get("failure-cause", {}).get("stack-trace", "failed"))
        return operation["location"], None

    def _saved_state(self, savepoint: str) -> dict[str, int]:
        """The savepoint's operators that hold state, with its size in bytes."""
        answer = self.old_runner.call({"op": "inspect", "path": savepoint.removeprefix("file:")})
        if not answer["ok"]:
            raise RehearseError(
                f"cannot read the savepoint {savepoint}: {_planner_message(answer)}"
            )
        return {op["id"]: op["size"] for op in answer["operators"] if op["hasState"]}

    def cancel_all(self) -> None:
        for runner, job in self.jobs:
            runner.cancel(job)


TTL = "table.exec.state.ttl"


def _options(side: Version, script: standins.Script) -> dict[str, str]:
    """The job's Flink options: the document's, then the script's SET statements."""
    return {**side.options, **script.options}


def _planner_message(answer: dict[str, Any]) -> str:
    """The most telling line of a Java exception chain: the deepest cause that says something."""
    causes = [c for c in answer.get("causes", []) if not c.endswith(": null")]
    return _short(causes[-1]) if causes else "failed"


def _first_cause(exceptions: dict[str, Any]) -> str | None:
    """The root cause of a failed job, from /jobs/:id/exceptions."""
    trace = exceptions.get("root-exception")
    if not trace:
        return None
    caused = [
        line[len("Caused by: ") :] for line in trace.splitlines() if line.startswith("Caused by: ")
    ]
    return _short(caused[-1] if caused else _first_line(trace))


def _short(cause: str) -> str:
    """`org.apache.flink.util.StateMigrationException: msg` -> `StateMigrationException: msg`."""
    head, colon, rest = cause.partition(":")
    return f"{head.rsplit('.', 1)[-1]}{colon}{rest}".strip()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _max_parallelism(parallelism: int) -> int:
    """Flink's default max parallelism for a job that does not set one."""
    rounded = 1 << max(parallelism + parallelism // 2 - 1, 0).bit_length()
    return min(max(rounded, 128), 32768)
