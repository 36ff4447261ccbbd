"""DLI's routes: the Flink job API under /v1.0/<project_id> and its tag API under
/v3/<project_id>, each rule's endpoint named as the official
SDK's DliClient method is (the `responses.DliApp` method that answers it, and the operation name that
the admin API's fault injection takes).

The admin API's own routes under /_emulator/ stay in `admin`: they are the emulator's, not DLI's.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, Map, Rule


class Digits(BaseConverter):
    """A job id in the path, kept as its ASCII digits: DLI, not the gateway's routing, reads it as a
    Long (`checks.long_id`), so one too long for that is DLI's DLI.0001 after the signature check,
    not a 500 from converting 5,000 digits while routing."""

    regex = "[0-9]+"


P = "/v1.0/<project_id>"
V3 = "/v3/<project_id>"
T = f"{V3}/<resource_type>/<resource_id>"
URLS = Map(
    [
        Rule(f"{P}/streaming/sql-jobs", methods=["POST"], endpoint="create_flink_sql_job"),
        Rule(
            f"{P}/streaming/sql-jobs/<digits:job_id>",
            methods=["PUT"],
            endpoint="update_flink_sql_job",
        ),
        Rule(f"{P}/streaming/flink-jobs", methods=["POST"], endpoint="create_flink_jar_job"),
        Rule(
            f"{P}/streaming/flink-jobs/<digits:job_id>",
            methods=["PUT"],
            endpoint="update_flink_jar_job",
        ),
        Rule(f"{P}/streaming/jobs/run", methods=["POST"], endpoint="batch_run_flink_jobs"),
        Rule(f"{P}/streaming/jobs/stop", methods=["POST"], endpoint="batch_stop_flink_jobs"),
        Rule(f"{P}/streaming/jobs/delete", methods=["POST"], endpoint="batch_delete_flink_jobs"),
        Rule(f"{P}/streaming/jobs", methods=["GET"], endpoint="list_flink_jobs"),
        Rule(f"{P}/streaming/jobs/<digits:job_id>", methods=["GET"], endpoint="show_flink_job"),
        Rule(
            f"{P}/streaming/jobs/<digits:job_id>", methods=["DELETE"], endpoint="delete_flink_job"
        ),
        Rule(
            f"{P}/streaming/jobs/<digits:job_id>/savepoint",
            methods=["POST"],
            endpoint="execute_flink_job_savepoint",
        ),
        Rule(
            f"{P}/streaming/jobs/<digits:job_id>/import-savepoint",
            methods=["POST"],
            endpoint="import_flink_job_savepoint",
        ),
        Rule(f"{P}/dli/obs-authorize", methods=["POST"], endpoint="register_bucket"),
        # DLI's v3 resource tag API (emulator/tags.py cites the API reference pages).
        Rule(f"{T}/tags/create", methods=["POST"], endpoint="batch_create_resource_tags"),
        Rule(f"{T}/tags/delete", methods=["POST"], endpoint="batch_delete_resource_tags"),
        Rule(f"{T}/tags", methods=["GET"], endpoint="show_resource_tags"),
        Rule(
            f"{V3}/<resource_type>/resource-instances/filter",
            methods=["POST"],
            endpoint="list_resources_by_tags",
        ),
        Rule(
            f"{V3}/<resource_type>/resource-instances/count",
            methods=["POST"],
            endpoint="count_resources_by_tags",
        ),
    ],
    converters={"digits": Digits},
)
