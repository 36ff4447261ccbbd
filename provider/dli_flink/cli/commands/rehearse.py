"""Rehearse restart-class changes on real Apache Flink: does the new version restore from the savepoint?

For every SQL job whose change restarts it (the change planner's class, as `review` and `pulumi up`
see it), the version at the base revision runs on a local Flink of the job's flinkVersion, is stopped
with a savepoint, and the working tree's version starts from that savepoint. Verdict per job:
restores, uncertain (restores with stand-ins that cannot promise it), refused at restore, fails after
restore, old version does not run, new version does not compile, not rehearsed (Jar jobs). Needs a
JDK 17; the first run on each Flink version downloads its jars from PyPI into ~/.cache/dli-flink.
Exit 1 when a job would not restore, 2 when the rehearsal cannot be done.
"""

from __future__ import annotations

import argparse
import sys

from dli_flink.cli import formats
from dli_flink.cli.commands import add_job_paths

HELP = "rehearse restart-class changes on a local Flink: does the new version restore?"


def configure(parser: argparse.ArgumentParser) -> None:
    add_job_paths(parser, "job files or folders (default: .)")
    parser.add_argument("--base", help="git revision of the old versions (default: merge base)")
    parser.add_argument("--format", choices=formats.names("rehearse"), default="text")
    parser.add_argument(
        "--allow-non-restored-state",
        action="store_true",
        help="restore what can be restored and report the state that would be dropped",
    )


def run(args: argparse.Namespace) -> int:
    from dli_flink.model.files import UsageError
    from dli_flink.rehearse import report
    from dli_flink.rehearse.changes import restarts
    from dli_flink.rehearse.install import RehearseError
    from dli_flink.rehearse.jobs import rehearse_all
    from dli_flink.rehearse.runner import Runners
    from dli_flink.rules import config as configuration

    try:
        config = configuration.resolve(args.config)
        base, changes = restarts(args.paths, config, args.base)
        with Runners() as runners:
            results = rehearse_all(changes, runners, args.allow_non_restored_state)
    except (configuration.ConfigError, UsageError, RehearseError) as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(formats.render("rehearse", args.format, base, results))
    return 1 if report.blocking(results) else 0
