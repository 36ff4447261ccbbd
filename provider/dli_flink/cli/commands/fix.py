"""Fix what the rules can fix by themselves, in place, changing nothing else in the files.

Only findings with one safe answer are fixed (each rule that can fix says how: `dli-flink rules`);
a value you have to choose, like an OBS bucket name, stays a finding. Comments, blank lines, key
order, quoting, other documents, line endings and the final newline stay as they were, byte for
byte, and a file with nothing to fix is not written at all. Suppressed findings are not fixed.
Exit 0 when done; with --diff, nothing is written and the exit is 1 when there is something to fix
(for CI); 2 when the command cannot do its work. Needs ruamel.yaml (pip install 'dli-flink[yaml]').
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path

from dli_flink.cli.commands import add_job_paths

HELP = "fix, in place, the findings that have one safe fix (--diff: show them)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_job_paths(parser, "job files, or folders to search for *.yaml / *.yml (default: .)")
    parser.add_argument(
        "--diff", action="store_true", help="print a unified diff and change nothing"
    )
    parser.add_argument(
        "--rule",
        action="append",
        metavar="ID",
        help="fix only this rule's findings (repeatable; default: every rule that fixes)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        import ruamel.yaml  # noqa: F401  (checked first: the one-line answer when it is missing)
    except ImportError:
        print("dli-flink: fix needs ruamel.yaml: pip install 'dli-flink[yaml]'", file=sys.stderr)
        return 2
    from dli_flink.cli.fix import fix_files
    from dli_flink.model.files import UsageError
    from dli_flink.rules import RULES
    from dli_flink.rules import config as configuration

    fixable = sorted(rule_id for rule_id, rule in RULES.items() if hasattr(rule, "fix"))
    unknown = [rule_id for rule_id in args.rule or () if rule_id not in fixable]
    if unknown:
        print(
            f"dli-flink: {', '.join(unknown)} has no fix; rules that fix: {', '.join(fixable)}",
            file=sys.stderr,
        )
        return 2
    only = frozenset(args.rule) if args.rule else None
    fixed = files = left = 0
    unreadable = False
    try:
        config = configuration.resolve(args.config)
        for result in fix_files(args.paths, config, only):
            left += result.left
            if result.after is None:
                continue
            files += 1
            fixed += len(result.fixed)
            if args.diff:
                sys.stdout.writelines(_diff(result.display, result.before, result.after))
                continue
            _replace(result.path, result.after)
            for line, column, rule, what in result.fixed:
                print(f"{result.display}:{line}:{column}: fixed {rule}: {what}")
    except (configuration.ConfigError, UsageError) as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"dli-flink: {error.filename}: cannot read or write: {error.strerror}", file=sys.stderr
        )
        unreadable = True
    verb = "to fix" if args.diff else "fixed"
    print(
        f"{fixed} finding{'s' * (fixed != 1)} {verb} in {files} file{'s' * (files != 1)}; "
        f"{left} left to fix by hand (dli-flink validate shows them)"
    )
    if unreadable:
        return 2
    return 1 if args.diff and fixed else 0


def _diff(display: str, before: bytes, after: bytes) -> list[str]:
    """A unified diff of the file's text; line endings as the file has them."""
    old = before.decode("utf-8-sig").splitlines(keepends=True)
    new = after.decode("utf-8-sig").splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, f"a/{display}", f"b/{display}"))
    return [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    ]


def _replace(path: Path, data: bytes) -> None:
    """Write atomically beside the file, keeping its permissions: an interrupted fix leaves the
    old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
