"""DLI's v3 tag API for Flink jobs, through the official SDK over real HTTP: the tags a job was created
with read back, edited in place and filtering list_flink_jobs, each rule as the API reference pages
state it (emulator/tags.py cites them)."""

from __future__ import annotations

import json

import pytest
from dli_flink.deploy.dliapi import DliError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.test_hostile_input import VALUES
from tests.emulator.wire import signed_call


def _tags(client, job_id: int, model: str = "ShowResourceTagsRequest", **extra):
    from huaweicloudsdkdli.v1 import model as m

    request = getattr(m, model)(resource_type="dli_flink_job", resource_id=str(job_id), **extra)
    return client.show_resource_tags(request)


def test_tags_set_at_create_read_back_and_change_without_touching_the_job(
    dli_api, dli_client, job_body, wait_status, admin
) -> None:
    job_id = dli_api.create_sql_job(job_body(tags=[{"key": "team", "value": "data"}]))
    dli_api.run_jobs([job_id])
    running = wait_status(dli_api, job_id, "job_running")
    answer = _tags(dli_client, job_id)
    assert answer.count == 1 and answer.tags[0].to_dict() == {"key": "team", "value": "data"}

    dli_api.add_tags(job_id, [("team", "payments"), ("cost-centre", "42")])
    assert dli_api.job_tags(job_id) == {"team": "payments", "cost-centre": "42"}
    assert [j["job_id"] for j in dli_api.list_jobs(tags="team=payments")] == [job_id]
    assert dli_api.list_jobs(tags="team=data") == []

    dli_api.delete_tags(job_id, [("cost-centre", "42")])
    dli_api.delete_tags(job_id, [("never-set", "x")])  # "the deletion is successful"
    assert dli_api.job_tags(job_id) == {"team": "payments"}
    after = dli_api.show_job(job_id)
    assert after["status"] == "job_running"
    assert after["update_time"] == running["update_time"]
    assert admin.statuses(job_id) == ["job_init", "job_submitting", "job_running"]


def test_the_api_references_rules_are_refused_with_dli_0001(emulator, dli_api, job_body) -> None:
    job_id = dli_api.create_sql_job(job_body())
    refused = {
        "21 tags": [(f"k{i}", "v") for i in range(21)],
        "a key given twice": [("team", "a"), ("team", "b")],
        "a system key": [("_sys_project", "x")],
        "a key ending in a space": [("team ", "x")],
        "a '/' in a value": [("team", "a/b")],
        "a 129-character key": [("k" * 129, "x")],
        "a 256-character value": [("team", "v" * 256)],
    }
    for why, tags in refused.items():
        with pytest.raises(DliError) as error:
            dli_api.add_tags(job_id, tags)
        assert (error.value.status, error.value.code) == (400, "DLI.0001"), why
    assert dli_api.job_tags(job_id) == {}
    path = f"/v3/{emulator.project_id}/dli_flink_job/{job_id}/tags/create"
    no_value = json.dumps({"tags": [{"key": "team"}]}).encode()
    status, answer = signed_call(emulator, path, method="POST", body=no_value)
    assert (status, answer["error_code"]) == (400, "DLI.0001")
    dli_api.add_tags(job_id, [("Größe", "mittel: 3 + 4 @ eu_1.x"), ("empty", "")])
    assert dli_api.job_tags(job_id) == {"Größe": "mittel: 3 + 4 @ eu_1.x", "empty": ""}


def test_a_missing_job_and_another_resource_type(dli_api, dli_client) -> None:
    with pytest.raises(DliError) as error:
        dli_api.add_tags(99999, [("team", "x")])
    assert error.value.code == "DLI.16001"
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkdli.v1 import model as m

    with pytest.raises(ClientRequestException) as refused:
        dli_client.show_resource_tags(
            m.ShowResourceTagsRequest(resource_type="dli_cluster", resource_id="1")
        )
    assert refused.value.error_code == "DLI.0001"


def test_resource_instances_filter_and_count(dli_api, dli_client, job_body) -> None:
    from huaweicloudsdkdli.v1 import model as m

    a = dli_api.create_sql_job(job_body(name="a-job", tags=[{"key": "team", "value": "x"}]))
    dli_api.create_sql_job(job_body(name="b-job", tags=[{"key": "team", "value": "y"}]))
    c = dli_api.create_sql_job(job_body(name="c-job"))
    wanted = [m.TagWithValues(key="team", values=["x"])]
    found = dli_client.list_resources_by_tags(
        m.ListResourcesByTagsRequest(
            resource_type="dli_flink_job", body=m.ListResourcesByTagsRequestBody(tags=wanted)
        )
    )
    assert found.total_count == 1
    assert (found.resources[0].resource_id, found.resources[0].resource_name) == (str(a), "a-job")
    untagged = dli_client.count_resources_by_tags(
        m.CountResourcesByTagsRequest(
            resource_type="dli_flink_job",
            body=m.CountResourcesByTagsRequestBody(without_any_tag=True),
        )
    )
    assert untagged.total_count == 1
    by_name = dli_client.list_resources_by_tags(
        m.ListResourcesByTagsRequest(
            resource_type="dli_flink_job",
            body=m.ListResourcesByTagsRequestBody(
                matches=[m.Match(key="resource_name", value="c-job")]
            ),
        )
    )
    assert [r.resource_id for r in by_name.resources] == [str(c)]


def test_tags_survive_an_emulator_restart(make_emulator, tmp_path, job_body) -> None:
    from tests.conftest import api_for

    first = make_emulator()
    job_id = api_for(first).create_sql_job(job_body())
    api_for(first).add_tags(job_id, [("team", "data")])
    first.server.close()
    again = make_emulator(data_dir=first.data_dir)
    assert api_for(again).job_tags(job_id) == {"team": "data"}


TAG_ROUTES = ["{id}/tags/create", "{id}/tags/delete", "resource-instances/filter"]


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    route=st.sampled_from(TAG_ROUTES),
    body=st.dictionaries(
        st.sampled_from(["tags", "without_any_tag", "matches"]) | st.text(max_size=4),
        VALUES,
        max_size=3,
    ),
)
def test_any_json_body_to_the_tag_api_gets_dlis_answer_never_a_500(
    emulator, dli_api, job_body, route, body
) -> None:
    job_id = dli_api.create_sql_job(job_body())
    path = f"/v3/{emulator.project_id}/dli_flink_job/" + route.format(id=job_id)
    status, answer = signed_call(emulator, path, method="POST", body=json.dumps(body).encode())
    assert status in (200, 204, 400), answer
    if status == 400:
        assert answer["error_code"].startswith("DLI.") and len(answer["error_msg"]) < 1000
