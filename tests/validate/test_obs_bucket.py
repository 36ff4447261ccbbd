"""obsBucket must be an OBS bucket name: the schema refuses what OBS (and so DLI) would, saying the rule."""

from __future__ import annotations

import json

import pytest
import yaml
from dli_flink.cli.validate import validate
from dli_flink.model import schema
from dli_flink.rules import config as configuration

from tests.bucket_names import BAD_BUCKETS, GOOD_BUCKETS
from tests.validate.jobs import VALID_SQL_JOB


def _findings(write, bucket: str) -> list:
    text = VALID_SQL_JOB.replace("obsBucket: my-bucket", f"obsBucket: {json.dumps(bucket)}")
    return validate([write("job.yaml", text)], configuration.Config()).findings


@pytest.mark.parametrize("bucket", BAD_BUCKETS)
def test_invalid_bucket_names_are_a_schema_error_that_says_the_rule(write, bucket: str) -> None:
    findings = [f for f in _findings(write, bucket) if f.rule == "schema"]
    assert [f.line for f in findings] == [8], findings
    message = findings[0].message
    assert message.startswith("obsBucket must be an OBS bucket name"), message
    for part in ("3 to 63", "lowercase letters, digits, '-' and '.'", "IP address"):
        assert part in message
    assert not schema.is_valid({**yaml.safe_load(VALID_SQL_JOB), "obsBucket": bucket})


@pytest.mark.parametrize("bucket", GOOD_BUCKETS)
def test_valid_bucket_names_pass(write, bucket: str) -> None:
    assert [f for f in _findings(write, bucket) if f.rule == "schema"] == []
    assert schema.is_valid({**yaml.safe_load(VALID_SQL_JOB), "obsBucket": bucket})
