"""DliApi: a thin, typed, thread-safe wrapper over the official `huaweicloudsdkdli` client.

It lives inside the Pulumi provider process, so it is created lazily (no SDK import or connection until
the first call), keeps one SDK client per thread, and refuses to be pickled (it holds a secret key).
Bodies go in and answers come out as plain dicts with DLI's wire names, so the job model's request
bodies need no other conversion. Every failure is one `DliError` carrying the operation, HTTP status,
DLI error code, message and request id; a 200 answer whose `is_success` is not the string "true" (in
a batch answer: any element) is a failure too. Throttling (429: the gateway refused before DLI acted)
is retried for every call; 5xx and lost connections only for calls that are safe to repeat.
Inside `bounded(deadline)` no call waits past the operation's deadline: the SDK's connect and read
timeouts (60 s by default, longer than a whole update may take) shrink to the time left, and never
exceed the whole operation's time.
The secret key never appears in a repr, a log line or an error.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MIN_CALL_SECONDS = 5.0
"""The shortest timeout a call gets, even past its operation's deadline: a rollback or a last read
of the job for the error line still needs an answer. An operation given less time in all (its
`timeouts`) gives each call at most that: no single call outlasts the operation's own bound."""
_CODE_IN_MESSAGE = re.compile(r"^(?P<code>[A-Z]+\.\d+)\b[:\s]*")


class DliError(Exception):
    """A DLI call that failed: `operation`, `status` (None when no answer), `code`, `message`,
    `request_id`."""

    def __init__(
        self,
        operation: str,
        status: int | None,
        code: str | None,
        message: str,
        request_id: str | None = None,
    ) -> None:
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        detail = " ".join(p for p in (status and f"HTTP {status}", code) if p)
        text = f"DLI {operation} failed" + (f" ({detail})" if detail else "") + f": {message}"
        super().__init__(text + (f" (request id {request_id})" if request_id else ""))

    @property
    def retryable(self) -> bool:
        """Worth retrying if the call is safe to repeat: throttled, server error, no answer."""
        return self.status is None or self.status == 429 or self.status >= 500


class DliConfigError(ValueError):
    """DliApi lacks a setting (the message names the argument and the environment variable)."""


@dataclass(frozen=True)
class DliConfig:
    """Where and as whom to call DLI. `secret_key` is kept out of repr."""

    endpoint: str
    project_id: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str | None = None

    @classmethod
    def resolve(
        cls,
        endpoint: str | None = None,
        region: str | None = None,
        project_id: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> DliConfig:
        """Arguments first, then HUAWEICLOUD_SDK_AK/SK/PROJECT_ID, DLI_FLINK_ENDPOINT/REGION."""
        env = os.environ.get
        region = region or env("DLI_FLINK_REGION")
        endpoint = endpoint or env("DLI_FLINK_ENDPOINT")
        if not endpoint and region:
            endpoint = f"https://dli.{region}.myhuaweicloud.com"
        values = {
            "endpoint": (endpoint, "DLI_FLINK_ENDPOINT (or DLI_FLINK_REGION)"),
            "project_id": (
                project_id or env("HUAWEICLOUD_SDK_PROJECT_ID"),
                "HUAWEICLOUD_SDK_PROJECT_ID",
            ),
            "access_key": (access_key or env("HUAWEICLOUD_SDK_AK"), "HUAWEICLOUD_SDK_AK"),
            "secret_key": (secret_key or env("HUAWEICLOUD_SDK_SK"), "HUAWEICLOUD_SDK_SK"),
        }
        for name, (value, variable) in values.items():
            if not value:
                raise DliConfigError(f"DLI {name} is not set: pass {name} or set {variable}")
        return cls(region=region, **{name: value for name, (value, _) in values.items()})


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff: waits initial, 2x, 4x ... up to max_wait, for `attempts` tries."""

    attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 8.0


class DliApi:
    """The DLI Flink job operations our provider needs; see the module docstring for the contract."""

    def __init__(
        self,
        config: DliConfig | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10, 60),
    ) -> None:
        self.config = config or DliConfig.resolve()
        self.retry = retry or RetryPolicy()
        self._timeout = timeout
        self._local = threading.local()

    def __repr__(self) -> str:
        c = self.config
        return f"DliApi(endpoint={c.endpoint!r}, project_id={c.project_id!r}, access_key={c.access_key!r})"

    def __getstate__(self) -> None:
        raise TypeError("DliApi holds credentials and live connections: it cannot be pickled")

    # -- plumbing ---------------------------------------------------------------------------------

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            from huaweicloudsdkcore.auth.credentials import BasicCredentials
            from huaweicloudsdkcore.http.http_config import HttpConfig
            from huaweicloudsdkdli.v1 import DliClient

            # Terraform still authorises buckets with this call; the SDK marks it deprecated.
            warnings.filterwarnings(
                "ignore", message="Method 'register_bucket'", category=DeprecationWarning
            )
            http = HttpConfig.get_default_config()
            http.timeout = self._timeout
            self._local.http = http  # the SDK reads its timeout at each request: see _call_once
            c = self.config
            client = (
                DliClient.new_builder()
                .with_http_config(http)
                .with_credentials(BasicCredentials(c.access_key, c.secret_key, c.project_id))
                .with_endpoint(c.endpoint)
                .build()
            )
            self._local.client = client
        return client

    @contextmanager
    def bounded(self, deadline: float) -> Iterator[None]:
        """Calls of this thread inside the block time out by `deadline` (a time.monotonic()), or
        after MIN_CALL_SECONDS when less is left (after the block's whole time, if that is less)."""
        outer = getattr(self._local, "deadline", None)
        span = deadline - time.monotonic()
        floor = min(MIN_CALL_SECONDS, span) if span > 0 else MIN_CALL_SECONDS
        self._local.deadline = (deadline, floor)
        try:
            yield
        finally:
            self._local.deadline = outer

    def _bound_timeout(self) -> None:
        """The SDK's (connect, read) timeouts for the next request: the configured ones, cut to the
        time left before this thread's deadline."""
        bound = getattr(self._local, "deadline", None)
        connect, read = self._timeout
        if bound is not None:
            deadline, floor = bound
            left = max(deadline - time.monotonic(), floor)
            connect, read = min(connect, left), min(read, left)
        self._local.http.timeout = (connect, read)

    def _call(self, operation: str, request: Any, *, idempotent: bool) -> Any:
        """Call `DliClient.<operation>(request)`, mapping errors and retrying what may be retried."""
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

        def may_retry(error: BaseException) -> bool:
            return isinstance(error, DliError) and (
                error.status == 429 or (idempotent and error.retryable)
            )

        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_exponential(multiplier=self.retry.initial_wait, max=self.retry.max_wait),
            retry=retry_if_exception(may_retry),
            before_sleep=lambda state: log.info(
                "retrying %s after %s", operation, state.outcome.exception()
            ),
            reraise=True,
        )
        return retrying(self._call_once, operation, request)

    def _call_once(self, operation: str, request: Any) -> Any:
        from huaweicloudsdkcore.exceptions.exceptions import SdkException, ServiceResponseException
        from requests import RequestException

        client = self._client()
        self._bound_timeout()
        try:
            response = getattr(client, operation)(request)
        except ServiceResponseException as error:
            raise DliError(
                operation, error.status_code, error.error_code, error.error_msg, error.request_id
            ) from None
        except SdkException as error:
            raise DliError(operation, None, None, str(error.error_msg)) from None
        except (
            RequestException
        ) as error:  # e.g. the connection broke mid-answer: the SDK lets it by
            raise DliError(operation, None, None, f"{type(error).__name__}: {error}") from None
        answers = response.body if hasattr(response, "body") else [response]
        for answer in answers or []:
            if str(getattr(answer, "is_success", "true")).lower() != "true":
                message = str(getattr(answer, "message", "") or "is_success is not true")
                match = _CODE_IN_MESSAGE.match(message)
                code = match["code"] if match else None
                # The SDK does not expose a 200 answer's headers, so no request id here.
                raise DliError(operation, 200, code, message)
        log.debug("%s succeeded", operation)
        return response

    # -- jobs -------------------------------------------------------------------------------------

    def create_sql_job(self, body: dict[str, Any]) -> int:
        """Create a Flink SQL job from a wire-shaped body; its job id."""
        return self._create("create_flink_sql_job", "CreateFlinkSqlJob", body)

    def create_jar_job(self, body: dict[str, Any]) -> int:
        return self._create("create_flink_jar_job", "CreateFlinkJarJob", body)

    def update_sql_job(self, job_id: int, body: dict[str, Any]) -> int:
        """Partial update (only the keys given); DLI's new update_time in ms."""
        return self._update("update_flink_sql_job", "UpdateFlinkSqlJob", job_id, body)

    def update_jar_job(self, job_id: int, body: dict[str, Any]) -> int:
        return self._update("update_flink_jar_job", "UpdateFlinkJarJob", job_id, body)

    def _create(self, operation: str, model: str, body: dict[str, Any]) -> int:
        request = _request(model, body=_body(f"{model}RequestBody", body))
        return self._call(operation, request, idempotent=False).job.job_id

    def _update(self, operation: str, model: str, job_id: int, body: dict[str, Any]) -> int:
        request = _request(model, job_id=job_id, body=_body(f"{model}RequestBody", body))
        return self._call(operation, request, idempotent=True).job.update_time

    def run_jobs(self, job_ids: Iterable[int], resume_savepoint: bool = False) -> None:
        """Submit the jobs (optionally restoring from their latest savepoint)."""
        body = _body("BatchRunFlinkJobsRequestBody", {"job_ids": list(job_ids)})
        body.resume_savepoint = resume_savepoint
        self._call(
            "batch_run_flink_jobs", _request("BatchRunFlinkJobs", body=body), idempotent=False
        )

    def stop_jobs(self, job_ids: Iterable[int], trigger_savepoint: bool = False) -> None:
        body = _body("StopFlinkJobsRequestBody", {"job_ids": list(job_ids)})
        body.trigger_savepoint = trigger_savepoint
        self._call(
            "batch_stop_flink_jobs", _request("BatchStopFlinkJobs", body=body), idempotent=False
        )

    def show_job(self, job_id: int) -> dict[str, Any]:
        """The FlinkJob as a wire-shaped dict (job_config nested)."""
        request = _request("ShowFlinkJob", job_id=job_id)
        return self._call("show_flink_job", request, idempotent=True).job_detail.to_dict()

    def list_jobs(self, **filters: Any) -> list[dict[str, Any]]:
        """All jobs matching the filters (name, status, job_type, queue_name, tags, order), every page."""
        return list(self.iter_jobs(**filters))

    def iter_jobs(self, page_size: int = 100, **filters: Any) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            request = _request(
                "ListFlinkJobs", offset=offset, limit=page_size, show_detail=True, **filters
            )
            page = self._call("list_flink_jobs", request, idempotent=True).job_list
            jobs = page.jobs or []
            for job in jobs:
                yield job.to_dict()
            offset += len(jobs)
            if not jobs or offset >= (page.total_count or 0):
                return

    def delete_job(self, job_id: int) -> None:
        """Delete in any state. Not retried: a repeat after a lost answer would report DLI.16001."""
        self._call("delete_flink_job", _request("DeleteFlinkJob", job_id=job_id), idempotent=False)

    def trigger_savepoint(self, job_id: int, savepoint_path: str | None = None) -> None:
        body = _body("ExecuteFlinkJobSavepointRequestBody", {"action": "TRIGGER"})
        body.savepoint_path = savepoint_path
        request = _request("ExecuteFlinkJobSavepoint", job_id=job_id, body=body)
        self._call("execute_flink_job_savepoint", request, idempotent=False)

    def import_savepoint(self, job_id: int, savepoint_path: str) -> None:
        body = _body(
            "ImportFlinkJobSavepointRequestBody",
            {"job_id": job_id, "savepoint_path": savepoint_path},
        )
        request = _request("ImportFlinkJobSavepoint", job_id=job_id, body=body)
        self._call("import_flink_job_savepoint", request, idempotent=True)

    # -- tags: DLI's v3 resource tag API, resource type dli_flink_job (API reference dli_02_0396,
    # dli_02_0397, dli_02_0501; Terraform's flink job resources call it so) ---------------------

    def add_tags(self, job_id: int, tags: Iterable[tuple[str, str]]) -> None:
        """Set these tags on the job; a key it holds takes the new value. Repeating it sets the
        same tags again: safe to retry."""
        self._tag_call("BatchCreateResourceTags", job_id, tags)

    def delete_tags(self, job_id: int, tags: Iterable[tuple[str, str]]) -> None:
        """Remove these tags (by key and value) from the job. DLI: "if the tag to be deleted does
        not exist, the deletion is successful": safe to retry."""
        self._tag_call("BatchDeleteResourceTags", job_id, tags)

    def _tag_call(self, model: str, job_id: int, tags: Iterable[tuple[str, str]]) -> None:
        listed = [_model("Tag")(key=k, value=v) for k, v in tags]
        request = _request(
            model,
            resource_type=FLINK_JOB_TAGS,
            resource_id=str(job_id),
            body=_model(f"{model}RequestBody")(tags=listed),
        )
        self._call(_snake(model), request, idempotent=True)

    def job_tags(self, job_id: int) -> dict[str, str]:
        """The tags DLI holds for the job, key -> value (every page of show_resource_tags)."""
        found: dict[str, str] = {}
        while True:
            request = _request(
                "ShowResourceTags",
                resource_type=FLINK_JOB_TAGS,
                resource_id=str(job_id),
                limit=TAG_PAGE,
                offset=len(found),
            )
            answer = self._call("show_resource_tags", request, idempotent=True)
            page = answer.tags or []
            found.update((t.key, t.value or "") for t in page)
            if not page or len(found) >= (answer.count or 0):
                return found

    def authorize_buckets(self, buckets: Iterable[str]) -> None:
        """Let DLI use these OBS buckets (Terraform does this before create/update)."""
        body = _body("RegisterBucketRequestBody", {"obs_buckets": list(buckets)})
        self._call("register_bucket", _request("RegisterBucket", body=body), idempotent=True)


FLINK_JOB_TAGS = "dli_flink_job"
"""The tag API's resource type of a Flink job (API reference dli_02_0396)."""
TAG_PAGE = 1000
"""show_resource_tags' page size: its documented default and a job holds far fewer."""


def _snake(model: str) -> str:
    """BatchCreateResourceTags -> batch_create_resource_tags (the DliClient method)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model).lower()


def _model(name: str) -> Callable[..., Any]:
    from huaweicloudsdkdli.v1 import model

    return getattr(model, name)


def _request(name: str, /, **kwargs: Any) -> Any:
    return _model(f"{name}Request")(**kwargs)


def _body(name: str, body: dict[str, Any]) -> Any:
    """The SDK model for a wire-shaped body; a key the model lacks is the caller's bug."""
    cls = _model(name)
    unknown = sorted(set(body) - set(cls.attribute_map))
    if unknown:
        raise ValueError(f"{name} has no field(s) {', '.join(unknown)}")
    return cls(**body)
