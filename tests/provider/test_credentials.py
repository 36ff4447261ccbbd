"""Credentials as the README tells users to set them: none is readable in the stack's state.

The engine stores the whole stack config as the inputs of the default provider resource, in plain
text unless set with --secret (tests/engine.py `Engine.checkpoint`, after default_providers.go and
target.go). So what the README's commands do decides whether the access key sits in the state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.engine import Engine, ProviderHost, host_env
from tests.provider.conftest import Shared, sql_job, stack_config

README = Path(__file__).resolve().parents[2] / "README.md"
CONFIG_SET = re.compile(r"^pulumi config set (--secret )?(dli-flink:\w+) ", re.MULTILINE)


def readme_config() -> dict[str, bool]:
    """The stack config keys the README's Pulumi section sets, and whether with --secret."""
    return {key: bool(secret) for secret, key in CONFIG_SET.findall(README.read_text("utf-8"))}


def test_the_readme_s_config_commands_keep_every_credential_out_of_plain_state(
    shared: Shared, blob: str, tmp_path: Path
) -> None:
    commands = readme_config()
    assert {"dli-flink:accessKey", "dli-flink:secretKey"} <= commands.keys()
    config = {**stack_config(shared.emulator), "dli-flink:region": "cn-north-4"}
    config = {key: value for key, value in config.items() if key in commands}
    config["dli-flink:endpoint"] = shared.emulator.endpoint  # the README's alternative to region
    secret = [key for key, is_secret in commands.items() if is_secret]
    host = ProviderHost(tmp_path, host_env(), config, secret=secret)
    try:
        stack = Engine(host, blob)
        job = sql_job()
        assert stack.up([job])[job.urn].error is None
        state = stack.checkpoint()
    finally:
        host.close()
    for credential in (shared.emulator.access_key, shared.emulator.secret_key):
        assert credential not in state


def test_pipelines_can_keep_credentials_out_of_the_stack_config(
    shared: Shared, blob: str, tmp_path: Path
) -> None:
    """The HUAWEICLOUD_SDK_* variables the README recommends for pipelines: nothing in the state."""
    emulator: Any = shared.emulator
    env = {
        "HUAWEICLOUD_SDK_AK": emulator.access_key,
        "HUAWEICLOUD_SDK_SK": emulator.secret_key,
        "HUAWEICLOUD_SDK_PROJECT_ID": emulator.project_id,
    }
    host = ProviderHost(tmp_path, host_env(env), {"dli-flink:endpoint": emulator.endpoint})
    try:
        stack = Engine(host, blob)
        job = sql_job()
        assert stack.up([job])[job.urn].error is None
        state = stack.checkpoint()
    finally:
        host.close()
    for credential in env.values():
        assert credential not in state
