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

from dli_flink.cli.commands import add_job_paths

HELP = "report what a change to job documents does (for pull requests)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_job_paths(parser, "job files or folders")
    parser.add_argument("--base", help="git revision to compare with (default: merge base)")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")


def run(args: argparse.Namespace) -> int:
    from dli_flink.cli import review_report
    from dli_flink.cli.review import review
    from dli_flink.model.files import UsageError
    from dli_flink.rules import config as configuration

    try:
        config = configuration.resolve(args.config)
        result = review(args.paths, config, args.base)
    except (configuration.ConfigError, UsageError) as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    render = review_report.markdown if args.format == "markdown" else review_report.as_json
    sys.stdout.write(render(result))
    return 1 if result.errors else 0
