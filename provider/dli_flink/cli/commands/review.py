"""Report what a change to job documents does, for code review.

Compares the job documents at a git revision (default: the merge base with the default branch) with
the working tree: per job, created / deleted / changed, the change's class (in place, restart with
savepoint, replace: state lost) and the fields behind it, the scaling envelope before and after, the
findings the change introduces, and the estimated time each restart keeps the job offline. Exit codes
as validate: 1 when the change introduces an error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dli_flink.cli import formats
from dli_flink.cli.commands import add_job_paths

HELP = "report what a change to job documents does (for pull requests)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_job_paths(parser, "job files or folders")
    parser.add_argument("--base", help="git revision to compare with (default: merge base)")
    parser.add_argument("--format", choices=formats.names("review"), default="markdown")
    parser.add_argument(
        "--rehearse",
        action="store_true",
        help="also rehearse each restart on a local Flink (dli-flink rehearse) and show its verdict",
    )


def run(args: argparse.Namespace) -> int:
    from dli_flink.cli.review import review
    from dli_flink.model.files import UsageError
    from dli_flink.rules import config as configuration

    try:
        config = configuration.resolve(args.config)
        result = review(args.paths, config, args.base)
        blocking = _rehearse(result, args, config) if args.rehearse else 0
    except (configuration.ConfigError, UsageError) as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(formats.render("review", args.format, result))
    return 1 if result.errors or blocking else 0


def _rehearse(result: Any, args: argparse.Namespace, config: Any) -> int:
    """Attach each restarted job's rehearsal to its review; the number that would not restore."""
    from dli_flink.model.files import UsageError
    from dli_flink.rehearse.changes import restarts
    from dli_flink.rehearse.install import RehearseError
    from dli_flink.rehearse.jobs import rehearse_all
    from dli_flink.rehearse.runner import Runners

    try:
        _, changes = restarts(args.paths, config, result.base)
        with Runners() as runners:
            rehearsals = {r.change.name: r for r in rehearse_all(changes, runners)}
    except RehearseError as error:
        raise UsageError(str(error)) from None
    for job in result.jobs:
        job.rehearsal = rehearsals.get(job.name)
    return sum(1 for r in rehearsals.values() if r.outcome.verdict.blocks)
