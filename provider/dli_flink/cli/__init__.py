"""The `dli-flink` command line: one sub-command a module under `dli_flink.cli.commands`.

Command modules are imported to build the parser, so they keep heavy imports (the Huawei SDK, an HTTP
server) inside `run()`: `dli-flink validate` runs in every pre-commit and its start-up is its speed.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from dli_flink import __version__

COMMANDS = (
    "validate",
    "fix",
    "review",
    "rehearse",
    "rules",
    "schema",
    "export",
    "emulator",
    "resume",
)


def build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    """The parser with the sub-commands `commands` (all by default, as `--help` lists them)."""
    parser = argparse.ArgumentParser(
        prog="dli-flink",
        description="Huawei Cloud DLI Flink jobs as code.",
    )
    parser.add_argument("--version", action="version", version=f"dli-flink {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in commands:
        module = importlib.import_module(f"dli_flink.cli.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Import only the command being run: start-up is most of a one-file pre-commit run.
    chosen = (argv[0],) if argv and argv[0] in COMMANDS else COMMANDS
    args = build_parser(chosen).parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("dli-flink: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
