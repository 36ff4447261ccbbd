"""Check job YAML files: every rule broken, in every file, at its line and column.

Exit 0 when there is no error (warnings allowed), 1 when there are errors (or warnings with
--strict), 2 when the command cannot do its work (a missing path, an unreadable file or
configuration). Configuration comes from the nearest .dli-flink.yaml or --config.

What each file held is cached per user ($XDG_CACHE_HOME/dli-flink, else ~/.cache/dli-flink), so
files unchanged since the last run are not checked again; the verdict is the same with or without
it. --no-cache neither reads nor writes the cache.
"""

from __future__ import annotations

import argparse
import sys

from dli_flink.cli import formats
from dli_flink.cli.commands import add_job_paths

HELP = "check job YAML files against the schema and the DLI scaling rules"


def configure(parser: argparse.ArgumentParser) -> None:
    add_job_paths(parser, "job files, or folders to search for *.yaml / *.yml (default: .)")
    parser.add_argument(
        "--format", choices=formats.names("validate"), default="text", help="output format"
    )
    parser.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="check every file again, neither reading nor writing the per-user cache",
    )


def run(args: argparse.Namespace) -> int:
    from dli_flink.cli.validate import validate
    from dli_flink.model.files import UsageError
    from dli_flink.model.findings import Severity
    from dli_flink.rules import config as configuration

    try:
        config = configuration.resolve(args.config)
        report = validate(args.paths, config, use_cache=not args.no_cache)
    except (configuration.ConfigError, UsageError) as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(formats.render("validate", args.format, report))
    for line in report.unreadable:
        print(f"dli-flink: {line}", file=sys.stderr)
    if report.unreadable:
        return 2
    failing = report.count(Severity.ERROR) + (report.count(Severity.WARNING) if args.strict else 0)
    return 1 if failing else 0
