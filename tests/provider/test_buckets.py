"""OBS bucket authorisation through a real provider host: the provider authorises the job's bucket
before DLI needs it, and when DLI will not take the bucket the error names the job, the step, the
bucket and the fix the DLI FAQs give (dli_03_0138, dli_03_0045), with nothing created."""

from __future__ import annotations

from tests.engine import Engine
from tests.provider.conftest import Shared, jar_job


def test_a_jar_job_s_bucket_is_authorised_before_its_create(stack: Engine, shared: Shared) -> None:
    """DLI refuses a Jar job whose obs_bucket it was not given (DLI.11016, the emulator models
    it from the API reference): the provider's create succeeds because it authorised it first."""
    job = jar_job(obsBucket="jar-bucket-authorised")
    step = stack.up([job])[job.urn]
    assert step.error is None, step.error.message
    assert "jar-bucket-authorised" in shared.emulator.server.backend.authorized_buckets()


def test_a_bucket_dli_will_not_take_names_the_step_and_the_fix(
    stack: Engine, shared: Shared
) -> None:
    admin = shared.emulator.admin
    # The FAQ's answer to authorising without DLI's service authorisation (dli_03_0138).
    admin.fail("register_bucket", status=500, count=5, error_code="DLI.10001", error_msg="None.get")
    job = jar_job(obsBucket="jar-bucket-refused")
    message = stack.up([job])[job.urn].error.message
    assert f"job {job.name}: authorise the OBS bucket jar-bucket-refused failed" in message
    assert "register_bucket DLI.10001" in message
    assert "Global Configuration > Service Authorization" in message
    assert "nothing was changed" in message
    assert shared.api.list_jobs(name=job.name) == []
    admin.clear_faults()

    admin.fail("create_flink_jar_job", status=400, error_code="DLI.11016", error_msg="no")
    message = stack.up([job])[job.urn].error.message
    assert "create_flink_jar_job DLI.11016" in message
    assert "DLI does not take obsBucket jar-bucket-refused" in message
    assert "Tenant Administrator (Global service)" in message
    assert "nothing was created" in message
    assert shared.api.list_jobs(name=job.name) == []
