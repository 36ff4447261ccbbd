"""The emulator's own admin API under /_emulator/: unsigned, answered only to loopback clients.

Tests and benchmarks use it to read a job's timeline of status transitions (with timestamps, so the
time a job was not running can be measured), to set a job's CU demand and state size, and to inject
faults. Routes:

    GET    /_emulator/health
    GET    /_emulator/jobs/<id>/timeline
    POST   /_emulator/jobs/<id>/load          {"demand_cu": 6, "state_mb": 500}
    POST   /_emulator/faults                  {"operation", "count", "status", "error_code", "error_msg"}
    POST   /_emulator/faults/delay            {"operation": "show_flink_job" | "*", "seconds": 0.2}
    POST   /_emulator/faults/savepoint        {"count": 1}   the next savepoint(s) fail
    POST   /_emulator/faults/restore          {"count": 1}   the next restore(s) fail
    DELETE /_emulator/faults                  clear all faults
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from dli_flink.emulator.errors import ApiError, InternalError
from dli_flink.emulator.faults import OPERATIONS, Failure
from dli_flink.emulator.models import Backend

URLS = Map(
    [
        Rule("/_emulator/health", methods=["GET"], endpoint="health"),
        Rule("/_emulator/jobs/<int:job_id>/timeline", methods=["GET"], endpoint="timeline"),
        Rule("/_emulator/jobs/<int:job_id>/load", methods=["POST"], endpoint="load"),
        Rule("/_emulator/faults", methods=["POST"], endpoint="fail"),
        Rule("/_emulator/faults", methods=["DELETE"], endpoint="clear"),
        Rule("/_emulator/faults/delay", methods=["POST"], endpoint="delay"),
        Rule("/_emulator/faults/savepoint", methods=["POST"], endpoint="savepoint"),
        Rule("/_emulator/faults/restore", methods=["POST"], endpoint="restore"),
    ]
)
THROTTLED = "APIGW.0308"


class AdminError(Exception):
    pass


def _answer(status: int, payload: Any) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = body.get(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise AdminError(f"{name} must be a non-negative integer")
    return value


def handle(backend: Backend, request: Request) -> Response:
    if not ipaddress.ip_address(request.remote_addr or "0.0.0.0").is_loopback:
        return _answer(403, {"error": "the admin API answers loopback clients only"})
    try:
        endpoint, args = URLS.bind_to_environ(request.environ).match()
    except HTTPException as error:
        return _answer(
            error.code or 404, {"error": f"no admin route {request.method} {request.path}"}
        )
    try:
        body = json.loads(request.get_data() or b"{}")
        if not isinstance(body, dict):
            raise AdminError("the body must be a JSON object")
        return _answer(200, _dispatch(backend, endpoint, body, **args))
    except (AdminError, ValueError) as error:
        return _answer(400, {"error": str(error)})
    except ApiError as error:
        return _answer(error.status, {"error": error.message, "error_code": error.code})


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
    if endpoint == "clear":
        faults.clear()
        return {"ok": True}
    if endpoint in ("savepoint", "restore"):
        count = _int(body, "count", 1)
        (faults.fail_next_savepoints if endpoint == "savepoint" else faults.fail_next_restores)(
            count
        )
        return {"ok": True}
    operation = body.get("operation")
    if operation not in OPERATIONS and not (endpoint == "delay" and operation == "*"):
        raise AdminError(f"operation must be one of {', '.join(OPERATIONS)}")
    if endpoint == "delay":
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise AdminError("seconds must be a non-negative number")
        faults.delay(operation, float(seconds))
        return {"ok": True}
    status = _int(body, "status", 500)
    default_code = THROTTLED if status == 429 else InternalError.code
    failure = Failure(
        remaining=_int(body, "count", 1) or 1,
        status=status,
        error_code=str(body.get("error_code", default_code)),
        error_msg=str(body.get("error_msg", f"Injected fault: HTTP {status}")),
    )
    faults.fail(operation, failure)
    return {"ok": True}
