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
    from dli_flink.cli.manifest import Run

    manifest = None if args.no_cache else Run(args.paths, args.config, args.format, args.strict)
    answer = manifest.answer() if manifest is not None else None
    if answer is not None:  # nothing changed since this very command last ran: its answer
        out, err, code = answer
        sys.stdout.write(out)
        sys.stderr.write(err)
        return code

    from dli_flink.cli.cache import Cache
    from dli_flink.cli.validate import validate
    from dli_flink.model.files import UsageError
    from dli_flink.model.findings import Severity
    from dli_flink.rules import config as configuration

    try:
        config_state = manifest.config_state() if manifest is not None else None
        config = configuration.resolve(args.config)
        cache = Cache(config, manifest.key) if manifest is not None else None
        report = validate(args.paths, config, cache)
    except (configuration.ConfigError, UsageError) as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    out = formats.render("validate", args.format, report)
    err = "".join(f"dli-flink: {line}\n" for line in report.unreadable)
    sys.stdout.write(out)
    sys.stderr.write(err)
    failing = report.count(Severity.ERROR) + (report.count(Severity.WARNING) if args.strict else 0)
    code = 2 if report.unreadable else 1 if failing else 0
    if manifest is not None and cache is not None and cache.complete:
        manifest.record(config_state, cache.rows(), config.exclude, config.root, out, err, code)
    return code
