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
On 1,000 jobs (bench/policy_bench.py, same run, load average 2) that server took 2.15 s median
and 1.73 CPU s where this one takes 1.67 s and 1.18 CPU s; a server answering every call with
nothing took 1.01 s and 0.62 CPU s, so what is left is mostly the gRPC calls themselves (this
server's handlers spend about 0.4 CPU s of it, most in the rule engine's parse and checks).

What changes, and what does not:
- Remediate answers at once when no policy is set to `remediate`; otherwise the library answers
  (it reports each such policy as not applicable, since none of ours implements remediate).
- Analyze and AnalyzeStack convert each resource's properties once, into plain data as
  pulumi_policy's `deserialize_properties` gives it (secrets unwrapped, unknowns the engine's
  sentinel strings, which dli_flink.policy turns into UNKNOWN); every policy gets that data in
  the same `ResourceValidationArgs` / `StackValidationArgs`. Not converted, because none of this
  pack's policies reads them: the provider resource, stack tags, a stack resource's parent and
  dependencies (the args say None or empty), and the properties of resources that are not jobs
  (Analyze answers them at once; in AnalyzeStack their properties are empty).
- Everything else is the library's: GetAnalyzerInfo, Configure and ConfigureStack, each policy's
  configured enforcement level (disabled skips it, remediate reports as mandatory) and config,
  and the diagnostics' form, through its helpers `_get_enforcement_level`, `_get_policy_config`,
  `_create_report_violation` and `_get_resource_options`. Those are pulumi_policy internals:
  tests/policy/test_grpc.py starts this server as the engine does and speaks the protocol to it,
  so a library release that changes them fails there, not in a user's preview.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import struct_pb2
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
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.policy import _PolicyAnalyzerServicer

from dli_flink.policy import JOB_TYPES, PACK_NAME, policies

MAX_MESSAGE = 400 * 1024 * 1024
"""The largest request taken, as pulumi_policy's server takes (`_MAX_RPC_MESSAGE_SIZE`): a
stack's AnalyzeStack carries every resource."""


def serve() -> None:
    """Serve the pack as `PolicyPack` does: the port on the first stdout line, then block."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE)],
    )
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Servicer(policies()), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    server.wait_for_termination()


class Servicer(_PolicyAnalyzerServicer):
    """pulumi_policy's servicer with Remediate, Analyze and AnalyzeStack converting once."""

    def __init__(self, pack: list[Policy]) -> None:
        # The pack's own default level is PolicyPack's; every policy here sets its own.
        super().__init__(PACK_NAME, "0.0.1", pack, EnforcementLevel.ADVISORY)
        self._resource_policies = [p for p in pack if isinstance(p, ResourceValidationPolicy)]
        self._stack_policies = [p for p in pack if isinstance(p, StackValidationPolicy)]

    def Remediate(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> Any:
        if not any(
            self._get_enforcement_level(p) == EnforcementLevel.REMEDIATE
            for p in self._resource_policies
        ):
            return analyzer_pb2.RemediateResponse()
        return super().Remediate(request, context)

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> Any:
        response = analyzer_pb2.AnalyzeResponse()
        if request.type not in JOB_TYPES:
            return response  # the resource policies check jobs only: nothing to convert
        props = plain(request.properties)
        opts = self._get_resource_options(request)
        for policy, report in self._enabled(self._resource_policies, response):
            config = self._get_policy_config(policy.name)
            args = ResourceValidationArgs(
                request.type, props, request.urn, request.name, opts, None, config
            )
            policy.validate(args, report)
        return response

    def AnalyzeStack(self, request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> Any:
        response = analyzer_pb2.AnalyzeResponse()
        resources: list[PolicyResource] | None = None
        for policy, report in self._enabled(self._stack_policies, response):
            if resources is None:
                resources = [
                    PolicyResource(
                        r.type,
                        plain(r.properties) if r.type in JOB_TYPES else {},
                        r.urn,
                        r.name,
                        self._get_resource_options(r),
                        None,
                        None,
                        [],
                        {},
                    )
                    for r in request.resources
                ]
            args = StackValidationArgs(resources, self._get_policy_config(policy.name))
            policy.validate(args, report)
        return response

    def _enabled(
        self, candidates: Iterable[Policy], response: analyzer_pb2.AnalyzeResponse
    ) -> Iterable[tuple[Policy, Any]]:
        """Each policy not disabled, with the report function that adds its diagnostics at its
        configured level (remediate reports as mandatory, as the library does)."""
        for policy in candidates:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED:
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            yield (
                policy,
                self._create_report_violation(
                    response, policy.name, policy.description, level, policy.severity
                ),
            )


def plain(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A properties Struct as plain data: what `deserialize_properties(MessageToDict(struct))`
    gives for a job's properties (numbers stay doubles, secrets unwrapped), in two thirds of the
    time MessageToDict alone takes (44 us against 67 us a job)."""
    return {key: _value(value) for key, value in struct.fields.items()}


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = plain(value.struct_value)
        if fields.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return fields.get("value")
        return fields
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    if kind == "null_value" or kind is None:
        return None
    return getattr(value, kind)
