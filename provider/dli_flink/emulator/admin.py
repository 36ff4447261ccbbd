"""The emulator's own admin API under /_emulator/: unsigned, answered only to loopback clients.

Tests and benchmarks use it to read a job's timeline of status transitions (with timestamps, so the
time a job was not running can be measured), to set a job's CU demand and state size, and to inject
faults. Routes:

    GET    /_emulator/health
    GET    /_emulator/jobs/<id>/timeline      each status change {status, at, desc}, and where a
                                               transition wrote or restored a savepoint its
                                               `savepoint_written` / `restored_from` (None: an empty
                                               start): the emulator's record for tests, DLI reports
                                               neither
    POST   /_emulator/jobs/<id>/load          {"demand_cu": 6, "state_mb": 500}
    POST   /_emulator/jobs/<id>/task-failure  {"again": 0}  a task of the running job fails now (and
                                               the next `again` restarts fail too): DLI's
                                               job_running_exception and restarts (checkpoints.py)
    GET    /_emulator/jobs/<id>/checkpoints   the newest checkpoint DLI wrote for the job, and the
                                               directories of its checkpoint folder
    POST   /_emulator/faults                  {"operation", "count", "status", "error_code", "error_msg",
                                               "skip": calls that pass first}
    POST   /_emulator/faults/delay            {"operation": "show_flink_job" | "*", "seconds": 0.2}
    POST   /_emulator/faults/savepoint        {"count": 1}   the next savepoint(s) fail
    POST   /_emulator/faults/restore          {"count": 1}   the next restore(s) fail
    POST   /_emulator/faults/lost             {"operation", "count", "answer": "error" | "reset" |
                                               "hold" | "late", "status": 504, "seconds": 1.0}
                                               carried out, the answer lost (faults.py says how)
    POST   /_emulator/faults/hide-savepoint   {"count": 1}   the next savepoint(s) go unreported
    POST   /_emulator/faults/neighbour        {"cu": 8}      a neighbour takes CUs before a restore
    DELETE /_emulator/faults                  clear all faults
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
from typing import Any

from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from dli_flink.emulator.checks import long_id, parse_json
from dli_flink.emulator.errors import ApiError, InternalError
from dli_flink.emulator.faults import LOST_ANSWERS, OPERATIONS, Failure, Lost
from dli_flink.emulator.gateway import MAX_BODY, BoundedRequest, read_body
from dli_flink.emulator.models import Backend
from dli_flink.emulator.urls import Digits

URLS = Map(
    [
        Rule("/_emulator/health", methods=["GET"], endpoint="health"),
        Rule("/_emulator/jobs/<digits:job_id>/timeline", methods=["GET"], endpoint="timeline"),
        Rule("/_emulator/jobs/<digits:job_id>/load", methods=["POST"], endpoint="load"),
        Rule(
            "/_emulator/jobs/<digits:job_id>/task-failure",
            methods=["POST"],
            endpoint="task_failure",
        ),
        Rule(
            "/_emulator/jobs/<digits:job_id>/checkpoints", methods=["GET"], endpoint="checkpoints"
        ),
        Rule("/_emulator/faults", methods=["POST"], endpoint="fail"),
        Rule("/_emulator/faults", methods=["DELETE"], endpoint="clear"),
        Rule("/_emulator/faults/delay", methods=["POST"], endpoint="delay"),
        Rule("/_emulator/faults/savepoint", methods=["POST"], endpoint="savepoint"),
        Rule("/_emulator/faults/restore", methods=["POST"], endpoint="restore"),
        Rule("/_emulator/faults/lost", methods=["POST"], endpoint="lost"),
        Rule("/_emulator/faults/hide-savepoint", methods=["POST"], endpoint="hide"),
        Rule("/_emulator/faults/neighbour", methods=["POST"], endpoint="neighbour"),
    ],
    converters={"digits": Digits},
)
THROTTLED = "APIGW.0308"
# The emulator's own limits (no DLI source applies to its admin API): a count, a CU demand or a state
# size fits a 32-bit int, far above any test's need, so durations computed from them stay finite; a
# delay of at most an hour outlasts any client timeout (the SDK's default read timeout is 120 s) and
# stays within what time.sleep accepts.
MAX_INT = 2**31 - 1
MAX_DELAY_SECONDS = 3600


class AdminError(Exception):
    """A bad admin request: answered 400 with the message."""


def _answer(status: int, payload: Any) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = body.get(name, default)
    if value is not None and (
        not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT
    ):
        raise AdminError(f"{name} must be a whole number from 0 to {MAX_INT}")
    return value


def _text(body: dict[str, Any], name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise AdminError(f"{name} must be a string")
    return value


def _seconds(body: dict[str, Any], default: float | None) -> float:
    seconds = body.get("seconds", default)
    number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not number or not math.isfinite(seconds) or not 0 <= seconds <= MAX_DELAY_SECONDS:
        raise AdminError(f"seconds must be a number from 0 to {MAX_DELAY_SECONDS}")
    return float(seconds)


def handle(backend: Backend, request: BoundedRequest) -> Response:
    if not ipaddress.ip_address(request.remote_addr or "0.0.0.0").is_loopback:
        return _answer(403, {"error": "the admin API answers loopback clients only"})
    try:
        endpoint, args = URLS.bind_to_environ(request.environ).match()
    except HTTPException as error:
        return _answer(
            error.code or 404, {"error": f"no admin route {request.method} {request.path}"}
        )
    try:
        body = parse_json(read_body(request) or b"{}", "the body")
        if not isinstance(body, dict):
            raise AdminError("the body must be a JSON object")
        if "job_id" in args:
            args["job_id"] = long_id(args["job_id"], "job_id")
        return _answer(200, _dispatch(backend, endpoint, body, **args))
    except AdminError as error:
        return _answer(400, {"error": str(error)})
    except RequestEntityTooLarge:
        return _answer(413, {"error": f"the body is larger than {MAX_BODY} bytes"})
    except BadRequest as error:
        return _answer(400, {"error": error.description})
    except ApiError as error:
        return _answer(error.status, {"error": error.message, "error_code": error.code})
    except Exception as error:  # a bug here must still answer in JSON, as the DLI API does
        logging.getLogger(__name__).exception("internal error in admin %s", endpoint)
        return _answer(500, {"error": f"internal error: {error}"})


def _dispatch(backend: Backend, endpoint: str, body: dict[str, Any], **args: Any) -> Any:
    faults = backend.faults
    if endpoint == "health":
        return {
            "status": "ok",
            "project_id": backend.settings.project_id,
            "jobs": backend.job_count(),
            "speed": backend.settings.speed,
            "queues": backend.settings.queues,
            "authorized_buckets": backend.authorized_buckets(),
        }
    if endpoint == "timeline":
        return {"job_id": args["job_id"], "timeline": backend.timeline(args["job_id"])}
    if endpoint == "load":
        backend.set_load(args["job_id"], _int(body, "demand_cu"), _int(body, "state_mb"))
        return {"ok": True}
    if endpoint == "task_failure":
        backend.fail_task(args["job_id"], _int(body, "again", 0) or 0)
        return {"ok": True}
    if endpoint == "checkpoints":
        return backend.checkpoints(args["job_id"])
    if endpoint == "clear":
        faults.clear()
        return {"ok": True}
    if endpoint in ("savepoint", "restore"):
        count = _int(body, "count", 1)
        (faults.fail_next_savepoints if endpoint == "savepoint" else faults.fail_next_restores)(
            count
        )
        return {"ok": True}
    if endpoint == "hide":
        faults.hide_next_savepoints(_int(body, "count", 1) or 1)
        return {"ok": True}
    if endpoint == "neighbour":
        faults.neighbour_before_next_restore(_int(body, "cu", 1) or 1)
        return {"ok": True}
    operation = body.get("operation")
    if operation not in OPERATIONS and not (endpoint == "delay" and operation == "*"):
        raise AdminError(f"operation must be one of {', '.join(OPERATIONS)}")
    if endpoint == "delay":
        faults.delay(operation, _seconds(body, None))
        return {"ok": True}
    if endpoint == "lost":
        answer = _text(body, "answer", "error")
        if answer not in LOST_ANSWERS:
            raise AdminError(f"answer must be one of {', '.join(LOST_ANSWERS)}")
        status = _int(body, "status", 504) or 504
        if not 500 <= status <= 599:
            raise AdminError("status must be a server error, 500 to 599: DLI acted")
        lost = Lost(_int(body, "count", 1) or 1, answer, status, _seconds(body, 1.0))
        faults.lose(operation, lost)
        return {"ok": True}
    status = _int(body, "status", 500)
    if status != 200 and not 400 <= status <= 599:
        raise AdminError(
            'status must be 200 (an is_success "false" answer) or an error status, 400 to 599'
        )
    default_code = THROTTLED if status == 429 else InternalError.code
    failure = Failure(
        remaining=_int(body, "count", 1) or 1,
        status=status,
        error_code=_text(body, "error_code", default_code),
        error_msg=_text(body, "error_msg", f"Injected fault: HTTP {status}"),
        skip=_int(body, "skip", 0) or 0,
    )
    faults.fail(operation, failure)
    return {"ok": True}
