"""deploy/held.py: which checkpoint and savepoint OBS holds for a job, listed with Huawei's OBS SDK
over HTTP from the emulator's OBS (emulator/obs.py), over files laid out as DLI and Flink write them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dli_flink.deploy import held
from dli_flink.deploy.dliapi import DliConfig
from dli_flink.deploy.held import NO_FOLDER, ObsFolders, ObsListError

from tests.conftest import RunningEmulator


def folders(emulator: RunningEmulator, obs_endpoint: str | None = None) -> ObsFolders:
    config = DliConfig(
        emulator.endpoint,
        emulator.project_id,
        emulator.access_key,
        emulator.secret_key,
        obs_endpoint=obs_endpoint or emulator.endpoint,
    )
    return ObsFolders(config)


def lay_out(emulator: RunningEmulator, *keys: str) -> None:
    for key in keys:
        path = Path(emulator.data_dir, "obs", key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key)


def job(job_id: int = 12, **config: Any) -> dict[str, Any]:
    return {"job_id": job_id, "status": "job_cancel_success", "job_config": config}


def test_the_newest_complete_checkpoint_of_this_job_only(emulator: RunningEmulator) -> None:
    lay_out(
        emulator,
        "b/jobs/checkpoint/12/chk-3/_metadata",
        "b/jobs/checkpoint/12/chk-10/_metadata",
        "b/jobs/checkpoint/12/chk-11/part-0",  # still being written: no _metadata
        "b/jobs/checkpoint/12/shared/chk-99/_metadata",  # Flink's shared state, no checkpoint
        "b/jobs/checkpoint/123/chk-40/_metadata",  # job 123's, though it starts with "12"
    )
    found = folders(emulator).held(job(obs_bucket="b"))
    assert found.checkpoint is not None
    assert found.checkpoint.path == "obs://b/jobs/checkpoint/12/chk-10/"
    assert found.checkpoints_in == "obs://b/jobs/checkpoint/12*/"
    assert found.savepoint is None and found.newest == found.checkpoint


def test_a_directory_named_after_the_job_id_and_flinks_job_id_below_it(
    emulator: RunningEmulator,
) -> None:
    """FAQ dli_03_0180: "directory starting with the job ID"; Flink's own id may sit below."""
    lay_out(emulator, "b/jobs/checkpoint/12_a1b2/0f9e8d/chk-7/_metadata")
    found = folders(emulator).held(job(obs_bucket="b"))
    assert found.checkpoint is not None
    assert found.checkpoint.path == "obs://b/jobs/checkpoint/12_a1b2/0f9e8d/chk-7/"


def test_a_jar_jobs_own_checkpoint_path(emulator: RunningEmulator) -> None:
    lay_out(emulator, "own/ckpt/5c1d/chk-2/_metadata", "b/jobs/savepoint/12/2026-01-01/_metadata")
    found = folders(emulator).held(job(obs_bucket="b", checkpoint_path="obs://own/ckpt"))
    assert found.checkpoint is not None
    assert found.checkpoint.path == "obs://own/ckpt/5c1d/chk-2/"
    assert found.savepoint is not None
    assert found.savepoint.path == "obs://b/jobs/savepoint/12/2026-01-01/"


def test_a_savepoint_written_in_the_same_second_counts_as_newer(
    emulator: RunningEmulator,
) -> None:
    lay_out(
        emulator,
        "b/jobs/checkpoint/12/chk-4/_metadata",
        "b/jobs/savepoint/12/2026-01-01_00-00-00/_metadata",
    )
    found = folders(emulator).held(job(obs_bucket="b"))
    assert found.newest is not None and found.newest.kind == "savepoint"


def test_every_page_is_read(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(held, "PAGE", 2)
    lay_out(emulator, *(f"b/jobs/checkpoint/12/chk-{n}/_metadata" for n in range(1, 8)))
    found = folders(emulator).held(job(obs_bucket="b"))
    assert found.checkpoint is not None
    assert found.checkpoint.path == "obs://b/jobs/checkpoint/12/chk-7/"


def test_a_job_without_a_bucket_is_not_listed(emulator: RunningEmulator) -> None:
    found = folders(emulator, obs_endpoint="http://127.0.0.1:1").held(job())
    assert (found.checkpoint, found.savepoint, found.checkpoints_in) == (None, None, NO_FOLDER)


def test_a_listing_refused_is_one_line_with_the_fix(emulator: RunningEmulator) -> None:
    with pytest.raises(ObsListError) as caught:
        folders(emulator).held(job(obs_bucket="nobody-made-this"))
    message = str(caught.value)
    assert message == (
        "cannot list obs://nobody-made-this/jobs/checkpoint/12: OBS answered 404 NoSuchBucket "
        "(The specified bucket does not exist): bucket nobody-made-this does not exist at this "
        "OBS endpoint: check the job's obsBucket and that the OBS endpoint is the job's region "
        "(dli-flink:obsEndpoint or DLI_FLINK_OBS_ENDPOINT)"
    )


def test_no_obs_endpoint_says_how_to_set_it(emulator: RunningEmulator) -> None:
    config = DliConfig(emulator.endpoint, "p", "ak", "sk")
    with pytest.raises(ObsListError, match="set the stack config dli-flink:obsEndpoint"):
        ObsFolders(config).held(job(obs_bucket="b"))
