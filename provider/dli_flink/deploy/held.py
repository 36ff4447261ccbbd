"""What OBS holds of a job's state: its newest complete checkpoint and the newest savepoint DLI wrote
for it, found by listing the folders DLI's docs name, with Huawei's OBS SDK (esdk-obs-python).

No DLI call lists a job's checkpoints (the SDK's FlinkJob and FlinkJobConfig report none), and DLI
reports a savepoint only through has_savepoint/savepoint_path, which issue 11 saw it leave unset for
one it wrote. The folders, each from the source it follows:
- checkpoints: "Bucket name/jobs/checkpoint/directory starting with the job ID" (FAQ "How Do I Know
  Which Checkpoint the Flink Job I Stopped Will Be Restored to When I Start the Job Again?",
  dli_03_0180); a Jar job with its own `checkpoint_path` checkpoints there instead (FAQ dli_03_0038).
  Below that directory DLI's docs are silent: Flink's layout, `chk-<n>/_metadata` (Flink docs,
  ops/state/checkpoints, "Directory Structure"), is searched up to three levels down, skipping
  Flink's `shared/` and `taskowned/`; a checkpoint is complete when its `_metadata` exists (Flink
  writes it last). "Starting with the job ID" is read as the id followed by no further digit, so job
  12 never takes job 123's directory.
- savepoints: `obs://<bucket>/jobs/savepoint/<job id>/<time>/` (dli-api.md, "Documented
  behaviour"), each holding `_metadata`.

The calls: ObsClient.listObjects (OBS API reference obs_04_0022, "Listing Objects in a Bucket"),
with prefix and delimiter "/" to see a folder's directories, and marker paging (NextMarker while
IsTruncated). Credentials are the provider's AK/SK; the endpoint follows Huawei's convention,
`https://obs.<region>.myhuaweicloud.com` (dliapi.DliConfig.obs_endpoint), or the override. Every
failure is one `ObsListError` line naming the bucket, the prefix and the fix; the SDK (imported on
first use, never on the validator's path) logs nothing of ours and is never shown to the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dli_flink.deploy.dliapi import DliConfig

CHECKPOINT = re.compile(r"(?:^|/)chk-(\d+)/$")
"""A Flink checkpoint directory, `chk-<n>/`."""
FLINK_STATE_DIRS = ("shared/", "taskowned/")
"""Flink's directories beside chk-<n>/ that hold no checkpoint of their own."""
DEPTH = 3
"""How far below the job's checkpoint directory chk-<n>/ is looked for."""
NO_FOLDER = "no folder: the job has no obsBucket"
"""Where a job without a bucket keeps checkpoints: DLI writes none for it."""
PAGE = 1000
"""Keys or common prefixes a listing asks for at once: OBS's maximum (obs_04_0022)."""
TIMEOUT_SECONDS = 30
RETRIES = 2
"""The SDK's own retries of a request that got no answer (its default is 3)."""


class ObsListError(Exception):
    """Listing a folder failed; the message is the one line the user reads."""


@dataclass(frozen=True)
class State:
    """A savepoint or checkpoint OBS holds: the directory holding `_metadata` and its time."""

    kind: str
    """ "checkpoint" or "savepoint" """
    path: str
    """obs://bucket/.../ (the directory import_flink_job_savepoint takes)"""
    modified: str
    """`_metadata`'s LastModified as the SDK gives it, "YYYY/MM/DD HH:MM:SS": sorts by time."""
    number: int = 0
    """A checkpoint's n (chk-<n>): the newer of two written in the same second."""


@dataclass(frozen=True)
class Held:
    """The newest checkpoint and savepoint found for a job, and where they were looked for."""

    checkpoint: State | None
    savepoint: State | None
    checkpoints_in: str
    savepoints_in: str | None

    @property
    def newest(self) -> State | None:
        """The newer of the two; on the same second the savepoint (a stop writes it after the
        job's last checkpoint, and listings give whole seconds)."""
        found = [s for s in (self.checkpoint, self.savepoint) if s]
        return max(found, key=lambda s: (s.modified, s.kind == "savepoint"), default=None)


class ObsFolders:
    """Lists a job's checkpoint and savepoint folders through one ObsClient, made on first use."""

    def __init__(self, config: DliConfig) -> None:
        self.config = config
        self._client: Any = None

    def held(self, job: dict[str, Any]) -> Held:
        """The newest checkpoint and savepoint OBS holds for `job` (a DLI job answer)."""
        config = job.get("job_config") or {}
        job_id = str(job["job_id"])
        bucket = config.get("obs_bucket")
        own = config.get("checkpoint_path")
        if own:
            own_bucket, _, prefix = str(own).removeprefix("obs://").partition("/")
            prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
            checkpoint = self._newest_checkpoint(own_bucket, [prefix])
            checkpoints_in = f"obs://{own_bucket}/{prefix}"
        elif bucket:
            base = f"jobs/checkpoint/{job_id}"
            directories = [
                p
                for p in self._directories(bucket, base)
                if not p[len(base) : len(base) + 1].isdigit()
            ]
            checkpoint = self._newest_checkpoint(bucket, directories)
            checkpoints_in = f"obs://{bucket}/{base}*/"
        else:
            return Held(None, None, NO_FOLDER, None)
        savepoint, savepoints_in = None, None
        if bucket:
            folder = f"jobs/savepoint/{job_id}/"
            savepoints_in = f"obs://{bucket}/{folder}"
            candidates = [self._metadata(bucket, p) for p in self._directories(bucket, folder)]
            found = [State("savepoint", f"obs://{bucket}/{p}", m) for p, m in candidates if m]
            savepoint = max(found, key=lambda s: (s.modified, s.path), default=None)
        return Held(checkpoint, savepoint, checkpoints_in, savepoints_in)

    # -- listing ----------------------------------------------------------------------------------

    def _newest_checkpoint(self, bucket: str, directories: list[str]) -> State | None:
        """The newest complete chk-<n>/ below any of `directories` (each ending in "/")."""
        found: list[State] = []
        for directory in directories:
            numbered = sorted(
                (
                    (int(m[1]), p)
                    for p in self._walk(bucket, directory, DEPTH)
                    if (m := CHECKPOINT.search(p))
                ),
                reverse=True,
            )
            for number, path in numbered:  # the highest complete one of this directory
                modified = self._metadata(bucket, path)[1]
                if modified:
                    found.append(State("checkpoint", f"obs://{bucket}/{path}", modified, number))
                    break
        return max(found, key=lambda s: (s.modified, s.number), default=None)

    def _walk(self, bucket: str, directory: str, depth: int) -> Iterator[str]:
        """The directories below `directory` down to `depth` levels, a chk-<n>/ not entered."""
        for sub in self._directories(bucket, directory):
            yield sub
            name = sub[len(directory) :]
            if depth > 1 and not CHECKPOINT.search(sub) and name not in FLINK_STATE_DIRS:
                yield from self._walk(bucket, sub, depth - 1)

    def _directories(self, bucket: str, prefix: str) -> list[str]:
        """The common prefixes below `prefix` with delimiter "/" (obs_04_0022), every page."""
        return [p for kind, p, _ in self._list(bucket, prefix, "/") if kind == "prefix"]

    def _metadata(self, bucket: str, directory: str) -> tuple[str, str | None]:
        """`directory` and its `_metadata`'s LastModified, None when it has none."""
        key = f"{directory}_metadata"
        for kind, name, modified in self._list(bucket, key, "/", max_keys=1):
            if kind == "key" and name == key:
                return directory, modified
        return directory, None

    def _list(
        self, bucket: str, prefix: str, delimiter: str, max_keys: int | None = None
    ) -> Iterator[tuple[str, str, str | None]]:
        """("key", key, LastModified) and ("prefix", common prefix, None) of every page."""
        marker = None
        while True:
            body = self._page(bucket, prefix, delimiter, marker, max_keys or PAGE)
            last = None
            for content in body.contents or []:
                last = content.key
                yield "key", content.key, content.lastModified
            for common in body.commonPrefixs or []:
                last = max(last or "", common.prefix)
                yield "prefix", common.prefix, None
            if not body.is_truncated or max_keys == 1:
                return
            marker = body.next_marker or last
            if not marker:
                return

    def _page(
        self, bucket: str, prefix: str, delimiter: str, marker: str | None, max_keys: int
    ) -> Any:
        where = f"obs://{bucket}/{prefix}"
        endpoint = self.config.obs_endpoint
        if not endpoint:
            raise ObsListError(
                f"cannot list {where}: the OBS endpoint is not set: set the stack config "
                "dli-flink:obsEndpoint or DLI_FLINK_OBS_ENDPOINT (or the region, "
                "dli-flink:region or DLI_FLINK_REGION: https://obs.<region>.myhuaweicloud.com)"
            )
        try:
            answer = self._obs().listObjects(
                bucket, prefix=prefix, marker=marker, max_keys=max_keys, delimiter=delimiter
            )
        except Exception as error:  # the SDK raises what its HTTP layer raised, after retrying
            raise ObsListError(
                f"cannot list {where}: OBS at {endpoint} did not answer "
                f"({type(error).__name__}: {error}): check the OBS endpoint (dli-flink:obsEndpoint "
                "or DLI_FLINK_OBS_ENDPOINT) and the network, then run pulumi up again"
            ) from None
        if answer.status >= 300:
            code = answer.errorCode or f"HTTP {answer.status}"
            raise ObsListError(
                f"cannot list {where}: OBS answered {answer.status} {code}"
                + (f" ({answer.errorMessage})" if answer.errorMessage else "")
                + f": {_fix(code, bucket)}"
            )
        return answer.body

    def _obs(self) -> Any:
        if self._client is None:
            from obs import ObsClient

            # is_secure, port and path style come from the endpoint: the SDK reads the scheme and
            # port of `server`, and addresses buckets path-style for an IP address, by virtual
            # host (bucket.obs.<region>.myhuaweicloud.com) otherwise (obs/client.py).
            self._client = ObsClient(
                access_key_id=self.config.access_key,
                secret_access_key=self.config.secret_key,
                server=self.config.obs_endpoint,
                timeout=TIMEOUT_SECONDS,
                max_retry_count=RETRIES,
            )
        return self._client


def _fix(code: str, bucket: str) -> str:
    """What to do about OBS error `code` (OBS API reference, "Error Codes", obs_04_0115)."""
    if code == "NoSuchBucket":
        return (
            f"bucket {bucket} does not exist at this OBS endpoint: check the job's obsBucket and "
            "that the OBS endpoint is the job's region (dli-flink:obsEndpoint or "
            "DLI_FLINK_OBS_ENDPOINT)"
        )
    if code == "AccessDenied":
        return (
            f"the access key may not list bucket {bucket}: grant it obs:bucket:ListBucket on the "
            "bucket (IAM or the bucket policy)"
        )
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "RequestTimeTooSkewed"):
        return "check the access key and secret key the provider uses (and the clock)"
    return "run pulumi up again; if it persists, set restore to the directory to start from"
