"""Print where the job document's JSON Schema is, or (--print) the schema itself.

Point yaml-language-server at it with a first line `# yaml-language-server: $schema=PATH`.
"""

from __future__ import annotations

import argparse

HELP = "print the JSON Schema's path (or its text with --print)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--print", action="store_true", help="print the schema itself")


def run(args: argparse.Namespace) -> int:
    from dli_flink.model.schema import schema_path

    path = schema_path()
    print(
        path.read_text(encoding="utf-8") if args.print else path, end="\n" if not args.print else ""
    )
    return 0
