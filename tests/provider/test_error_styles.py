"""The error line a user reads is whole in both SDK styles: the whole traceback (SDK 3.272's host)
and grpc's 'Exception calling application: <message>' (SDKs up to 3.259), tests/host.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.engine import Engine, ProviderHost, host_env
from tests.host import LEGACY, TRACEBACK
from tests.provider.conftest import Shared, sql_job, stack_config


@pytest.mark.parametrize("style", [TRACEBACK, LEGACY])
def test_an_error_reads_the_same_in_both_sdk_styles(
    style: str, shared: Shared, blob: str, tmp_path: Path, job_body: Any
) -> None:
    taken = shared.api.create_sql_job(job_body())
    name = shared.api.show_job(taken)["name"]
    job = sql_job(name)
    if style == TRACEBACK:
        error = Engine(shared.host, blob).up([job])[job.urn].error
    else:
        host = ProviderHost(tmp_path, host_env(), stack_config(shared.emulator), style=style)
        try:
            error = Engine(host, blob).up([job])[job.urn].error
        finally:
            host.close()
    assert error is not None
    assert error.message.startswith(
        f"job {name}: create: DLI already has a job named {name} (job id {taken})."
    )
    assert error.message.endswith("or give this job another name")
    assert "\n" not in error.message
    if style == LEGACY:
        assert error.details == f"Exception calling application: {error.message}"
    else:
        assert error.details.startswith("Traceback (most recent call last)")
        assert error.details.rstrip().endswith(f"LifecycleError: {error.message}")
