"""Fixtures for the provider tests: a started emulator, the provider host the engine would start, and
the stand-in engine (tests/engine.py) between them.

Nothing is faked: the provider runs in its own process (`python -m pulumi.dynamic`), reaches the
emulator over HTTP with requests signed by the official SDK, and gets its settings from the stack
config through Configure, as under `pulumi up`.

    engine   a fresh stack on its own emulator and host (for tests that kill or slow them)
    stack    a fresh stack on the module's shared emulator and host (`shared`): one host serves every
             resource of a stack under `pulumi up` too, and unique job names keep tests apart
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningEmulator, api_for, start_emulator
from tests.engine import Engine, ProviderHost, Resource, host_env, provider_blob

SQL_TYPE = "pulumi-python:dynamic/dli:FlinkSqlJob"
JAR_TYPE = "pulumi-python:dynamic/dli:FlinkJarJob"
_names = itertools.count()


def stack_config(emulator: RunningEmulator) -> dict[str, str]:
    return {
        "dli-flink:endpoint": emulator.endpoint,
        "dli-flink:obsEndpoint": emulator.endpoint,  # the emulator serves OBS too (emulator/obs.py)
        "dli-flink:projectId": emulator.project_id,
        "dli-flink:accessKey": emulator.access_key,
        "dli-flink:secretKey": emulator.secret_key,
    }


@pytest.fixture
def blob() -> str:
    from dli_flink.deploy.provider import JobProvider

    return provider_blob(JobProvider())


@pytest.fixture
def make_host(tmp_path: Path) -> Iterator[Callable[..., ProviderHost]]:
    hosts: list[ProviderHost] = []

    def make(
        config: dict[str, Any] | None = None, env: dict[str, str] | None = None
    ) -> ProviderHost:
        project = tmp_path / "project"
        project.mkdir(exist_ok=True)
        host = ProviderHost(project, host_env(env), config)
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.close()


@pytest.fixture
def engine(emulator: RunningEmulator, make_host: Callable[..., ProviderHost], blob: str) -> Engine:
    return Engine(make_host(stack_config(emulator)), blob)


@dataclass
class Shared:
    """An emulator, a DliApi to look at it, and a provider host configured for it."""

    emulator: RunningEmulator
    api: Any
    host: ProviderHost


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    queues = {"default": 100_000, "flink_q": 64}  # flink_q: the examples' queue
    emulator = start_emulator(tmp_path_factory.mktemp("emulator"), queues=queues)
    host = ProviderHost(tmp_path_factory.mktemp("project"), host_env(), stack_config(emulator))
    yield Shared(emulator, api_for(emulator), host)
    host.close()
    emulator.server.close()


@pytest.fixture
def stack(shared: Shared, blob: str) -> Iterator[Engine]:
    """An empty stack on the shared host; faults a test injected are cleared after it."""
    yield Engine(shared.host, blob)
    shared.emulator.admin.clear_faults()


def sql_job(name: str | None = None, **overrides: Any) -> Resource:
    """A valid Flink OpenSource SQL job with scaling on queue "default"; keywords override keys."""
    name = name or f"job-{next(_names)}"
    document = {
        "kind": "FlinkSqlJob",
        "name": name,
        "queue": "default",
        "flinkVersion": "1.15",
        "agency": "dli_flink_agency",
        "sql": "INSERT INTO sink SELECT * FROM source",
        "resources": {"cu": 4, "parallelism": 2},
        "checkpoint": {"enabled": True, "intervalSeconds": 60},
        "obsBucket": "bucket",
        "logEnabled": True,
        "scaling": {"enabled": True, "intervalMinutes": 30, "cuMin": 2, "cuMax": 8},
        **overrides,
    }
    return Resource(SQL_TYPE, name, document)


def jar_job(name: str | None = None, **overrides: Any) -> Resource:
    """A valid Flink Jar job on queue "default"; keywords override keys."""
    name = name or f"jar-{next(_names)}"
    document = {
        "kind": "FlinkJarJob",
        "name": name,
        "queue": "default",
        "flinkVersion": "1.15",
        "agency": "dli_flink_agency",
        "jar": {"entrypoint": "obs://bucket/app.jar", "mainClass": "com.example.App"},
        "resources": {"cu": 4, "parallelism": 2},
        "checkpoint": {"enabled": True},
        "obsBucket": "bucket",
        "logEnabled": True,
        **overrides,
    }
    return Resource(JAR_TYPE, name, document)
