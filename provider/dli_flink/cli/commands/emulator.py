"""Run a local DLI: the Flink job API, signed like the cloud's, with jobs that take time to start and stop.

Point the official SDK (or `dli-flink`, or Pulumi) at the printed endpoint with the emulator's access
key, secret key and project id. State lives in --data-dir and survives restarts; savepoints are files
under DATA_DIR/obs/<bucket>/. Request bodies over 12 MiB are answered 413, as DLI's API gateway does. Settings come from the command line, then --config (YAML or JSON with the
same names: host, port, data_dir, speed, access_key, secret_key, project_id, queues {name: CUs},
durations {submit, cancel, savepoint, restore, per_state_mb}, scaling_flink_versions), then the SDK's
environment variables HUAWEICLOUD_SDK_AK/SK/PROJECT_ID, then the defaults shown.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

HELP = "run a local DLI emulator for tests and dry runs"
DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8780,
    "speed": 1.0,
    "access_key": "EMULATOR-AK",
    "secret_key": "emulator-secret-key",
    "project_id": "emulator-project",
    "queues": {"default": 64},
}
ENV = {
    "access_key": "HUAWEICLOUD_SDK_AK",
    "secret_key": "HUAWEICLOUD_SDK_SK",
    "project_id": "HUAWEICLOUD_SDK_PROJECT_ID",
}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "dli-flink" / "emulator"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help=f"address to bind (default {DEFAULTS['host']})")
    parser.add_argument(
        "--port", type=int, help=f"port, 0 for any free one (default {DEFAULTS['port']})"
    )
    parser.add_argument(
        "--data-dir", type=Path, help=f"state and OBS root (default {default_data_dir()})"
    )
    parser.add_argument(
        "--speed", type=float, help="divide every transition's duration by this (default 1)"
    )
    parser.add_argument("--access-key", help=f"accepted AK (default {DEFAULTS['access_key']})")
    parser.add_argument("--secret-key", help=f"its SK (default {DEFAULTS['secret_key']})")
    parser.add_argument("--project-id", help=f"project id (default {DEFAULTS['project_id']})")
    parser.add_argument(
        "--queue",
        action="append",
        metavar="NAME=CU",
        help="a queue and its CU capacity, repeatable (default default=64)",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="YAML or JSON settings file")


class UsageError(Exception):
    pass


def _queues(specs: list[str]) -> dict[str, int]:
    queues = {}
    for spec in specs:
        name, _, cu = spec.partition("=")
        if not name or not cu.isdigit() or int(cu) < 1:
            raise UsageError(f"--queue wants NAME=CU with a positive CU count, got {spec!r}")
        queues[name] = int(cu)
    return queues


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def resolve(args: argparse.Namespace) -> dict[str, Any]:
    """The settings: command line, then --config, then environment, then defaults."""
    settings = dict(DEFAULTS)
    settings["data_dir"] = default_data_dir()
    settings.update({key: os.environ[var] for key, var in ENV.items() if os.environ.get(var)})
    if args.config:
        import yaml

        try:
            loaded = yaml.safe_load(args.config.read_text())
        except (OSError, yaml.YAMLError) as error:
            raise UsageError(f"cannot read --config {args.config}: {error}") from None
        if not isinstance(loaded, dict):
            raise UsageError(f"--config {args.config} must hold a mapping of settings")
        unknown = set(loaded) - {*DEFAULTS, "data_dir", "durations", "scaling_flink_versions"}
        if unknown:
            raise UsageError(
                f"--config {args.config}: unknown settings {', '.join(sorted(unknown))}"
            )
        settings.update(loaded)
    cli = {
        "host": args.host,
        "port": args.port,
        "data_dir": args.data_dir,
        "speed": args.speed,
        "access_key": args.access_key,
        "secret_key": args.secret_key,
        "project_id": args.project_id,
        "queues": _queues(args.queue) if args.queue else None,
    }
    settings.update({key: value for key, value in cli.items() if value is not None})
    if not _number(settings["speed"]) or settings["speed"] <= 0:
        raise UsageError("--speed must be a positive number")
    port = settings["port"]
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise UsageError("--port must be a port number (0 for any free one)")
    durations = settings.get("durations") or {}
    if not isinstance(durations, dict) or not all(
        _number(v) and v >= 0 for v in durations.values()
    ):
        raise UsageError("durations must map transition names to seconds")
    queues = settings["queues"]
    if not isinstance(queues, dict) or not all(
        isinstance(cu, int) and not isinstance(cu, bool) and cu > 0 for cu in queues.values()
    ):
        raise UsageError("queues must map queue names to positive CU counts")
    return settings


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import signal
    import threading

    from dli_flink.emulator.models import Durations, Settings
    from dli_flink.emulator.server import Emulator
    from dli_flink.emulator.store import StoreError

    try:
        conf = resolve(args)
        durations = conf.get("durations") or {}
        unknown = set(durations) - {f.name for f in dataclasses.fields(Durations)}
        if unknown:
            raise UsageError(f"unknown durations {', '.join(sorted(unknown))}")
        versions = conf.get("scaling_flink_versions")
        if versions is not None and not isinstance(versions, list):
            raise UsageError("scaling_flink_versions must be a list of versions")
        settings = Settings(
            project_id=str(conf["project_id"]),
            queues=conf["queues"],
            speed=float(conf["speed"]),
            durations=Durations(**durations),
            scaling_flink_versions=tuple(str(v) for v in versions) if versions else None,
        )
    except UsageError as error:
        print(f"dli-flink emulator: error: {error}", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(
            settings,
            Path(conf["data_dir"]),
            {str(conf["access_key"]): str(conf["secret_key"])},
            host=str(conf["host"]),
            port=int(conf["port"]),
        )
    except StoreError as error:
        print(f"dli-flink emulator: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(
            f"dli-flink emulator: error: cannot serve on {conf['host']}:{conf['port']}: {error}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"DLI emulator listening on {emulator.endpoint} ({settings.project_id})", flush=True)
    while not stop.wait(0.5):
        pass
    emulator.close()
    return 0
