"""Hostile input is answered as DLI answers bad input: a JSON error (DLI.0001), never a 500 traceback.

Some of these bodies the official SDK cannot even send (it cannot serialise a 5,000-digit integer), so
they go by hand, signed with the SDK's own Signer (tests/emulator/wire.py); what the SDK can send goes
through the SDK.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from dli_flink.deploy.dliapi import DliError
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkdli.v1 import model as m
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.wire import signed_call

HUGE = "1" + "0" * 4999  # a 5,000-digit integer: past Python's 4,300-digit conversion limit
DEEP = 100_000  # nesting far past any parser's recursion limit


def path(emulator: Any, tail: str) -> str:
    return f"/v1.0/{emulator.project_id}/streaming/{tail}"


def post(emulator: Any, tail: str, body: bytes, method: str = "POST") -> tuple[int, dict]:
    return signed_call(emulator, path(emulator, tail), method=method, body=body)


def assert_parameter_error(answer: tuple[int, dict], needle: str = "") -> None:
    status, body = answer
    assert (status, body.get("error_code")) == (400, "DLI.0001"), body
    assert needle in body["error_msg"]


# -- numbers ------------------------------------------------------------------------------------


def test_a_5000_digit_integer_in_a_body_is_a_parameter_error(emulator):
    body = f'{{"name": "huge", "cu_number": {HUGE}}}'.encode()
    assert_parameter_error(post(emulator, "sql-jobs", body), "number")


@pytest.mark.parametrize(
    "value", [2**31, -(2**31) - 1, 10**4000], ids=["2**31", "-2**31-1", "4001-digits"]
)
def test_integers_beyond_dlis_integer_type_are_a_parameter_error(emulator, value):
    """The API reference types these fields Integer (32 bits in DLI's Java service)."""
    body = json.dumps({"name": "big", "checkpoint_interval": value}).encode()
    assert_parameter_error(post(emulator, "sql-jobs", body), "checkpoint_interval")


def test_a_5000_digit_job_id_in_the_path_is_a_parameter_error(emulator, admin):
    assert_parameter_error(signed_call(emulator, path(emulator, f"jobs/{HUGE}")), "job_id")
    assert_parameter_error(
        post(emulator, f"sql-jobs/{HUGE}", b'{"desc": "x"}', method="PUT"), "job_id"
    )
    request = urllib.request.Request(f"{emulator.endpoint}/_emulator/jobs/{HUGE}/timeline")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    assert "job_id" in json.loads(caught.value.read())["error"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_json_number_literals_are_a_parameter_error(emulator, literal):
    body = f'{{"name": "nan", "cu_number": {literal}}}'.encode()
    assert_parameter_error(post(emulator, "sql-jobs", body), "not valid JSON")


# -- nesting ------------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_parameter_error(emulator):
    body = ('{"name": "deep", "tags": ' + "[" * DEEP + "]" * DEEP + "}").encode()
    assert_parameter_error(post(emulator, "sql-jobs", body), "nested")


@pytest.mark.parametrize(
    ("tail", "field"),
    [
        ("sql-jobs", "tags"),
        ("sql-jobs", "resource_config"),
        ("sql-jobs", "edge_group_ids"),
        ("flink-jobs", "dependency_jars"),
        ("jobs/run", "job_ids"),
        ("jobs/{id}/savepoint", "action"),
        ("jobs/{id}/savepoint", "savepoint_path"),
        ("jobs/{id}/import-savepoint", "savepoint_path"),
        ("jobs/{id}/import-savepoint", "job_id"),
        ("jobs/{id}/savepoint", "unknown"),
    ],
)
def test_nesting_that_parses_is_refused_where_dli_takes_flat_values(
    emulator, dli_api, job_body, tail, field
):
    """Nested 900 deep: readable, but no DLI field holds that; refused, never stored or echoed."""
    job_id = dli_api.create_sql_job(job_body())
    nested = "[" * 900 + "]" * 900
    name = {"sql-jobs": '"name": "n1", ', "flink-jobs": '"name": "n2", '}.get(tail, "")
    body = f'{{{name}"{field}": {nested}}}'.encode()
    assert_parameter_error(post(emulator, tail.format(id=job_id), body), "")
    assert [j["name"] for j in dli_api.list_jobs()] == [dli_api.show_job(job_id)["name"]]


def test_container_fields_hold_what_the_sdk_models_say(dli_api, job_body):
    """Tag (key, value strings), ResourceConfig/ResourceSpec and list[str] in the SDK's models."""
    for field, value in [
        ("tags", [{"key": "team", "value": 3}]),
        ("tags", [{"key": "team"}]),
        ("tags", ["team=data"]),
        ("edge_group_ids", [1]),
        ("resource_config", {"max_slot": "1"}),
        ("resource_config", {"jobmanager_resource_spec": {"cpu": "1", "memory": "4G"}}),
        ("resource_config", {"taskmanager_resource_spec": {"cpu": 1, "memory": 4}}),
        ("resource_config", {"nothing": 1}),
    ]:
        with pytest.raises(DliError) as caught:
            dli_api.create_sql_job(job_body(**{field: value}))
        assert caught.value.code == "DLI.0001", (field, value)
        assert field in caught.value.message
    config = {
        "max_slot": 2,
        "parallel_number": 2,
        "jobmanager_resource_spec": {"cpu": 1.0, "memory": "4G"},
        "taskmanager_resource_spec": {"cpu": 2, "memory": "8G"},
    }
    job_id = dli_api.create_sql_job(
        job_body(resource_config=config, tags=[{"key": "k", "value": "v"}], edge_group_ids=["g"])
    )
    assert dli_api.show_job(job_id)["job_config"]["resource_config"] == config


# -- runtime_config -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '[{"key": ["flink.dli.job.scale.enable"], "value": "true"}]',
        '[{"key": {"a": 1}, "value": "true"}]',
        '[{"key": 5, "value": "true"}]',
        "[" * DEEP + "]" * DEEP,
        f'[{{"key": "k", "value": "v", "n": {HUGE}}}]',
    ],
    ids=["list-key", "object-key", "number-key", "deep", "huge-number"],
)
def test_runtime_config_that_is_not_key_value_strings_is_a_parameter_error(dli_api, job_body, text):
    with pytest.raises(DliError) as caught:
        dli_api.create_sql_job(job_body(runtime_config=text))
    assert (caught.value.status, caught.value.code) == (400, "DLI.0001")
    assert "runtime_config" in caught.value.message


# -- the admin API ------------------------------------------------------------------------------


def admin_call(emulator: Any, route: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(f"{emulator.endpoint}/_emulator/{route}", data=body)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        assert error.headers["Content-Type"] == "application/json"
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("seconds", ["1e308", "Infinity", "NaN", "-1", "true", "3601"])
def test_an_unusable_admin_delay_is_a_400(emulator, dli_api, seconds):
    body = f'{{"operation": "*", "seconds": {seconds}}}'.encode()
    status, answer = admin_call(emulator, "faults/delay", body)
    assert status == 400
    assert any(word in answer["error"] for word in ("seconds", "not valid JSON")), answer
    assert dli_api.list_jobs() == [], "no delay was set"


@pytest.mark.parametrize("status", [0, 99, 302, 600, 1000])
def test_an_admin_fault_status_that_is_not_an_error_status_is_a_400(emulator, dli_api, status):
    body = json.dumps({"operation": "list_flink_jobs", "status": status}).encode()
    code, answer = admin_call(emulator, "faults", body)
    assert code == 400 and "status" in answer["error"]
    assert dli_api.list_jobs() == [], "no fault was set"


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("faults", b'{"operation": "list_flink_jobs", "error_code": ' + b"[" * 900 + b"]" * 900),
        ("faults", b'{"operation": "list_flink_jobs", "error_msg": {"a": 1}}'),
        ("faults", b'{"operation": "list_flink_jobs", "count": ' + HUGE.encode() + b"}"),
        ("faults", b"[" * DEEP + b"]" * DEEP),
        ("faults/savepoint", b'{"count": 99999999999999}'),
        ("jobs/10001/load", b'{"state_mb": 1' + b"0" * 400 + b"}"),
        ("faults", b'{"operation": ' + b"[" * 900 + b"]" * 900 + b"}"),
    ],
    ids=["nested-code", "object-msg", "huge-count", "deep", "big-count", "huge-state", "op"],
)
def test_hostile_admin_bodies_are_a_400(emulator, dli_api, job_body, route, body):
    dli_api.create_sql_job(job_body())
    status, answer = admin_call(emulator, route, body)
    assert status == 400, answer
    assert dli_api.list_jobs()


def test_valid_admin_faults_still_work(admin, dli_client):
    for status in (400, 404, 500, 503, 599):
        admin.fail("list_flink_jobs", status=status)
        with pytest.raises((ClientRequestException, ServerResponseException)) as caught:
            dli_client.list_flink_jobs(m.ListFlinkJobsRequest())
        assert caught.value.status_code == status


# -- anything -----------------------------------------------------------------------------------

FIELDS = ["name", "cu_number", "tags", "runtime_config", "obs_bucket", "resource_config"]
FIELDS += ["job_ids", "trigger_savepoint", "resume_savepoint", "action", "savepoint_path"]
FIELDS += ["job_id", "obs_buckets", "queue_name", "manager_cu_number", "parallel_number"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
ROUTES = [
    ("POST", "sql-jobs"),
    ("POST", "flink-jobs"),
    ("PUT", "sql-jobs/{id}"),
    ("PUT", "flink-jobs/{id}"),
    ("POST", "jobs/run"),
    ("POST", "jobs/stop"),
    ("POST", "jobs/delete"),
    ("POST", "jobs/{id}/savepoint"),
    ("POST", "jobs/{id}/import-savepoint"),
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    route=st.sampled_from(ROUTES),
    body=st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), VALUES, max_size=5),
)
def test_any_json_body_gets_dlis_answer_never_a_500(emulator, dli_api, job_body, route, body):
    method, tail = route
    job_id = dli_api.create_sql_job(job_body())
    status, answer = post(emulator, tail.format(id=job_id), json.dumps(body).encode(), method)
    assert status in (200, 400), answer
    if status == 400:
        assert answer["error_code"].startswith("DLI.") and len(answer["error_msg"]) < 1000


def test_a_bug_behind_the_admin_api_answers_500_in_json(emulator, admin, monkeypatch):
    def broken(job_id: int) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(emulator.server.backend, "timeline", broken)
    request = urllib.request.Request(f"{emulator.endpoint}/_emulator/jobs/10001/timeline")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 500
    assert json.loads(caught.value.read()) == {"error": "internal error: boom"}
