"""Request bodies: at most the API gateway's 12 MB, answered 413 beyond it; the headers' part of the
signature is checked before any body is read, so an unauthenticated client costs no memory."""

from __future__ import annotations

import json
import signal

import pytest

from tests.emulator.wire import (
    Process,
    chunked,
    memory_kib,
    raw_call,
    signed_headers,
    zeros,
)

LIMIT = 12 * 1024 * 1024
MIB = 1024 * 1024


def create_path(emulator) -> str:
    return f"/v1.0/{emulator.project_id}/streaming/sql-jobs"


def unsigned_headers(emulator, length: int) -> dict[str, str]:
    return {
        "Host": emulator.endpoint.removeprefix("http://"),
        "Content-Type": "application/json",
        "X-Project-Id": emulator.project_id,
        "Content-Length": str(length),
    }


def test_an_unsigned_request_announcing_a_huge_body_is_refused_without_reading_it(emulator):
    """The body never comes: an emulator that waited for it would never answer."""
    status, kind, body = raw_call(
        emulator.endpoint, "POST", create_path(emulator), unsigned_headers(emulator, 2**30)
    )
    assert (status, kind) == (401, "application/json")
    assert json.loads(body)["error_code"] == "APIGW.0301"


def test_a_signed_request_announcing_a_body_over_the_limit_is_413_without_reading_it(emulator):
    uri, headers = signed_headers(emulator, create_path(emulator), method="POST", body=b"{}")
    headers["Content-Length"] = str(LIMIT + 1)
    status, kind, body = raw_call(emulator.endpoint, "POST", uri, headers)
    assert (status, kind) == (413, "application/json")
    answer = json.loads(body)
    assert answer["error_code"] == "APIGW.0201"
    assert answer["error_msg"] == "Request entity too large"


def test_a_chunked_body_over_the_limit_is_413(emulator):
    """No Content-Length to check up front: reading stops at the limit."""
    uri, headers = signed_headers(emulator, create_path(emulator), method="POST", body=b"{}")
    headers["Transfer-Encoding"] = "chunked"
    stream = chunked(zeros(LIMIT + MIB))
    status, kind, body = raw_call(emulator.endpoint, "POST", uri, headers, stream)
    assert (status, kind, json.loads(body)["error_code"]) == (413, "application/json", "APIGW.0201")


@pytest.mark.parametrize("framing", ["Content-Length", "chunked"])
def test_a_body_of_exactly_the_limit_is_read_and_signed(emulator, dli_api, framing):
    frame = json.dumps(
        {
            "name": "at-the-limit",
            "queue_name": "default",
            "run_mode": "exclusive_cluster",
            "desc": "",
        }
    ).encode()
    body = frame.replace(b'"desc": ""', b'"desc": "' + b"x" * (LIMIT - len(frame)) + b'"')
    assert len(body) == LIMIT
    uri, headers = signed_headers(emulator, create_path(emulator), method="POST", body=body)
    if framing == "chunked":
        headers["Transfer-Encoding"] = "chunked"
        stream = chunked(body[i : i + MIB] for i in range(0, LIMIT, MIB))
    else:
        headers["Content-Length"] = str(len(body))
        stream = iter([body])
    status, _, answer = raw_call(emulator.endpoint, "POST", uri, headers, stream)
    assert status == 200, answer[:300]
    assert [job["name"] for job in dli_api.list_jobs()] == ["at-the-limit"]


def test_an_unsigned_256_mib_body_costs_the_emulator_no_memory(tmp_path, processes):
    """The issue's case, smaller: the emulator (its own process, so its memory alone is measured)
    answers 401 and its peak memory grows by far less than the body."""
    process = Process(tmp_path / "data")
    processes.append(process)
    emulator = process.emulator
    assert emulator.admin.health()["status"] == "ok"
    before = memory_kib(process.proc.pid)
    status, kind, _ = raw_call(
        emulator.endpoint,
        "POST",
        create_path(emulator),
        unsigned_headers(emulator, 256 * MIB),
        zeros(256 * MIB),
    )
    grown = memory_kib(process.proc.pid)["VmHWM"] - before["VmHWM"]
    assert (status, kind) == (401, "application/json")
    assert grown < 48 * 1024, f"peak memory grew by {grown} KiB"
    assert emulator.admin.health()["status"] == "ok"
    assert process.stop(signal.SIGTERM) == 0


def test_the_admin_api_has_the_same_limit(emulator):
    headers = unsigned_headers(emulator, LIMIT + 1)
    status, kind, body = raw_call(emulator.endpoint, "POST", "/_emulator/faults", headers)
    assert (status, kind) == (413, "application/json")
    assert "larger than" in json.loads(body)["error"]


def test_a_malformed_chunked_body_is_the_gateways_400_in_json(emulator):
    uri, headers = signed_headers(emulator, create_path(emulator), method="POST", body=b"{}")
    headers["Transfer-Encoding"] = "chunked"
    for body in (b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n"):
        status, kind, answer = raw_call(emulator.endpoint, "POST", uri, headers, [body])
        assert (status, kind) == (400, "application/json"), answer
        assert json.loads(answer)["error_code"] == "APIGW.0201"
    admin = {"Host": headers["Host"], "Transfer-Encoding": "chunked"}
    status, kind, answer = raw_call(emulator.endpoint, "POST", "/_emulator/faults", admin, [body])
    assert (status, kind) == (400, "application/json"), answer
    assert "chunked" in json.loads(answer)["error"]
