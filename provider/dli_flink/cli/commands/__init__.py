"""The sub-commands of `dli-flink`, a module each (HELP, configure(parser), run(args)), and the
arguments they share."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_job_paths(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The job files or folders a command reads (default: the working directory), and the
    configuration it reads them with: validate, review and the others name them alike."""
    parser.add_argument(
        "paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH", help=help_text
    )
    parser.add_argument("--config", type=Path, help="configuration file (default: .dli-flink.yaml)")
