"""Write job documents for jobs that already run on DLI, to bring them under management.

One file per job, OUT/<name>.yaml: every field DLI reports, the scaling keys as the scaling block,
defaults left out, and a header with the job id and the time, and `adopt: true`, so the next
`pulumi up` takes the job over instead of failing on its name. `--sql-files` writes the SQL to
<name>.sql beside it. Settings come from the environment, as for the provider: DLI_FLINK_ENDPOINT or
DLI_FLINK_REGION, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID (the secret key
is never printed or written). Exit 0 when every job was written, 1 when DLI or a job failed, 2 when
the command cannot start (a setting or ruamel.yaml missing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write job documents (adopt: true) for jobs that run on DLI"


def configure(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--name", action="append", metavar="NAME", help="the DLI job to export (repeatable)"
    )
    which.add_argument("--all", action="store_true", help="every Flink job of the project")
    parser.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="where to write (default: .)"
    )
    parser.add_argument(
        "--sql-files", action="store_true", help="write SQL to <name>.sql beside the YAML"
    )
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")


def run(args: argparse.Namespace) -> int:
    try:
        from dli_flink.deploy.export import ExportError, write
    except ImportError as error:
        print(
            f"dli-flink: export needs {error.name}: pip install 'dli-flink[dli,yaml]'",
            file=sys.stderr,
        )
        return 2
    from dli_flink.deploy.calls import JobCalls
    from dli_flink.deploy.dliapi import DliApi, DliConfigError, DliError

    try:
        api = DliApi()
    except DliConfigError as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 2
    failed = written = 0
    try:
        listed = {job["name"]: job["job_id"] for job in api.iter_jobs()}
        for name in sorted(listed) if args.all else args.name:
            if name not in listed:
                print(f"dli-flink: no DLI job named {name!r} in this project", file=sys.stderr)
                failed += 1
                continue
            job = JobCalls(api).show_tagged(listed[name])
            if job is None:
                print(f"dli-flink: DLI job {name!r} was deleted meanwhile", file=sys.stderr)
                failed += 1
                continue
            try:
                paths = write(job, args.out, args.sql_files, force=args.force)
            except ExportError as error:
                print(f"dli-flink: {error}", file=sys.stderr)
                failed += 1
                continue
            written += 1
            print(f"{' and '.join(str(p) for p in paths)}: job {listed[name]} ({name})")
    except DliError as error:
        print(f"dli-flink: {error}", file=sys.stderr)
        return 1
    print(f"{written} job{'s' * (written != 1)} exported")
    return 1 if failed else 0
