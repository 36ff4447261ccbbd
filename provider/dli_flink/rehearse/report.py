"""Rehearsal results as text for a terminal, markdown for a pull request, JSON for bots.

Each job leads with its verdict; then the engine's own words, the state concerned, the warnings,
why a verdict is uncertain, and which stand-ins ran in place of which connectors.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from dli_flink.rehearse.jobs import JobRehearsal
from dli_flink.rehearse.rehearsal import Outcome, Verdict


def context(result: JobRehearsal) -> str:
    """`Flink 1.17, parallelism 2 -> 4`: what was rehearsed."""
    old_version, new_version = result.versions
    flink = old_version if old_version == new_version else f"{old_version} -> {new_version}"
    old_p, new_p = result.parallelism
    parallelism = f"{old_p}" if old_p == new_p else f"{old_p} -> {new_p}"
    return f"Flink {flink}, parallelism {parallelism}"


def details(outcome: Outcome) -> list[str]:
    """The lines under a job's headline, without markup."""
    lines = [outcome.reason] if outcome.reason else []
    if outcome.state:
        dropped = outcome.verdict in (Verdict.RESTORES, Verdict.UNCERTAIN)
        lines.append(
            "state dropped:" if dropped else "state with nowhere to go in the new version:"
        )
        lines.extend(f"  {s.operator} ({s.id[:8]}): {_size(s.bytes)}" for s in outcome.state)
    lines.extend(f"warning: {w}" for w in outcome.warnings)
    label = "uncertain" if outcome.verdict == Verdict.UNCERTAIN else "caveat"
    lines.extend(f"{label}: {c}" for c in outcome.caveats)
    lines.extend(f"note: {n}" for n in dict.fromkeys(outcome.notes))
    stand_ins = [
        f"{s.table} ({s.connector} -> {s.stand_in})"
        for s in outcome.substitutions
        if s.connector != s.stand_in
    ]
    if stand_ins:
        lines.append(f"stand-ins: {', '.join(stand_ins)}")
    return lines


def text(base: str, results: list[JobRehearsal]) -> str:
    lines = []
    for result in results:
        change = result.change
        lines.append(f"{change.name} ({change.file}, {context(result)}): {result.outcome.verdict}")
        lines.extend(f"  {line}" for line in details(result.outcome))
        if change.errors:
            lines.append(f"  validate: {change.errors} error(s) in this job (dli-flink validate)")
    lines.append(summary(base, results, code=str))
    return "\n".join(lines) + "\n"


def markdown(base: str, results: list[JobRehearsal]) -> str:
    lines = [f"**dli-flink rehearse**: {summary(base, results)}", ""]
    for result in results:
        lines.append(f"### `{result.change.name}`: {result.outcome.verdict}")
        lines.append(f"`{result.change.file}`, {context(result)}")
        lines.append("")
        lines.extend(markdown_details(result.outcome))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def markdown_details(outcome: Outcome) -> list[str]:
    """The details as a markdown list (the engine's words in code spans)."""
    found = []
    for line in details(outcome):
        if line.startswith("  "):
            found.append(f"  - `{line.strip()}`")
        elif line == outcome.reason and outcome.verdict not in (
            Verdict.RESTORES,
            Verdict.UNCERTAIN,
        ):
            found.append(f"- `{line}`")
        else:
            found.append(f"- {line}")
    return found


def summary(
    base: str, results: list[JobRehearsal], code: Callable[[str], str] = "`{}`".format
) -> str:
    if not results:
        return f"no restart-class change against {code(base[:12])}: nothing to rehearse."
    counts = Counter(str(r.outcome.verdict) for r in results)
    tally = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    jobs = f"{len(results)} job{'s' if len(results) != 1 else ''}"
    return f"{jobs} rehearsed against {code(base[:12])}: {tally}."


def as_dict(result: JobRehearsal) -> dict[str, Any]:
    outcome = result.outcome
    return {
        "name": result.change.name,
        "file": result.change.file,
        "verdict": str(outcome.verdict),
        "reason": outcome.reason,
        "flinkVersion": dict(zip(("old", "new"), result.versions, strict=True)),
        "parallelism": dict(zip(("old", "new"), result.parallelism, strict=True)),
        "state": [{"operator": s.operator, "id": s.id, "bytes": s.bytes} for s in outcome.state],
        "warnings": outcome.warnings,
        "uncertain": outcome.caveats,
        "notes": list(dict.fromkeys(outcome.notes)),
        "standIns": [
            {"table": s.table, "connector": s.connector, "standIn": s.stand_in, "fact": s.fact}
            for s in outcome.substitutions
        ],
        "validateErrors": result.change.errors,
        "seconds": round(outcome.seconds, 1),
    }


def as_json(base: str, results: list[JobRehearsal]) -> str:
    counts = Counter(str(r.outcome.verdict) for r in results)
    body = {
        "base": base,
        "jobs": [as_dict(r) for r in results],
        "summary": {"jobs": len(results), "verdicts": dict(counts), "blocking": blocking(results)},
    }
    return json.dumps(body, indent=2) + "\n"


def blocking(results: list[JobRehearsal]) -> int:
    return sum(1 for r in results if r.outcome.verdict.blocks)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    return f"{count / 1024:.1f} KiB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MiB"
