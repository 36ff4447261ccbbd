"""The pack as the Pulumi engine runs it: the analyzer plugin its PulumiPolicy.yaml names, over gRPC.

`policies/PulumiPolicy.yaml` says `runtime: dli-flink`, and no language host has that name, so the
engine starts `pulumi-analyzer-policy-dli-flink` from PATH in the pack's folder, with its address
and `.` (pkg/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer`, the fallback for a runtime
without a language plugin), reads the port from the first stdout line (pkg/resource/plugin/plugin.go
`newPlugin`), calls Handshake and ConfigureStack, then GetAnalyzerInfo and Configure
(pkg/engine/update.go `LoadLocalPolicyPackAnalyzers`), then Remediate and Analyze per resource and
AnalyzeStack. `started_pack` does the same, with the virtual environment's scripts first on PATH as
an activated environment has them. Properties travel as protobuf Structs, so every number is a
double, unknowns are the SDK's sentinel strings and secrets are wrapped, exactly as the engine sends
them. This is the served path end to end: dli_flink.policy_server over pulumi_policy's servicer.

What is faked, and why: the engine address is a loopback port nothing listens on. The pack's
server never dials it (it answers calls and does not log), so a real engine endpoint would receive
nothing; a pack that did try to reach it would fail loudly here. `configure` does what the Pulumi
CLI does before Configure: it starts from every policy's level and schema defaults
(GetAnalyzerInfo) and applies the user's settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from dli_flink.rules import RULES
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE

from tests.policy.wire import SQL_TYPE, job, struct

PACK = Path(__file__).resolve().parents[2] / "policies"
PUBLISH = PACK / "publish"
"""The same pack as `runtime: python`, for `pulumi policy publish` (a Cloud policy group)."""
TREE_ENV = {
    "PYTHONPATH": os.pathsep.join(
        [str(PACK.parent / "provider"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
}
"""The pack runs in the pack's folder: a relative PYTHONPATH (`PYTHONPATH=provider`) would not
reach this tree from there, and the installed dli_flink (another tree's) would serve instead."""
UNUSED_ENGINE = "127.0.0.1:1"
STACK_CONFIG = {"dli-flink:region": "cn-north-4"}
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    with started_pack() as stub:
        yield stub


@contextlib.contextmanager
def started_pack(
    *flags: str, stopped: list[subprocess.Popen] | None = None
) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack in a process of its own, as the engine starts it for each command: `flags` are the
    logging flags the engine passes on before its address when it was given its own
    (plugin.go `buildPluginArguments`); the process is added to `stopped` when given."""
    runtime = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())["runtime"]
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    plugin = shutil.which(f"pulumi-analyzer-policy-{runtime}", path=path)
    assert plugin, f"pulumi-analyzer-policy-{runtime} is not on PATH: is dli-flink installed?"
    env = _stack_env(PATH=path)  # what analyzer_plugin.go `constructEnv` gives a plugin
    command = [plugin, *flags, UNUSED_ENGINE, "."]
    # A process group of its own, as cmdutil.RegisterProcessGroup makes one.
    with _served(command, PACK, env, stopped, start_new_session=True) as stub:
        _handshake(stub)
        stub.ConfigureStack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack="dev", project="jobs", dry_run=True, config=STACK_CONFIG
            )
        )
        yield stub


def _stack_env(**extra: str) -> dict[str, str]:
    """This environment without its Pulumi settings, with the stack's, as the engine (for a
    plugin) and the Python language host (for a `runtime: python` pack) give a pack."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    env.update(
        PULUMI_CONFIG=json.dumps(STACK_CONFIG),
        PULUMI_PROJECT="jobs",
        PULUMI_STACK="dev",
        PULUMI_DRY_RUN="true",
        **TREE_ENV,
        **extra,
    )
    return env


@contextlib.contextmanager
def _served(
    command: list[str],
    folder: Path,
    env: dict[str, str],
    stopped: list[subprocess.Popen] | None = None,
    **options: Any,
) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """A pack's process started in its folder, a stub on the port it prints; killed after. The
    process is added to `stopped` when given."""
    process = subprocess.Popen(
        command,
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )
    if stopped is not None:
        stopped.append(process)
    try:
        port = _first_line(process, timeout=30)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=10)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def _handshake(stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
    """The engine's first call; a plugin may not implement it (analyzer_plugin.go `handshake`
    goes on at Unimplemented)."""
    request = analyzer_pb2.AnalyzerHandshakeRequest(
        engine_address=UNUSED_ENGINE, root_directory=str(PACK), program_directory=str(PACK)
    )
    try:
        stub.Handshake(request)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise


def _first_line(process: subprocess.Popen, timeout: float) -> int:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"the pack printed no port within {timeout} s")
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise AssertionError(f"the pack did not start: {line!r} {process.stderr.read()}")
    return int(line)


def configure(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, settings: dict[str, dict[str, Any]] | None = None
) -> None:
    """Configure as the CLI does (pkg/resource/analyzer/config.go): every policy, its level and its
    schema's top-level defaults, then `settings` ({policy: level, or {"enforcementLevel": level,
    key: value}}), key by key."""
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for item in info.policies:
        defaults = json_format.MessageToDict(item.configSchema.properties)
        properties = {
            key: schema["default"] for key, schema in defaults.items() if "default" in schema
        }
        given = (settings or {}).get(item.name, {})
        user = {"enforcementLevel": given} if isinstance(given, str) else dict(given)
        level = user.pop("enforcementLevel", None)
        config = request.policyConfig[item.name]
        config.enforcementLevel = LEVELS[level] if level else item.enforcementLevel
        config.properties.update({**properties, **user})
    analyzer.Configure(request)


def analyze(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
    document: dict[str, Any],
    resource_type: str = SQL_TYPE,
) -> list[tuple[str, int, str]]:
    """(policy, enforcement level, message) of each diagnostic for one resource's inputs."""
    name = str(document.get("name", "job"))
    request = analyzer_pb2.AnalyzeRequest(
        type=resource_type,
        name=name,
        urn=f"urn:pulumi:dev::jobs::{resource_type.split(':', 1)[1]}::{name}",
        properties=struct(document),
    )
    response = analyzer.Analyze(request)
    return sorted((d.policyName, d.enforcementLevel, d.message) for d in response.diagnostics)


def remediate(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, document: dict[str, Any]
) -> tuple[grpc.StatusCode, analyzer_pb2.RemediateResponse]:
    """The engine's Remediate call, made before Analyze for every resource: the inputs with the
    pickled `__provider` (internal keys are not skipped there). With its status and the answer the
    engine takes from it: UNIMPLEMENTED reads as no remediations
    (sdk/go/common/resource/plugin/analyzer_plugin.go `Remediate`)."""
    request = analyzer_pb2.AnalyzeRequest(
        type=SQL_TYPE,
        name="job",
        urn="urn:pulumi:dev::jobs::dli:FlinkSqlJob::job",
        properties=struct(document),
    )
    try:
        return grpc.StatusCode.OK, analyzer.Remediate(request)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise
        return error.code(), analyzer_pb2.RemediateResponse()


def test_analyzer_info_lists_the_policies_levels_and_config_schema(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "dli-flink"
    assert info.supportsConfig
    policies = {item.name: item for item in info.policies}
    assert {name: (item.enforcementLevel, item.policy_type) for name, item in policies.items()} == {
        "dli-flink": (analyzer_pb2.MANDATORY, analyzer_pb2.POLICY_TYPE_RESOURCE),
        "dli-flink-advisory": (analyzer_pb2.ADVISORY, analyzer_pb2.POLICY_TYPE_RESOURCE),
        "job-name-unique": (analyzer_pb2.MANDATORY, analyzer_pb2.POLICY_TYPE_STACK),
        "queue-capacity": (analyzer_pb2.ADVISORY, analyzer_pb2.POLICY_TYPE_STACK),
    }
    settings = json_format.MessageToDict(policies["dli-flink"].configSchema)["properties"]
    pack_rules = [rule for rule in RULES if rule not in ("yaml-syntax", "suppression")]
    assert set(settings) == {rule for rule in pack_rules if rule != "queue-capacity"}
    interval = settings["scaling-interval"]["anyOf"][1]["properties"]
    assert interval["min-minutes"]["default"] == 10  # a double on the wire
    queues = json_format.MessageToDict(policies["queue-capacity"].configSchema)
    assert queues["properties"]["queues"]["additionalProperties"]["required"] == ["cu"]


WRONG_JOB = job(
    flinkVersion="1.10",
    scaling__cuMax=6,
    scaling__intervalMinutes=5,
    runtimeConfig={"flink.dli.job.scale.enabled": "true"},
)


def test_analyze_reports_errors_mandatory_and_warnings_advisory(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer)
    found = analyze(analyzer, WRONG_JOB)
    assert [(name, level, message.split("]")[0]) for name, level, message in found] == [
        (
            "dli-flink",
            analyzer_pb2.MANDATORY,
            "A DLI Flink job rule at level mandatory (by "
            "default, an error of dli-flink validate).\n[scaling-cu-max-below-cu",
        ),
        (
            "dli-flink",
            analyzer_pb2.MANDATORY,
            "A DLI Flink job rule at level mandatory (by "
            "default, an error of dli-flink validate).\n[scaling-flink-version",
        ),
        (
            "dli-flink-advisory",
            analyzer_pb2.ADVISORY,
            "A DLI Flink job rule at level advisory (by "
            "default, a warning of dli-flink validate).\n[runtime-config-unknown-key",
        ),
        (
            "dli-flink-advisory",
            analyzer_pb2.ADVISORY,
            "A DLI Flink job rule at level advisory (by "
            "default, a warning of dli-flink validate).\n[scaling-interval",
        ),
    ]
    messages = [message.split("\n", 1)[1] for _, _, message in found]
    assert messages[0] == (
        "[scaling-cu-max-below-cu] scaling.cuMax: scaling cuMax 6 is below the job's 8 CUs "
        "(resources.cu): raise it to at least 8 or remove it"
    )
    assert messages[2] == (
        '[runtime-config-unknown-key] runtimeConfig["flink.dli.job.scale.enabled"]: unknown DLI '
        "runtime key flink.dli.job.scale.enabled: did you mean flink.dli.job.scale.enable?"
    )


def test_remediate_changes_nothing_and_analyze_still_reports(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """No policy is set to remediate: the pack says it does not remediate (the engine then goes on
    without remediations) and Analyze still reports every problem."""
    configure(analyzer)
    status, answer = remediate(analyzer, WRONG_JOB)
    assert status == grpc.StatusCode.UNIMPLEMENTED
    assert list(answer.remediations) == []
    assert len(analyze(analyzer, WRONG_JOB)) == 4


def test_analyze_a_good_job_unknowns_and_other_resources(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer)
    assert analyze(analyzer, job()) == []
    preview = job(name=UNKNOWN_STRING_VALUE, scaling__cuMax=UNKNOWN_NUMBER_VALUE)
    assert analyze(analyzer, preview) == []
    assert analyze(analyzer, {"acl": "public-read"}, "aws:s3/bucket:Bucket") == []
    schema = analyze(analyzer, job(resources__cu=8.5))
    assert [(name, level) for name, level, _ in schema] == [("dli-flink", analyzer_pb2.MANDATORY)]
    assert "\n[schema] resources.cu: " in schema[0][2]


def _levels(found: list[tuple[str, int, str]]) -> list[tuple[str, int]]:
    """(rule id, enforcement level) of each diagnostic."""
    return [(message.split("\n[", 1)[1].split("]")[0], level) for _, level, message in found]


def test_configure_sets_each_rules_level_and_options(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(
        analyzer,
        {
            "dli-flink": {
                "scaling-interval": {"min-minutes": 3},
                "scaling-cu-max-below-cu": "advisory",
                "runtime-config-unknown-key": "off",
                "scaling-flink-version": {"level": "mandatory", "min-version": "1.8"},
            }
        },
    )
    assert _levels(analyze(analyzer, WRONG_JOB)) == [
        ("scaling-cu-max-below-cu", analyzer_pb2.ADVISORY),
    ]
    configure(analyzer, {"dli-flink": {"scaling-interval": {"min-minutes": 15}}})
    found = analyze(analyzer, job(scaling__intervalMinutes=12))
    assert _levels(found) == [("scaling-interval", analyzer_pb2.ADVISORY)]
    assert "use at least 15 (the default is 30)" in found[0][2]
    configure(analyzer, {"dli-flink": {"runtime-config-unknown-key": "mandatory"}})
    assert ("runtime-config-unknown-key", analyzer_pb2.MANDATORY) in _levels(
        analyze(analyzer, WRONG_JOB)
    )


def test_each_resource_policys_level_moves_its_problems(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer, {"dli-flink-advisory": "mandatory", "dli-flink": "advisory"})
    assert sorted(_levels(analyze(analyzer, WRONG_JOB))) == [
        ("runtime-config-unknown-key", analyzer_pb2.MANDATORY),
        ("scaling-cu-max-below-cu", analyzer_pb2.ADVISORY),
        ("scaling-flink-version", analyzer_pb2.ADVISORY),
        ("scaling-interval", analyzer_pb2.MANDATORY),
    ]
    configure(analyzer, {"dli-flink-advisory": "disabled"})
    assert [level for _, level, _ in analyze(analyzer, WRONG_JOB)] == [analyzer_pb2.MANDATORY] * 2


def test_a_policy_set_to_remediate_remediates_nothing_and_reports_as_mandatory(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """No policy of the pack implements remediate: the server says so for the one set to it, and
    its problems still stop the update."""
    configure(analyzer, {"dli-flink-advisory": "remediate"})
    status, answer = remediate(analyzer, WRONG_JOB)
    assert status == grpc.StatusCode.OK
    assert list(answer.remediations) == []
    assert [item.policy_name for item in answer.not_applicable] == ["dli-flink-advisory"]
    assert sorted(_levels(analyze(analyzer, WRONG_JOB))) == [
        ("runtime-config-unknown-key", analyzer_pb2.MANDATORY),
        ("scaling-cu-max-below-cu", analyzer_pb2.MANDATORY),
        ("scaling-flink-version", analyzer_pb2.MANDATORY),
        ("scaling-interval", analyzer_pb2.MANDATORY),
    ]
    configure(analyzer)  # the same process, configured again: no policy remediates any more
    assert remediate(analyzer, WRONG_JOB)[0] == grpc.StatusCode.UNIMPLEMENTED


def secret(value: Any) -> dict[str, Any]:
    """A secret as the engine sends it to a pack (analyzer_plugin.go marshals with KeepSecrets)."""
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


def test_secret_values_are_checked_by_their_value(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer)
    found = analyze(analyzer, job(scaling__cuMax=secret(6)))
    assert _levels(found) == [("scaling-cu-max-below-cu", analyzer_pb2.MANDATORY)]
    assert "scaling cuMax 6 is below the job's 8 CUs" in found[0][2]
    twins = [job(name=secret("orders-enrich")), job()]
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[_resource(i, document) for i, document in enumerate(twins)]
    )
    found_stack = [d.policyName for d in analyzer.AnalyzeStack(request).diagnostics]
    assert found_stack == ["job-name-unique", "job-name-unique"]


def test_disabling_dli_flink_turns_the_job_rules_off() -> None:
    """`dli-flink` holds the rules' settings, and `dli-flink-advisory` reports what it leaves. A
    pack process of its own: the CLI configures a pack once per command."""
    with started_pack() as stub:
        configure(stub, {"dli-flink": "disabled"})
        assert analyze(stub, WRONG_JOB) == []
        assert analyze(stub, job(resources__cu=8.5)) == []


def _resource(index: int, document: dict[str, Any]) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        type=SQL_TYPE,
        urn=f"urn:pulumi:dev::jobs::dli:FlinkSqlJob::job-{index}",
        name=f"job-{index}",
        properties=struct(document),
    )


def test_analyze_stack_reports_duplicate_names_and_queue_overcommit(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    outputs = [
        {**job(), "jobId": 101, "status": "job_running"},  # outputs carry the provider's keys
        job(queue="other_q"),
        job(name="payments-score"),
    ]
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[_resource(i, document) for i, document in enumerate(outputs)]
    )
    configure(analyzer)
    found = sorted((d.policyName, d.urn) for d in analyzer.AnalyzeStack(request).diagnostics)
    assert found == [
        ("job-name-unique", "urn:pulumi:dev::jobs::dli:FlinkSqlJob::job-0"),
        ("job-name-unique", "urn:pulumi:dev::jobs::dli:FlinkSqlJob::job-1"),
    ]
    configure(
        analyzer, {"queue-capacity": {"queues": {"flink_q": {"cu": 24}, "other_q": {"cu": 8}}}}
    )
    diagnostics = analyzer.AnalyzeStack(request).diagnostics
    capacity = sorted(
        (d.urn, d.enforcementLevel, d.message.split("\n")[1])
        for d in diagnostics
        if d.policyName == "queue-capacity"
    )
    assert capacity == [
        (
            "urn:pulumi:dev::jobs::dli:FlinkSqlJob::job-1",
            analyzer_pb2.ADVISORY,
            "[queue-capacity] scaling.cuMax: job may grow to 16 CUs but queue other_q has 8: "
            "lower it to 8 or use a larger queue",
        ),
        (
            "urn:pulumi:dev::jobs::dli:FlinkSqlJob::job-2",
            analyzer_pb2.ADVISORY,
            "[queue-capacity] scaling.cuMax: jobs on queue flink_q may grow to 32 CUs with this "
            "one, past its 24: a scaled job may fail to restore; lower cuMax or move jobs",
        ),
    ]


def test_the_server_takes_the_handlers_newer_generated_code_registers(monkeypatch) -> None:
    """grpcio-tools 1.63 and later generate `add_AnalyzerServicer_to_server` with a second call,
    `server.add_registered_method_handlers(service, handlers)` (grpc/grpc
    src/compiler/python_generator.cc). pulumi's generated module does not make it yet; when a
    release does, the pack must still start (it raised AttributeError) and serve as before."""
    from dli_flink.policy import policies
    from dli_flink.policy_server import Servicer

    generated = analyzer_pb2_grpc.add_AnalyzerServicer_to_server

    def newer(servicer: Any, server: Any) -> None:
        generated(servicer, server)
        server.add_registered_method_handlers("pulumirpc.Analyzer", {})

    monkeypatch.setattr(analyzer_pb2_grpc, "add_AnalyzerServicer_to_server", newer)
    handler = Servicer(policies()).handler()

    class Call(grpc.HandlerCallDetails):
        def __init__(self, method: str) -> None:
            self.method = method
            self.invocation_metadata = ()

    assert handler.service(Call("/pulumirpc.Analyzer/Analyze")) is not None
    assert handler.service(Call("/pulumirpc.Analyzer/Remediate")) is None


def test_the_pack_starts_with_the_logging_flags_the_engine_passes_on() -> None:
    """Run with `-v=9 --logtostderr --logflow` (or tracing), the engine puts its own flags before
    its address (plugin.go `buildPluginArguments`); the pack must start and serve all the same."""
    with started_pack("--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:1") as stub:
        configure(stub)
        assert len(analyze(stub, WRONG_JOB)) == 4


def test_without_the_pulumi_extra_the_plugin_says_what_to_install() -> None:
    """An installation of plain `dli-flink` has the plugin's script but not pulumi_policy: the
    engine shows what the plugin printed before it exited, so that must be one line with the fix,
    not a traceback. The missing package is simulated (a None entry in sys.modules makes its
    import fail), since this environment has it installed."""
    script = (
        "import sys\n"
        "sys.modules['pulumi_policy'] = None\n"
        "from dli_flink.policy_plugin import main\n"
        "main()\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PACK,
        env={**os.environ, **TREE_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert finished.stderr == (
        "pulumi-analyzer-policy-dli-flink: the policy pack needs pulumi_policy: pip install "
        "'dli-flink[pulumi]' into the environment whose scripts are on PATH\n"
    )


def test_the_plugin_run_by_hand_with_help_says_what_it_is() -> None:
    """Someone checking the installed script with --help gets what it is for, not a server."""
    finished = subprocess.run(
        [sys.executable, "-c", "from dli_flink.policy_plugin import main; main()", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0
    assert finished.stdout.startswith("usage: pulumi-analyzer-policy-dli-flink ")
    assert "pulumi preview --policy-pack" in finished.stdout


def test_the_engine_stopping_the_pack_shows_the_user_nothing() -> None:
    """After every command the engine stops the plugin with SIGINT to its process group
    (pkg/resource/plugin/plugin.go `ExecPlugin`'s kill: cmdutil.InterruptChildren; SIGKILL only 5 s
    later), and logs each line the plugin writes to stderr as its output (`newPlugin`'s
    `runtrace`, Diag.Infoerrf): the pack wrote a KeyboardInterrupt traceback there every time."""
    stopped: list[subprocess.Popen] = []
    with started_pack(stopped=stopped) as stub:
        configure(stub)
        os.killpg(stopped[0].pid, signal.SIGINT)
        _, stderr = stopped[0].communicate(timeout=30)  # a hang guard, not a speed bound
    assert stderr == ""


def test_the_pack_to_publish_serves_the_same_policies_through_the_python_language_host() -> None:
    """Pulumi installs a published pack through its runtime's language host, which runs
    `python -u -m pulumi.policy <engine> <pack>` in the pack's folder with the stack's settings in
    its environment (sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`)."""
    command = [sys.executable, "-u", "-m", "pulumi.policy", UNUSED_ENGINE, str(PUBLISH)]
    with _served(command, PUBLISH, _stack_env()) as stub:
        assert stub.GetAnalyzerInfo(empty_pb2.Empty()).name == "dli-flink"
        configure(stub)
        assert len(analyze(stub, WRONG_JOB)) == 4


def test_the_pack_to_publish_is_the_same_pack_at_the_same_release() -> None:
    """One pack, two ways to start it: the same version and description, and the published one's
    environment pinned to the release this tree is."""
    local, published = (
        yaml.safe_load((folder / "PulumiPolicy.yaml").read_text()) for folder in (PACK, PUBLISH)
    )
    assert {k: v for k, v in local.items() if k != "runtime"} == {
        k: v for k, v in published.items() if k != "runtime"
    }
    version = tomllib.loads((PACK.parent / "pyproject.toml").read_text())["project"]["version"]
    pinned = [
        line for line in (PUBLISH / "requirements.txt").read_text().splitlines() if line[:1] != "#"
    ]
    assert pinned == [f"dli-flink[pulumi]=={version}"]
