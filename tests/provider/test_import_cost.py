"""The validator's path never imports the Pulumi SDK, grpc, the Huawei SDKs (DLI's, OBS's `obs`)
or ruamel.yaml (pre-commit speed), and a one-file run skips what start-up can do without."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.validate.jobs import VALID_SQL_JOB

ROOT = Path(__file__).resolve().parents[2]


def imported_by(*argv: str, cwd: Path = ROOT) -> list[str]:
    """The modules `python -m dli_flink *argv` imports, in order."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dli_flink", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]


def test_validate_imports_no_pulumi_grpc_huawei_sdk_or_ruamel() -> None:
    # --no-cache: a run the user's cache answers (its manifest) imports none of the validator,
    # and an earlier run of the same command line in this checkout leaves one.
    imported = imported_by("validate", "--no-cache", "examples/jobs")
    heavy = [
        m
        for m in imported
        if m.split(".")[0] in ("pulumi", "grpc", "huaweicloudsdkdli", "ruamel", "obs")
    ]
    heavy += [m for m in imported if m.startswith("huaweicloudsdk")]
    assert "dli_flink.cli.validate" in imported
    assert heavy == []


def test_a_one_file_run_defines_no_dataclass_and_never_imports_shutil(tmp_path: Path) -> None:
    """A pre-commit run on one changed job file is mostly start-up (issue 14: at most 0.2 of
    check-jsonschema's wall time). Importing dataclasses (with inspect, ast and dis) and defining
    the classes on the validator's path cost about 20 ms of it, argparse's default help formatter
    2 ms for shutil (with bz2 and lzma), the workers' clean-up signal when nothing was forked, and
    the fixes' copy (with weakref) when no fix is applied."""
    (tmp_path / "job.yaml").write_text(VALID_SQL_JOB)
    imported = imported_by("validate", "--no-cache", "job.yaml", cwd=tmp_path)
    assert "dli_flink.cli.validate" in imported
    avoidable = {"dataclasses", "inspect", "shutil", "signal", "copy", "yaml", "jsonschema"}
    assert [m for m in imported if m in avoidable] == []
