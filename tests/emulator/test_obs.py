"""The emulator's OBS (emulator/obs.py): ListObjects of the folders the emulated DLI writes, through
Huawei's official OBS SDK (esdk-obs-python) over HTTP, as the provider lists checkpoints."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from obs import ObsClient

from tests.conftest import AdminClient, RunningEmulator

KEYS = [
    "jobs/checkpoint/12/chk-3/_metadata",
    "jobs/checkpoint/12/chk-4/_metadata",
    "jobs/checkpoint/12/chk-5/part-0",
    "jobs/checkpoint/12/shared/state-1",
    "jobs/checkpoint/123/chk-1/_metadata",
    "jobs/savepoint/12/2026-01-02_03-04-05/_metadata",
]


def obs_client(emulator: RunningEmulator, secret: str | None = None) -> Any:
    return ObsClient(
        access_key_id=emulator.access_key,
        secret_access_key=secret or emulator.secret_key,
        server=emulator.endpoint,
    )


@pytest.fixture
def bucket(emulator: RunningEmulator) -> str:
    for key in KEYS:
        path = Path(emulator.data_dir, "obs", "bucket", key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key)
    return "bucket"


def keys(answer: Any) -> list[str]:
    assert answer.status == 200, (answer.errorCode, answer.errorMessage)
    return [c.key for c in answer.body.contents]


def prefixes(answer: Any) -> list[str]:
    assert answer.status == 200, (answer.errorCode, answer.errorMessage)
    return [p.prefix for p in answer.body.commonPrefixs]


def test_a_prefix_lists_the_objects_below_it_in_key_order(
    emulator: RunningEmulator, bucket: str
) -> None:
    answer = obs_client(emulator).listObjects(bucket, prefix="jobs/checkpoint/12/")
    assert keys(answer) == [k for k in KEYS if k.startswith("jobs/checkpoint/12/")]
    assert answer.body.is_truncated is False
    first = answer.body.contents[0]
    assert first.size == len(KEYS[0]) and first.lastModified and first.etag


def test_a_delimiter_rolls_keys_up_into_common_prefixes(
    emulator: RunningEmulator, bucket: str
) -> None:
    client = obs_client(emulator)
    answer = client.listObjects(bucket, prefix="jobs/checkpoint/12", delimiter="/")
    assert keys(answer) == []
    assert prefixes(answer) == ["jobs/checkpoint/12/", "jobs/checkpoint/123/"]
    answer = client.listObjects(bucket, prefix="jobs/checkpoint/12/", delimiter="/")
    assert prefixes(answer) == [
        f"jobs/checkpoint/12/{d}/" for d in ("chk-3", "chk-4", "chk-5", "shared")
    ]


def test_max_keys_pages_with_the_marker(emulator: RunningEmulator, bucket: str) -> None:
    client = obs_client(emulator)
    pages, marker = [], None
    while True:
        answer = client.listObjects(
            bucket, prefix="jobs/checkpoint/12/", delimiter="/", marker=marker, max_keys=3
        )
        pages.append(prefixes(answer))
        if not answer.body.is_truncated:
            break
        marker = answer.body.next_marker
    assert pages == [
        ["jobs/checkpoint/12/chk-3/", "jobs/checkpoint/12/chk-4/", "jobs/checkpoint/12/chk-5/"],
        ["jobs/checkpoint/12/shared/"],
    ]
    after = client.listObjects(bucket, prefix="jobs/", marker="jobs/checkpoint/123/chk-1/_metadata")
    assert keys(after) == ["jobs/savepoint/12/2026-01-02_03-04-05/_metadata"]


def test_a_bucket_that_does_not_exist_is_no_such_bucket(emulator: RunningEmulator) -> None:
    answer = obs_client(emulator).listObjects("nobody-made-this")
    assert (answer.status, answer.errorCode) == (404, "NoSuchBucket")


def test_a_bucket_authorised_to_dli_exists_before_it_holds_files(
    emulator: RunningEmulator, dli_api: Any
) -> None:
    dli_api.authorize_buckets(["empty-bucket"])
    answer = obs_client(emulator).listObjects("empty-bucket", prefix="jobs/")
    assert keys(answer) == [] and prefixes(answer) == []


@pytest.mark.parametrize(
    ("state", "status", "code"), [("denied", 403, "AccessDenied"), ("missing", 404, "NoSuchBucket")]
)
def test_a_bucket_denied_or_deleted_answers_obs_error_codes(
    emulator: RunningEmulator, admin: AdminClient, bucket: str, state: str, status: int, code: str
) -> None:
    admin.obs_bucket(bucket, state)
    answer = obs_client(emulator).listObjects(bucket)
    assert (answer.status, answer.errorCode) == (status, code)
    admin.obs_bucket(bucket, "ok")
    assert keys(obs_client(emulator).listObjects(bucket, prefix="jobs/savepoint/"))


def test_a_wrong_secret_key_or_access_key_is_refused(
    emulator: RunningEmulator, bucket: str
) -> None:
    answer = obs_client(emulator, secret="not-the-secret").listObjects(bucket)
    assert (answer.status, answer.errorCode) == (403, "SignatureDoesNotMatch")
    stranger = ObsClient(access_key_id="NOBODY", secret_access_key="x", server=emulator.endpoint)
    answer = stranger.listObjects(bucket)
    assert (answer.status, answer.errorCode) == (403, "InvalidAccessKeyId")


def test_a_running_jobs_checkpoints_are_listed_as_they_come_due(
    emulator: RunningEmulator, dli_api: Any, job_body: Any, wait_status: Any
) -> None:
    """Checkpoints are written when observed (models._write_checkpoints): a listing observes."""
    job_id = dli_api.create_sql_job(job_body())
    dli_api.run_jobs([job_id])
    wait_status(dli_api, job_id, "job_running")
    client = obs_client(emulator)
    folder = f"jobs/checkpoint/{job_id}/"

    def listed() -> list[str]:
        return prefixes(client.listObjects("bucket", prefix=folder, delimiter="/"))

    first = listed()
    deadline = time.monotonic() + 30  # a hang guard: checkpoints come due in milliseconds
    while (newer := listed()) == first:  # one per checkpoint interval on the emulator's clock
        assert time.monotonic() < deadline, "no checkpoint came due"
        time.sleep(0.005)
    [newest] = newer
    assert newest.startswith(f"{folder}chk-")
    # One listing of the whole folder: the emulator keeps only the newest checkpoint, so a second
    # call naming chk-<n> may find it already replaced by chk-<n+1> (it did, on an idle machine).
    [metadata] = keys(client.listObjects("bucket", prefix=folder))
    assert re.fullmatch(rf"{folder}chk-\d+/_metadata", metadata), metadata
