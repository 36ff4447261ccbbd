"""Rendering a Review: markdown for a pull-request comment, JSON for bots.

The markdown is short when nothing matters and puts the riskiest jobs first: a reviewer should see a
lost state or a new error before a changed SMN topic.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from dli_flink.cli.review_model import FileReview, JobReview, Review
from dli_flink.model import fields
from dli_flink.model.fields import FollowField
from dli_flink.model.findings import Finding
from dli_flink.model.planner import ChangeClass, FieldChange, show
from dli_flink.model.spec import Unknown
from dli_flink.model.starts import NOTHING, keeps_state

_HEADLINE = {
    ("deleted", ChangeClass.NONE): "deleted: the DLI job and its state are removed",
    ("created", ChangeClass.NONE): "created: a new job, starting with empty state",
    ("readable again", ChangeClass.NONE): (
        "compared with nothing: its file could not be read at the base"
    ),
}


_LEFT_STOPPED = "left stopped (desiredState: stopped)"


def headline(job: JobReview) -> str:
    """What `pulumi up` does to the job, in a few words: the planner's class of the change, unless
    desiredState makes it a stop or a start, or keeps the job stopped."""
    if job.status == "created" and job.desired[1] == "stopped":
        return f"created: a new job, {_LEFT_STOPPED}"
    kept = keeps_state(job.starts_from)
    if job.status == "created" and kept:
        return f"created: a new job, starting from {job.starts_from}"
    if job.status != "changed":
        return _HEADLINE[(job.status, ChangeClass.NONE)]
    change_class = job.change.change_class
    if change_class == ChangeClass.REPLACE:
        stopped = f"; {_LEFT_STOPPED}" if job.desired[1] == "stopped" else ""
        if kept:
            return f"replaced: a new DLI job, starting from {job.starts_from}{stopped}"
        return f"replaced: a new DLI job, the state is LOST{stopped}"
    if job.state_change == "stop":
        if job.savepoint:
            return "stopped: `pulumi up` stops it with a savepoint (desiredState: stopped)"
        return "stopped: `pulumi up` stops it without a savepoint (no obsBucket): its state is lost"
    if job.state_change == "start":  # what it starts from: model/starts.py, as the preview says
        if kept:
            again = f"starts it again from {job.starts_from}"
            return f"started: `pulumi up` {again} (desiredState: running)"
        if str(job.starts_from).startswith(NOTHING):
            return "not started: `pulumi up` starts nothing (desiredState: running)"
        return "started: `pulumi up` starts it again with empty state (desiredState: running)"
    if job.desired == ("stopped", "stopped") and change_class != ChangeClass.NONE:
        return "edited while stopped (desiredState: stopped): no restart"
    if change_class == ChangeClass.RESTART:
        return f"restart with savepoint: about {job.restart_seconds:g} s offline"
    if change_class == ChangeClass.IN_PLACE:
        return "updated in place: no restart"
    return "findings only"


def markdown(review: Review) -> str:
    short = review.base[:12]
    notes = [f"Not compared: `{s.file}`, {s.reason}." for s in review.skipped]
    if not review.jobs and not review.unreadable:
        return (
            "\n".join([f"**dli-flink review** against `{short}`: no job changes.", *notes]) + "\n"
        )
    lines = [f"**dli-flink review** against `{short}`: {_summary(review)}.", ""]
    for file in review.unreadable:
        lines.extend(_file_section(file))
    for job in review.jobs:
        lines.extend(_section(job))
    return "\n".join(lines + notes).rstrip() + "\n"


def _summary(review: Review) -> str:
    """What the change does, counted: unreadable files, jobs, restarts, stops, starts, new errors."""
    jobs = review.jobs
    counts = [
        f"{_count(len(review.unreadable), 'file')} cannot be read" if review.unreadable else "",
        f"{_count(len(jobs), 'job')} changed" if jobs else "",
        _count(sum(j.restarts for j in jobs), "restart"),
        _count(sum(j.state_change == "stop" for j in jobs), "stop"),
        _count(sum(j.state_change == "start" for j in jobs), "start"),
        f"**{_count(review.errors, 'new error')}**" if review.errors else "",
    ]
    return ", ".join(count for count in counts if count)


def _file_section(file: FileReview) -> list[str]:
    """A file the change makes unreadable: why, and the jobs that cannot be compared."""
    blocks = [
        [f"### `{file.file}`: cannot be read: `pulumi up` stops on it"],
        _finding_lines(file.findings),
    ]
    if file.jobs_at_base:
        names = ", ".join(f"`{name}`" for name in file.jobs_at_base)
        its = "its job" if len(file.jobs_at_base) == 1 else "its jobs"
        blocks.append([f"Not compared: {names}, {its} at the base."])
    return [line for block in blocks for line in [*block, ""]]


def _finding_lines(findings: list[Finding]) -> list[str]:
    return [
        f"- :warning: new {f.severity} `{f.rule}` at line {f.line}: {f.message}" for f in findings
    ]


def _section(job: JobReview) -> list[str]:
    """A job's heading, then its blocks (findings, fields, scaling) one blank line apart."""
    blocks = [[f"### `{job.name}`: {headline(job)}", f"`{job.file}`"]]
    if job.starts_from:
        blocks[0].append(f"Starts from: {job.starts_from}.")
    if job.findings or job.restore_warning:
        may_not = [f"- :warning: may not restore: {job.restore_warning}"]
        blocks.append([*_finding_lines(job.findings), *(may_not if job.restore_warning else [])])
    if job.change.fields:
        table = ["| field | before | after | effect |", "|---|---|---|---|"]
        blocks.append(table + [_row(field, job) for field in job.change.fields])
    if job.before and job.after and job.before != job.after:
        blocks.append([f"Scaling: {job.before.describe()} → {job.after.describe()}"])
    elif job.after and job.before is None:
        blocks.append([f"Scaling: {job.after.describe()}"])
    if job.rehearsal is not None:
        from dli_flink.rehearse import report

        verdict = (
            f"Rehearsal ({report.context(job.rehearsal)}): **{job.rehearsal.outcome.verdict}**"
        )
        blocks.append([verdict, *report.markdown_details(job.rehearsal.outcome)])
    return [line for block in blocks for line in [*block, ""]]


CELL_WIDTH = 40


def _row(field: FieldChange, job: JobReview) -> str:
    old, new = _from_difference(field.old, field.new)
    implied = f" ({_implied_by(field.field, job)})" if field.field in job.implied else ""
    return (
        f"| `{field.field}`{implied} | {_cell(old)} | {_cell(new)} | {field.change_class.label} |"
    )


def _implied_by(path: str, job: JobReview) -> str:
    """Where an implied value comes from: the job's CUs it follows, else DLI's default."""
    default = fields.TABLE.by_path[path].dli_default
    return f"implied by `{job.cu_from}`" if isinstance(default, FollowField) else "DLI's default"


def _from_difference(old: Any, new: Any) -> tuple[Any, Any]:
    """Two long texts from a little before where they first differ: a SQL edit on line 20 would
    otherwise show as the same first 40 characters twice."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return old, new
    old, new = " ".join(old.split()), " ".join(new.split())
    pairs = enumerate(zip(old, new, strict=False))
    same = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
    start = same - CELL_WIDTH // 4
    if max(len(old), len(new)) <= CELL_WIDTH or start <= 0:
        return old, new
    return f"...{old[start:]}", f"...{new[start:]}"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return f"`{show(value, width=CELL_WIDTH)}`".replace("|", "\\|")


def _count(count: int, word: str) -> str:
    """`count` `word`s; nothing for none."""
    return f"{count} {word}{'' if count == 1 else 's'}" if count else ""


def as_json(review: Review) -> str:
    jobs = []
    for job in review.jobs:
        jobs.append(
            {
                "name": job.name,
                "file": job.file,
                "status": job.status,
                "class": job.change.change_class.label if job.status == "changed" else None,
                "fields": [
                    {
                        "field": f.field,
                        "old": _json_value(f.old),
                        "new": _json_value(f.new),
                        "class": f.change_class.label,
                        "implied": f.field in job.implied,
                    }
                    for f in job.change.fields
                ],
                "envelope": {
                    "before": _envelope(job.before),
                    "after": _envelope(job.after),
                },
                "findings": [f._asdict() for f in job.findings],
                "desiredState": {"before": job.desired[0], "after": job.desired[1]},
                "stateChange": job.state_change,
                "restartSeconds": job.restart_seconds if job.restarts else None,
                "startsFrom": job.starts_from,
                "restoreWarning": job.restore_warning,
                "rehearsal": _rehearsal(job.rehearsal),
            }
        )
    summary = {"jobs": len(jobs), "errors": review.errors}
    report = {
        "base": review.base,
        "jobs": jobs,
        "unreadable": [
            {
                "file": file.file,
                "findings": [f._asdict() for f in file.findings],
                "jobsAtBase": file.jobs_at_base,
            }
            for file in review.unreadable
        ],
        "skipped": [asdict(s) for s in review.skipped],
        "summary": summary,
    }
    return json.dumps(report, indent=2) + "\n"


def _rehearsal(rehearsal: Any) -> dict | None:
    if rehearsal is None:
        return None
    from dli_flink.rehearse import report

    return report.as_dict(rehearsal)


def _envelope(envelope: Any) -> dict | None:
    if envelope is None:
        return None
    return {
        "cu": _json_value(envelope.cu),
        "cuMin": _json_value(envelope.cu_min),
        "cuMax": _json_value(envelope.cu_max),
        "intervalMinutes": _json_value(envelope.interval_minutes),
        "scaling": envelope.scaling,
        "maxRestartsADay": envelope.max_restarts_a_day,
    }


def _json_value(value: Any) -> Any:
    """A value for the JSON report: null where it is not known yet."""
    return None if isinstance(value, Unknown) else value
