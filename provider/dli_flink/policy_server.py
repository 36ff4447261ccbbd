"""The pack's gRPC server: pulumi_policy's, with the calls the engine makes per resource cheapened.

The engine waits for the pack inside step generation, one call at a time: for every resource a
Remediate, then an Analyze; one AnalyzeStack at the end (pulumi/pulumi
pkg/resource/deploy/step_generator.go). pulumi_policy's server (`_PolicyAnalyzerServicer`, 1.21)
spends most of the pack's time outside its policies:
- Remediate converts the resource's properties and its provider's (the whole stack config),
  although no policy of this pack remediates;
- Analyze converts them again for each resource policy, through MessageToDict, deserialization
  and unknown-checking proxies, all pure Python, and re-reads the stack settings from the
  environment on every call (`_configure_runtime_settings`);
- AnalyzeStack converts every resource and its provider again for each stack policy.

What changes, and what does not:
- Remediate is not served while no policy is set to `remediate`: grpcio answers UNIMPLEMENTED on
  its polling thread, and the engine reads that as no remediations (`_WithoutRemediate`). Once
  Configure sets a policy to `remediate`, the library's Remediate answers (it reports each such
  policy as not applicable, since none of ours implements remediate).
- Analyze and AnalyzeStack hand the policies each job's Struct as it came (`JobProps`): keyed by
  its serialized bytes, turned into a job document once, checked once for every policy, Analyze's
  and AnalyzeStack's alike (dli_flink.policy). Analyze reports `dli-flink`'s and
  `dli-flink-advisory`'s messages from one call (`policy.job_messages`), with neither policy's
  validate function, its args, nor the library's wrapper around it. Not converted, because none
  of this pack's policies reads them: the provider resource, the resource options, stack tags, a
  stack resource's parent and dependencies (the args say None or empty), and the properties of
  resources that are not jobs (Analyze answers them at once; in AnalyzeStack their properties are
  empty).
- Everything else is the library's: GetAnalyzerInfo, Configure and ConfigureStack, each policy's
  configured enforcement level (disabled skips it, remediate reports as mandatory) and config,
  and the diagnostics' form, through its helpers `_get_enforcement_level`, `_get_policy_config`
  (both asked once per Configure, not per call: `Servicer._plan`) and `_create_report_violation`.
  Those are pulumi_policy internals:
  tests/policy/test_grpc.py starts this server as the engine does and speaks the protocol to it,
  so a library release that changes them fails there, not in a user's preview.
- grpcio's sync server, as the library's: bench/policy_bench.py's floor rows measured grpc.aio
  (handlers on its event loop, no thread handoff) no cheaper for these calls, with or without
  Remediate, and one pool thread no cheaper than four.

Where the time goes, on 1,000 jobs (bench/policy_bench.py, the engine's calls from Go, the pack
started as the plugin dli_flink.policy_plugin, load average 1.6): this server 0.93 s median and
0.81 CPU s, where pulumi_policy's took 2.29 s and 1.87 CPU s and a server answering every call with
nothing, Remediate unimplemented, started the same way, 0.82 s and 0.64 CPU s (the provider's own
preview: 1.83 s). The difference is the Analyze handlers; fed the same 1,000 Analyze calls in a loop
in-process they take about 0.09 CPU s (served, about 1.7 times that: the caches are cold between
calls): building the job documents 0.022 s, the schema gate 0.011 s, JobSpec 0.010 s, the rules
0.029 s (0.012 s of it the spec's attributes, each read once), keys 0.005 s, the rest (levels,
config, reports, the response) about 0.01 s; AnalyzeStack about 0.014 s. Valgrind counts about 0.9
million instructions a job for Analyze and its share of AnalyzeStack (1.05 million before the
last round).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Mapping
from concurrent import futures
from types import MappingProxyType
from typing import Any, NamedTuple

import grpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer

from dli_flink.policy import (
    ADVISORY_POLICY,
    JOB_TYPES,
    PACK_NAME,
    RULES_POLICY,
    JobProps,
    job_messages,
    policies,
)

MAX_MESSAGE = 400 * 1024 * 1024
"""The largest request taken, as pulumi_policy's server takes (`_MAX_RPC_MESSAGE_SIZE`): a
stack's AnalyzeStack carries every resource."""


YOUNG_THRESHOLD = 10_000
"""Allocations between two collections of the young generation while serving (the default: 700)."""


def serve() -> None:
    """Serve the pack as `PolicyPack` does: the port on the first stdout line, then block."""
    servicer = Servicer(policies())
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        handlers=[servicer.handler()],
        options=[("grpc.max_receive_message_length", MAX_MESSAGE)],
    )
    port = server.add_insecure_port("127.0.0.1:0")
    # Everything loaded so far (pulumi, grpc, protobuf, the rules: most of the process's objects)
    # lives as long as the process: frozen, the collector stops traversing it. Otherwise the one
    # full collection that 1,000 Analyze calls trigger took about 30 of the handlers' 380 CPU ms
    # (gc.callbacks, bench/policy_bench.py's stack).
    gc.freeze()
    # Of what a call allocates, about 25 containers outlive it: the checked job, kept for the
    # stack policies (its JobSpec holds reference cycles, collected only if the cache drops it);
    # the rest die by reference count, so the young generation's collections find nothing to
    # free. At the default threshold (700), 1,000 Analyze calls ran 50-60 of them, 9 ms in the
    # served pack and 7-32 of 200 thread CPU ms in-process (with the older generations' that
    # follow); at 10,000, 3-5 and 3-7 ms.
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        # How the engine stops the plugin after every command: SIGINT to its process group
        # (pkg/resource/plugin/plugin.go `ExecPlugin`, cmdutil.InterruptChildren), showing what it
        # writes to stderr (`newPlugin`). Quietly, as pulumi_policy's PolicyPack.serve stops.
        server.stop(0)


REMEDIATE = "/pulumirpc.Analyzer/Remediate"


class _Handlers:
    """Takes the generic handler the generated `add_AnalyzerServicer_to_server` registers (the
    Analyzer service's methods, with their (de)serializers), for `Servicer.handler` to wrap."""

    def add_generic_rpc_handlers(self, handlers: tuple[grpc.GenericRpcHandler, ...]) -> None:
        (self.handler,) = handlers

    def add_registered_method_handlers(self, service: str, handlers: dict[str, Any]) -> None:
        """Code from grpcio-tools 1.63 on also registers the same methods this way (a faster
        lookup on grpcio's side); the generic handler above serves them all, so nothing is kept:
        a registered Remediate would be served even while no policy remediates."""


class _WithoutRemediate(grpc.GenericRpcHandler):
    """The Analyzer service, but for Remediate while no policy is set to `remediate`.

    The engine calls Remediate before Analyze for every resource (step_generator.go), and reads
    an UNIMPLEMENTED status as "no remediations" (sdk/go/common/resource/plugin/analyzer_plugin.go
    `Remediate`: `codes.Unimplemented` -> an empty RemediateResponse; the engine calls this
    pack directly, dli_flink.policy_plugin, and the Python language host's PolicyProxy, were
    the pack started as `runtime: python`, hands the status on unchanged). grpcio's sync
    server answers a method no handler serves with UNIMPLEMENTED on its polling thread, without
    the thread-pool handoff and the request's deserialization an empty answer costs: on 1,000
    jobs that is about 0.2 CPU s less (bench/policy_bench.py, the floor rows)."""

    def __init__(self, inner: grpc.GenericRpcHandler, servicer: Servicer) -> None:
        self._inner = inner
        self._servicer = servicer

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        if details.method == REMEDIATE and not self._servicer.remediating:
            return None
        return self._inner.service(details)


class Servicer(_PolicyAnalyzerServicer):
    """pulumi_policy's servicer with Analyze and AnalyzeStack converting each job once, and each
    policy's level and config read once per Configure; Remediate is the library's, served only
    while a policy is set to `remediate` (`handler`, `_WithoutRemediate`)."""

    def __init__(self, pack: list[Policy]) -> None:
        # The pack's own default level is PolicyPack's; every policy here sets its own.
        super().__init__(PACK_NAME, "0.0.1", pack, EnforcementLevel.ADVISORY)
        self._resource_policies = [p for p in pack if isinstance(p, ResourceValidationPolicy)]
        self._stack_policies = [p for p in pack if isinstance(p, StackValidationPolicy)]
        self._plan()

    def handler(self) -> grpc.GenericRpcHandler:
        """The Analyzer service served by this servicer, Remediate only while it can remediate."""
        handlers = _Handlers()
        analyzer_pb2_grpc.add_AnalyzerServicer_to_server(self, handlers)
        return _WithoutRemediate(handlers.handler, self)

    def Configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest, context: Any) -> Any:
        answer = super().Configure(request, context)
        self._plan()
        return answer

    def _plan(self) -> None:
        """What Analyze and AnalyzeStack ask the library on every call, asked once per Configure:
        each enabled policy's reporting level and its config, and whether Remediate is served.

        The config is the library's (`_get_policy_config`), read-only: the library hands each
        call a fresh shallow copy, this server the same mapping every time, so that the
        policies can read it once per configuration (dli_flink.policy `rule_settings`)."""
        self.remediating = any(
            self._get_enforcement_level(p) == EnforcementLevel.REMEDIATE
            for p in self._resource_policies
        )
        resource_plan = self._enabled(self._resource_policies)
        by_name = {planned.policy.name: planned for planned in resource_plan}
        self._rules = by_name.get(RULES_POLICY)
        self._advisory = by_name.get(ADVISORY_POLICY)
        self._other_plan = [
            planned
            for planned in resource_plan
            if planned.policy.name not in (RULES_POLICY, ADVISORY_POLICY)
        ]
        self._stack_plan = self._enabled(self._stack_policies)

    def _enabled(self, candidates: Iterable[Policy]) -> list[_Planned]:
        """Each policy not disabled, with its configured reporting level (remediate reports as
        mandatory, as the library does) and config."""
        planned = []
        for policy in candidates:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED:
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            config = MappingProxyType(self._get_policy_config(policy.name) or {})
            planned.append(_Planned(policy, level, config))
        return planned

    def _report(self, response: analyzer_pb2.AnalyzeResponse, planned: _Planned) -> Any:
        """The library's report function: adds the policy's diagnostics to `response`."""
        policy = planned.policy
        return self._create_report_violation(
            response, policy.name, policy.description, planned.level, policy.severity
        )

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> Any:
        response = analyzer_pb2.AnalyzeResponse()
        if request.type not in JOB_TYPES:
            return response  # the resource policies check jobs only: nothing to convert
        props = JobProps(request.properties)
        rules = self._rules
        if rules is not None:
            # `dli-flink` and `dli-flink-advisory` at once: one check of the job, each level's
            # messages reported under its policy, as their validate functions would (`_Left`).
            _, mandatory, advisory = job_messages(request.type, props, rules.config)
            for planned, messages in ((rules, mandatory), (self._advisory, advisory)):
                if messages and planned is not None:
                    report = self._report(response, planned)
                    for message in messages:
                        report(message)
        for planned in self._other_plan:
            args = ResourceValidationArgs(
                request.type, props, request.urn, request.name, None, None, planned.config
            )
            planned.policy.validate(args, self._report(response, planned))
        return response

    def AnalyzeStack(self, request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> Any:
        response = analyzer_pb2.AnalyzeResponse()
        if not self._stack_plan:
            return response
        resources = [
            PolicyResource(
                r.type,
                JobProps(r.properties, outputs=True) if r.type in JOB_TYPES else {},
                r.urn,
                r.name,
                None,
                None,
                None,
                [],
                {},
            )
            for r in request.resources
        ]
        for planned in self._stack_plan:
            args = StackValidationArgs(resources, planned.config)
            planned.policy.validate(args, self._report(response, planned))
        return response


class _Planned(NamedTuple):
    """An enabled policy, the level it reports at and its config, as of the last Configure."""

    policy: Policy
    level: EnforcementLevel
    config: Mapping[str, Any]
