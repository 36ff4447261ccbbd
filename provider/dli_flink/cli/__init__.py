"""The `dli-flink` command line: one sub-command a module under `dli_flink.cli.commands`.

Command modules are imported to build the parser, so they keep heavy imports (the Huawei SDK, an HTTP
server) inside `run()`: `dli-flink validate` runs in every pre-commit and its start-up is its speed.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
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


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own, as wide as the terminal, found without importing shutil.

    argparse makes a formatter for every argument added (to check its metavar), and its default
    one imports shutil for the terminal's width: with the bz2 and lzma shutil imports, 2 ms of a
    one-file `dli-flink validate`. The width is worked out as shutil.get_terminal_size does it:
    $COLUMNS, else the terminal of standard output, else 80 columns.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    """The parser with the sub-commands `commands` (all by default, as `--help` lists them)."""
    parser = argparse.ArgumentParser(
        prog="dli-flink",
        description="Huawei Cloud DLI Flink jobs as code.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dli-flink {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in commands:
        module = importlib.import_module(f"dli_flink.cli.commands.{name}")
        command = sub.add_parser(
            name, help=module.HELP, description=module.__doc__, formatter_class=HelpFormatter
        )
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from_command_line = argv is None
    argv = sys.argv[1:] if argv is None else argv
    # Import only the command being run: start-up is most of a one-file pre-commit run.
    chosen = (argv[0],) if argv and argv[0] in COMMANDS else COMMANDS
    args = build_parser(chosen).parse_args(argv)
    try:
        code = args.run(args)
    except KeyboardInterrupt:
        print("dli-flink: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    if args.command == "validate" and from_command_line:
        _exit_without_teardown(code)
    return code


def _exit_without_teardown(code: int) -> None:
    """End a validate process at once, its output flushed, without freeing its heap object by object.

    Tearing down the node trees of a thousand files is a tenth of the run. Only when nothing else
    waits for the normal exit: the process's own entry (not a caller in the same process, such as
    the tests), no atexit handler (coverage, logging), no other thread, and the output written.
    Otherwise returns, and the caller exits the usual way.
    """
    threading = sys.modules.get("threading")
    if getattr(atexit, "_ncallbacks", lambda: 1)() or (threading and threading.active_count() > 1):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed pipe or stream: the normal exit reports it as it always did
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
