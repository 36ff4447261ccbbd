"""The HTTP layer: DLI's routes, the gateway's signature check, DLI's JSON shapes and error bodies.

Thin on purpose: it parses a request, calls the backend, and renders the answer exactly as DLI does
(is_success as the string "true", top-level arrays for batch answers, checkpoint_mode as a string in
job_config, nulls where DLI gives them). Every answer carries an X-Request-Id.
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.wrappers import Response

from dli_flink.emulator import admin, tags
from dli_flink.emulator.checks import long_id, parse_json
from dli_flink.emulator.errors import ApiError, InternalError, ParameterError
from dli_flink.emulator.faults import Failure
from dli_flink.emulator.gateway import BoundedRequest, read_body
from dli_flink.emulator.models import Backend
from dli_flink.emulator.signing import SignatureError, check_headers, verify
from dli_flink.emulator.urls import URLS

BATCH = frozenset({"batch_run_flink_jobs", "batch_stop_flink_jobs", "batch_delete_flink_jobs"})
CHECKPOINT_MODES = {1: "exactly_once", 2: "at_least_once"}
JOB_CONFIG_FIELDS = (
    "checkpoint_enabled",
    "checkpoint_interval",
    "log_enabled",
    "obs_bucket",
    "smn_topic",
    "edge_group_ids",
    "manager_cu_number",
    "cu_number",
    "parallel_number",
    "restart_when_exception",
    "idle_state_retention",
    "udf_jar_url",
    "dirty_data_strategy",
    "entrypoint",
    "dependency_jars",
    "dependency_files",
    "execution_agency_urn",
    "resume_checkpoint",
    "runtime_config",
    "flink_log_config",
    "resume_max_num",
    "checkpoint_path",
    "tm_cus",
    "tm_slot_num",
    "image",
    "feature",
    "flink_version",
    "operator_config",
    "static_estimator_config",
    "resource_config",
    "resource_config_version",
)


def success(message: str, **extra: Any) -> dict[str, Any]:
    return {"is_success": "true", "message": message, **extra}


def flink_job(job: dict[str, Any], project_id: str, detail: bool = True) -> dict[str, Any]:
    """A FlinkJob as show/list answer it."""
    conf = job["conf"]
    job_config = None
    if detail:
        job_config = {name: conf.get(name) for name in JOB_CONFIG_FIELDS}
        job_config["checkpoint_mode"] = CHECKPOINT_MODES[conf["checkpoint_mode"]]
        running_cu = job["current_cu"]
        job_config["real_cu_number"] = running_cu if running_cu != conf["cu_number"] else 0
        job_config["graph_editor_enabled"] = False
    # A savepoint hidden by the fault of that name is held, and restored from, but not reported.
    reported_savepoint = None if job.get("savepoint_hidden") else job["savepoint_path"]
    return {
        "job_id": job["job_id"],
        "name": conf["name"],
        "desc": conf.get("desc", ""),
        "user_name": "emulator",
        "job_type": conf["job_type"],
        "status": job["status"],
        "status_desc": job["status_desc"],
        "create_time": job["create_time"],
        "start_time": job["start_time"],
        "duration": None,
        "root_id": -1,
        "user_id": None,
        "project_id": project_id,
        "sql_body": conf.get("sql_body"),
        "run_mode": conf.get("run_mode", "shared_cluster") if job["kind"] == "sql" else None,
        "main_class": conf.get("main_class"),
        "entrypoint_args": conf.get("entrypoint_args"),
        "execution_graph": None,
        "update_time": job["update_time"],
        "graph_editor_enabled": False,
        "has_savepoint": bool(reported_savepoint),
        "queue_name": conf.get("queue_name"),
        "edge_group_ids": None,
        "restart_times": job["restart_times"],
        "savepoint_path": reported_savepoint,
        "job_config": job_config,
    }


def _job_ids(body: dict[str, Any]) -> list[int]:
    ids = body.get("job_ids")
    if not isinstance(ids, list) or not ids:
        raise ParameterError("job_ids must be a non-empty list of job ids")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ParameterError("job_ids must be integers")
    return ids


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ParameterError(f"{name} must be a boolean")
    return value


def _reset(environ: dict[str, Any]) -> None:
    """Break the connection under the request (RST, not FIN: SO_LINGER 0), as a dropped network
    does; the server's own write of the answer then fails quietly."""
    connection = environ["werkzeug.socket"]
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.shutdown(socket.SHUT_RDWR)


class DliApp:
    """The WSGI application: admin API under /_emulator/, the signed DLI API under /v1.0/."""

    def __init__(self, backend: Backend, credentials: Mapping[str, str]) -> None:
        self.backend = backend
        self.credentials = dict(credentials)
        self.project_id = backend.settings.project_id

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # The body is read only once the headers are known to be worth it, and never past
        # gateway.MAX_BODY. What is left unread the server drains after the answer, 10 MB at a time
        # (werkzeug's WSGIRequestHandler; it closes every connection, so no next request is lost).
        request = BoundedRequest(environ)
        request_id = uuid.uuid4().hex
        if request.path.startswith("/_emulator/"):
            response = admin.handle(self.backend, request)
        else:
            response = self._dli(request, request_id)
        response.headers["X-Request-Id"] = request_id
        return response(environ, start_response)

    def _dli(self, request: BoundedRequest, request_id: str) -> Response:
        try:
            endpoint, args = URLS.bind_to_environ(request.environ).match()
        except (NotFound, MethodNotAllowed) as error:
            return self._gateway_error(
                error.code or 404, "APIGW.0101", "The API does not exist or has not been published"
            )
        except HTTPException as error:
            return self._gateway_error(error.code or 400, "APIGW.0101", str(error))
        try:
            claim = check_headers(
                headers=request.headers, secrets=self.credentials, now=datetime.now(UTC)
            )
            if request.headers.get("X-Project-Id") != args["project_id"]:
                raise SignatureError("X-Project-Id does not match the project in the path")
            if args["project_id"] != self.project_id:
                raise SignatureError("the access key does not belong to this project")
            body = read_body(request)
            verify(
                claim,
                method=request.method,
                path=request.path,
                raw_query=request.query_string.decode("latin-1"),
                headers=request.headers,
                body=body,
            )
        except SignatureError as error:
            return self._gateway_error(
                401,
                "APIGW.0301",
                f"Incorrect IAM authentication information: {error}",
                request_id,
            )
        except RequestEntityTooLarge:
            return self._gateway_error(413, "APIGW.0201", "Request entity too large", request_id)
        except BadRequest as error:
            message = f"API request error: {error.description}"
            return self._gateway_error(400, "APIGW.0201", message, request_id)
        delay = self.backend.faults.delay_for(endpoint)
        if delay:
            time.sleep(delay)
        failure = self.backend.faults.take_failure(endpoint)
        if failure is not None:
            return self._failure(endpoint, failure, request_id)
        args.pop("project_id")
        act = functools.partial(self._act, endpoint, body, request.args, args)
        lost = self.backend.faults.take_lost(endpoint)
        if lost is None:
            return act()
        if lost.answer == "late":
            threading.Timer(lost.seconds, act).start()
        else:
            answer = act()
        if lost.answer == "hold":
            time.sleep(lost.seconds)
            return answer
        if lost.answer == "reset":
            _reset(request.environ)
        return self._json(
            lost.status, {"error_code": "APIG.0201", "error_msg": "Backend timeout (injected)"}
        )

    def _act(self, endpoint: str, body: bytes, query: Any, args: dict[str, Any]) -> Response:
        """Carry out a DLI call that passed the gateway: its answer, or DLI's error answer."""
        try:
            payload = parse_json(body, "The request body") if body else {}
            if not isinstance(payload, dict):
                raise ParameterError("The request body must be a JSON object")
            if "job_id" in args:
                args["job_id"] = long_id(args["job_id"], "job_id")
            if "resource_id" in args:
                args["job_id"] = tags.resource(args.pop("resource_type"), args.pop("resource_id"))
            elif "resource_type" in args:
                tags.check_type(args.pop("resource_type"))
            answer = getattr(self, endpoint)(payload, query, **args)
        except ApiError as error:
            return self._error(error)
        except Exception as error:  # a bug here must still answer like a server, not hang a client
            logging.getLogger(__name__).exception("internal error in %s", endpoint)
            return self._error(InternalError(f"Internal error: {error}"))
        if answer is None:  # the tag API's 204 "The modification is successful", no body
            return Response(status=204)
        return self._json(200, answer)

    # -- answers ----------------------------------------------------------------------------------

    @staticmethod
    def _json(status: int, payload: Any) -> Response:
        return Response(json.dumps(payload), status=status, content_type="application/json")

    def _error(self, error: ApiError) -> Response:
        return self._json(error.status, {"error_code": error.code, "error_msg": error.message})

    def _gateway_error(
        self, status: int, code: str, message: str, request_id: str | None = None
    ) -> Response:
        return self._json(
            status, {"error_msg": message, "error_code": code, "request_id": request_id or ""}
        )

    def _failure(self, endpoint: str, failure: Failure, request_id: str) -> Response:
        if failure.status == 200:
            element = {
                "is_success": "false",
                "message": f"{failure.error_code}: {failure.error_msg}",
            }
            return self._json(200, [element] if endpoint in BATCH else element)
        if failure.error_code.startswith("APIGW."):
            return self._gateway_error(
                failure.status, failure.error_code, failure.error_msg, request_id
            )
        return self._json(
            failure.status, {"error_code": failure.error_code, "error_msg": failure.error_msg}
        )

    # -- operations -------------------------------------------------------------------------------

    def _created(self, job: dict[str, Any]) -> dict[str, Any]:
        status = {"job_id": job["job_id"], "status_name": job["status"], "status_desc": ""}
        return success("A DLI job is created successfully.", job=status)

    def create_flink_sql_job(self, body: Any, query: Any) -> dict[str, Any]:
        return self._created(self.backend.create_job("sql", body))

    def create_flink_jar_job(self, body: Any, query: Any) -> dict[str, Any]:
        return self._created(self.backend.create_job("jar", body))

    def update_flink_sql_job(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        update_time = self.backend.update_job("sql", job_id, body)
        return success("The job is updated successfully.", job={"update_time": update_time})

    def update_flink_jar_job(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        update_time = self.backend.update_job("jar", job_id, body)
        return success("The job is updated successfully.", job={"update_time": update_time})

    def batch_run_flink_jobs(self, body: Any, query: Any) -> list[dict[str, Any]]:
        ids = _job_ids(body)
        self.backend.run_jobs(ids, _flag(body, "resume_savepoint"))
        return [success("The request for submitting DLI jobs is delivered successfully.")] * len(
            ids
        )

    def batch_stop_flink_jobs(self, body: Any, query: Any) -> list[dict[str, Any]]:
        ids = _job_ids(body)
        self.backend.stop_jobs(ids, _flag(body, "trigger_savepoint"))
        return [success("The request for stopping DLI jobs is delivered successfully.")] * len(ids)

    def batch_delete_flink_jobs(self, body: Any, query: Any) -> list[dict[str, Any]]:
        ids = _job_ids(body)
        self.backend.delete_jobs(ids)
        return [success("The job is deleted successfully.")] * len(ids)

    def delete_flink_job(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        self.backend.delete_jobs([job_id])
        return success("The job is deleted successfully.")

    def show_flink_job(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        job = flink_job(self.backend.get_job(job_id), self.project_id)
        return success("Querying of the job details succeeds.", job_detail=job)

    def list_flink_jobs(self, body: Any, query: Any) -> dict[str, Any]:
        try:
            offset = int(query.get("offset", 0))
            limit = int(query.get("limit", 10))
        except ValueError as error:
            raise ParameterError("offset and limit must be integers") from error
        if offset < 0 or not 1 <= limit <= 100:
            raise ParameterError("offset must be >= 0 and limit between 1 and 100")
        order = query.get("order", "desc_by_job_id")
        if order not in ("desc_by_job_id", "asc_by_job_id"):
            raise ParameterError("order must be asc_by_job_id or desc_by_job_id")
        tags = {}
        for pair in filter(None, query.get("tags", "").split(",")):
            key, sep, value = pair.partition("=")
            if not sep:
                raise ParameterError("tags must be k=v pairs separated by commas")
            tags[key] = value
        total, jobs = self.backend.list_jobs(
            name=query.get("name"),
            status=query.get("status"),
            job_type=query.get("job_type"),
            queue_name=query.get("queue_name"),
            tags=tags,
            offset=offset,
            limit=limit,
            ascending=order == "asc_by_job_id",
        )
        detail = query.get("show_detail", "false").lower() == "true"
        rendered = [flink_job(j, self.project_id, detail) for j in jobs]
        return success(
            "Querying of the job list succeeds.",
            job_list={"total_count": total, "jobs": rendered},
        )

    def execute_flink_job_savepoint(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        self.backend.trigger_savepoint(job_id, body.get("action"), body.get("savepoint_path"))
        return success("The request for triggering a savepoint is delivered successfully.")

    def import_flink_job_savepoint(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        if body.get("job_id", job_id) != job_id:
            raise ParameterError("job_id in the body does not match the path")
        self.backend.import_savepoint(job_id, body.get("savepoint_path"))
        return success("The savepoint is imported successfully.")

    def register_bucket(self, body: Any, query: Any) -> dict[str, Any]:
        self.backend.register_buckets(body.get("obs_buckets"))
        return success("The OBS buckets are authorized successfully.")

    # -- tags (emulator/tags.py cites the API reference pages) ------------------------------------

    def batch_create_resource_tags(self, body: Any, query: Any, job_id: int) -> None:
        added = tags.tag_list(body, delete=False)
        self.backend.retag(job_id, lambda held: tags.added(held, added))

    def batch_delete_resource_tags(self, body: Any, query: Any, job_id: int) -> None:
        gone = tags.tag_list(body, delete=True)
        self.backend.retag(job_id, lambda held: tags.deleted(held, gone))

    def show_resource_tags(self, body: Any, query: Any, job_id: int) -> dict[str, Any]:
        """dli_02_0501: {tags: [{key, value}], count} (SDK ShowResourceTagsResponse)."""
        limit, offset = tags.page(query)
        held = self.backend.job_tags(job_id)
        return {"tags": held[offset : offset + limit], "count": len(held)}

    def list_resources_by_tags(self, body: Any, query: Any) -> dict[str, Any]:
        """dli_02_0399: {resources: [Resource], total_count}, a page of the matching jobs."""
        limit, offset = tags.page(query)
        selects = tags.matcher(body)
        found = [tags.instance(*job) for job in self.backend.tagged() if selects(*job[1:])]
        return {"resources": found[offset : offset + limit], "total_count": len(found)}

    def count_resources_by_tags(self, body: Any, query: Any) -> dict[str, Any]:
        """dli_02_0398: {total_count} of the matching jobs."""
        selects = tags.matcher(body)
        return {"total_count": sum(1 for job in self.backend.tagged() if selects(*job[1:]))}
