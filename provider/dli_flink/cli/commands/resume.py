"""Resume a stopped DLI Flink job from a savepoint: the command a failed rollback names.

When an update fails and its rollback fails too, the job is left stopped with its state in a
savepoint; this starts it again from exactly that savepoint (importing it if DLI no longer points at
it) and waits until it runs. A checkpoint's directory works the same way: DLI restores a checkpoint
imported as a savepoint (FAQ dli_03_0180). Settings come from the environment, as for the SDK: DLI_FLINK_ENDPOINT
or DLI_FLINK_REGION, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID.
"""

from __future__ import annotations

import argparse
import sys

HELP = "resume a stopped job from a savepoint or checkpoint (the command a failed rollback names)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job_id", type=int, metavar="JOB_ID", help="the DLI job's id")
    parser.add_argument(
        "savepoint",
        metavar="DIRECTORY",
        help="the OBS directory of a savepoint or checkpoint (the one holding _metadata)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="MINUTES",
        help="how long to wait for job_running (default 20)",
    )


def run(args: argparse.Namespace) -> int:
    from dli_flink.deploy.dliapi import DliApi, DliConfigError, DliError
    from dli_flink.deploy.lifecycle import Lifecycle, LifecycleError, describe_error
    from dli_flink.deploy.status import StartFailed
    from dli_flink.deploy.waits import WaitTimeout

    try:
        job = Lifecycle(DliApi()).resume(args.job_id, args.savepoint, args.timeout * 60)
    except (DliConfigError, DliError, LifecycleError, StartFailed, WaitTimeout) as error:
        print(f"resume: job {args.job_id}: {describe_error(error)}", file=sys.stderr)
        return 1
    print(f"resume: job {args.job_id} ({job.get('name')}) is running from {args.savepoint}")
    return 0
