"""The gateway's SDK-HMAC-SHA256 check: only correctly signed, current, same-project requests get in.

Hand-made requests are signed with the official SDK's own `Signer` (tests/emulator/wire.py), so a
refusal here means the emulator saw a real difference, not a bug in a second signer.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdli.v1 import model as m
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sdk_client
from tests.emulator.wire import signed_call


def jobs_path(emulator) -> str:
    return f"/v1.0/{emulator.project_id}/streaming/jobs"


def test_hand_signed_request_with_query_is_accepted(emulator):
    query = [("name", "a b~c/d"), ("limit", 5), ("show_detail", True)]
    status, body = signed_call(emulator, jobs_path(emulator), query=query)
    assert status == 200 and body["is_success"] == "true"


def test_every_answer_has_a_request_id(emulator):
    for url in (emulator.endpoint + "/_emulator/health", emulator.endpoint + "/nothing"):
        try:
            answer = urllib.request.urlopen(url, timeout=10)
        except urllib.error.HTTPError as error:
            answer = error
        assert len(answer.headers["X-Request-Id"]) == 32


def test_wrong_secret_key_is_refused(emulator):
    with pytest.raises(ClientRequestException) as caught:
        sdk_client(emulator, sk="not-the-secret").list_flink_jobs(m.ListFlinkJobsRequest())
    error = caught.value
    assert (error.status_code, error.error_code) == (401, "APIGW.0301")
    assert error.error_msg.startswith("Incorrect IAM authentication information")
    assert error.request_id


def test_unknown_access_key_is_refused(emulator):
    emulator.access_key = "SOMEONE-ELSE"
    with pytest.raises(ClientRequestException) as caught:
        sdk_client(emulator).list_flink_jobs(m.ListFlinkJobsRequest())
    assert caught.value.error_code == "APIGW.0301"


@pytest.mark.parametrize("skew", [timedelta(minutes=16), -timedelta(minutes=16)])
def test_stale_or_future_date_is_refused(emulator, skew):
    status, body = signed_call(emulator, jobs_path(emulator), date=datetime.now(UTC) + skew)
    assert (status, body["error_code"]) == (401, "APIGW.0301")
    assert "15 minutes" in body["error_msg"]


def test_date_within_fifteen_minutes_is_accepted(emulator):
    date = datetime.now(UTC) - timedelta(minutes=14)
    assert signed_call(emulator, jobs_path(emulator), date=date)[0] == 200


def test_project_header_must_match_the_path(emulator):
    status, body = signed_call(emulator, jobs_path(emulator), project_header="other-project")
    assert (status, body["error_code"]) == (401, "APIGW.0301")


def test_other_project_is_refused(emulator):
    with pytest.raises(ClientRequestException) as caught:
        sdk_client(emulator, project_id="other-project").list_flink_jobs(m.ListFlinkJobsRequest())
    assert caught.value.status_code == 401


def test_body_changed_after_signing_is_refused(emulator):
    path = f"/v1.0/{emulator.project_id}/streaming/sql-jobs"
    body = json.dumps({"name": "signed", "run_mode": "exclusive_cluster"}).encode()
    status, answer = signed_call(
        emulator, path, method="POST", body=body, tamper=json.dumps({"name": "evil"}).encode()
    )
    assert (status, answer["error_code"]) == (401, "APIGW.0301")
    assert signed_call(emulator, path, method="POST", body=body)[0] == 200


def test_unsigned_request_is_refused_but_admin_api_is_open(emulator):
    request = urllib.request.Request(emulator.endpoint + jobs_path(emulator))
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 401
    assert emulator.admin.health()["status"] == "ok"


def test_unknown_route_answers_gateway_404(emulator):
    status, body = signed_call(emulator, f"/v1.0/{emulator.project_id}/streaming/nothing")
    assert (status, body["error_code"]) == (404, "APIGW.0101")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=20),
    queue=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=10),
)
def test_any_query_text_signed_by_the_sdk_is_accepted(emulator, name, queue):
    query = [("name", name), ("queue_name", queue), ("offset", 0)]
    status, body = signed_call(emulator, jobs_path(emulator), query=query)
    assert status == 200, body
    assert body["job_list"]["total_count"] == 0
