"""DLI's error answers: one exception class per DLI error code the emulator gives.

Each class carries its HTTP status and error code; a raise site gives only the message. The codes and
when DLI answers them are from shared/docs/dli-api.md ("Documented behaviour", Errors: DLI.0001
parameter error, DLI.0007 operation not supported, a missing Flink job is answered 400 DLI.16001, a job
without a usable queue fails to run with DLI.13024). `responses` renders any of them as DLI's error body,
`{"error_code": ..., "error_msg": ...}`.

The API gateway's refusals (APIGW.0101 no such API, APIGW.0301 bad signature) are not here: the gateway
gives them before DLI sees the request, in a body of its own shape (`DliApp._gateway_error`).
"""

from __future__ import annotations

from typing import ClassVar


class ApiError(Exception):
    """A DLI error answer: HTTP status, DLI error code and message. Raise a subclass, one per code."""

    status: ClassVar[int]
    code: ClassVar[str]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParameterError(ApiError):
    """DLI.0001, "parameter error": DLI refuses a value in the body, query or path (for example an
    unknown or mistyped field, a value outside its documented range, a job name already taken)."""

    status = 400
    code = "DLI.0001"


class OperationNotSupported(ApiError):
    """DLI.0007, "operation not supported": a well-formed request that the job's status forbids (run a
    job that is not new, stopped or failed; stop one that is not running or submitting; trigger a
    savepoint on one that is not running; edit fields other than the hot ones, or import a savepoint,
    while the job is busy)."""

    status = 400
    code = "DLI.0007"


class FlinkJobNotFound(ApiError):
    """DLI.16001: the job id names no Flink job of the project (dli-api.md: "a missing Flink job is
    answered 400 DLI.16001", not the generic DLI.0002 "object missing")."""

    status = 400
    code = "DLI.16001"

    def __init__(self, job_id: int) -> None:
        super().__init__(f"The Flink job {job_id} does not exist")


class QueueUnavailable(ApiError):
    """DLI.13024: a run whose job has no usable queue (dli-api.md; Terraform PR logs show DLI answering
    it as "No job-running queue selected" for a create with a queue and no run mode)."""

    status = 400
    code = "DLI.13024"


class BucketNotAuthorized(ApiError):
    """DLI.11016: "the obs_bucket passed in the job request is an OBS bucket not authorised to DLI;
    authorise it to DLI" (API reference, "Creating a Flink Jar Job", dli_02_0230, its error code
    table, huaweicloudDocs/dli cn.zh-cn/API参考/新建Flink自定义作业.md; the page's status codes are
    200 and 400 "invalid input")."""

    status = 400
    code = "DLI.11016"


class InternalError(ApiError):
    """DLI.0999, HTTP 500: a bug in the emulator itself. No source documents this code; it is the
    emulator's choice (its fault injection defaults to it too), so a client sees a server error, as a
    DLI fault would show, instead of a hung request."""

    status = 500
    code = "DLI.0999"
