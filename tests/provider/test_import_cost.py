"""The validator's path never imports the Pulumi SDK, grpc, the Huawei SDKs (DLI's, OBS's `obs`)
or ruamel.yaml (pre-commit speed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_validate_imports_no_pulumi_grpc_huawei_sdk_or_ruamel() -> None:
    done = subprocess.run(
        # --no-cache: a run the user's cache answers (its manifest) imports none of the validator,
        # and an earlier run of the same command line in this checkout leaves one.
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "dli_flink",
            "validate",
            "--no-cache",
            "examples/jobs",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    heavy = [
        m
        for m in imported
        if m.split(".")[0] in ("pulumi", "grpc", "huaweicloudsdkdli", "ruamel", "obs")
    ]
    heavy += [m for m in imported if m.startswith("huaweicloudsdk")]
    assert "dli_flink.cli.validate" in imported
    assert heavy == []
