"""A stand-in for the Pulumi engine: it drives our dynamic provider over gRPC as the engine does.

The Pulumi CLI cannot be installed here (shared/docs/pulumi-engine.md), so this plays the engine's
part. Every behaviour below follows the engine's own code, cited by file and function (pulumi/pulumi
v3.259, `pkg/resource/deploy/` unless said otherwise); a behaviour that is not here is one the tests
do not rely on (targets, dependencies between resources, protect, plans, imports).

- State is keyed by URN, and a URN holds the type token and the parent's type
  (sdk/go/common/resource/urn/urn.go `New`); a registration finds its old state by its URN first,
  then by its aliases (step_generator.go `getOldResource`, `collapseAliasToUrn`).
- A registration without old state is Check(olds = {}) + Create (step_generator.go
  `continueStepsFromImport`, case 4). Old state no registration claimed is deleted after the whole
  program ran (deployment_executor.go `performPostSteps` -> step_generator.go `GenerateDeletes`).
- With old state: Check(olds = old inputs), then Diff(old inputs, old outputs, checked inputs)
  (step_generator.go `diffResource`; the SDK's host hands the provider the old OUTPUTS). No change:
  a same step keeps the old id and outputs with the new inputs (step.go `SameStep.Apply`).
- A replace re-runs Check without olds, then honours deleteBeforeReplace from Diff, or from the
  resource option when set (step_generator.go `continueStepsFromDiff`). Delete-before-replace
  deletes first and keeps the old state as PendingReplacement until the create succeeds (step.go
  `DeleteStep.Apply`); a pending replacement is replaced on the next run without another delete.
  Create-before-delete creates first and deletes the old resource after the whole program.
- A Check failure stops the deployment: no further registration, no deletes (step_generator.go
  `continueStepsFromImport` "resource %s is invalid"; deployment_executor.go `Execute` cancels). A
  failed step cancels the step executor: steps not started do not start, deletes do not run
  (step_executor.go `executeChain`, `cancelDueToError`).
- A failed Update keeps the old inputs and outputs (step.go `UpdateStep.Apply`: only a partial
  failure writes new state, and the dynamic host has no partial failure).
- Refresh is Read, then Diff with the refreshed inputs and outputs as the olds and the old inputs
  as the news: what that Diff says is the drift shown (step.go `RefreshStep.Apply`, `ResultOp`).
  A pending replacement is not read.
- What the CLI shows for an update is the diff of old and new inputs when the provider gives no
  detailed diff, as the dynamic host never does (pkg/backend/display/rows.go `getDiffInfo`).
- The stack config is stored as the inputs of the default provider resource
  `pulumi:providers:pulumi-python`, secret only where set with --secret (default_providers.go
  `newRegisterDefaultProviderEvent`, target.go `GetPackageConfig`).
- Independent resources are stepped in parallel (step_executor.go `ExecuteParallel`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from pulumi.runtime.proto import provider_pb2

from tests.host import (
    PROVIDER_KEY,
    UNKNOWN,
    EngineError,
    ProviderHost,
    from_struct,
    host_env,
    provider_blob,
    restore_unknowns,
    to_struct,
)

__all__ = [
    "UNKNOWN",
    "Alias",
    "Engine",
    "EngineError",
    "ProviderHost",
    "Resource",
    "State",
    "Step",
    "host_env",
    "make_urn",
    "provider_blob",
]

STACK, PROJECT = "test", "dli-flink"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
ROOT_STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::{ROOT_STACK_TYPE}::{PROJECT}-{STACK}"
DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-python"


def make_urn(type_: str, name: str, parent: str = "") -> str:
    """urn/urn.go `New`: the parent's qualified type, unless it is the root stack, is prefixed to
    the type with '$'."""
    qualified = type_
    if parent and qualified_type(parent) != ROOT_STACK_TYPE:
        qualified = f"{qualified_type(parent)}${type_}"
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


def qualified_type(urn: str) -> str:
    return urn.split("::")[2]


@dataclass(frozen=True)
class Alias:
    """An alias as the SDK sends it (alias_pb2.Alias): a whole URN, or a spec whose empty parts
    are the resource's own (step_generator.go `collapseAliasToUrn`)."""

    urn: str = ""
    name: str = ""
    type: str = ""
    parent: str = ""
    no_parent: bool = False

    def collapse(self, resource: Resource) -> str:
        if self.urn:
            return self.urn
        parent = "" if self.no_parent else (self.parent or resource.parent)
        return make_urn(self.type or resource.type, self.name or resource.name, parent)


@dataclass
class Resource:
    """A resource as a program registers it (resource_pb2.RegisterResourceRequest)."""

    type: str
    name: str
    inputs: dict[str, Any]
    aliases: list[Alias] = field(default_factory=list)
    parent: str = ""
    """The parent's URN; "" for the root stack."""
    delete_before_replace: bool | None = None
    """The resource option; None when the program does not set it."""

    @property
    def urn(self) -> str:
        return make_urn(self.type, self.name, self.parent)


@dataclass
class State:
    """One resource in the stack's state (what the backend's checkpoint holds)."""

    urn: str
    id: str
    type: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    pending_replacement: bool = False


@dataclass
class Step:
    """What the engine did (or, in a preview, would do) for one URN."""

    op: str
    """create | update | same | replace | delete | invalid (a Check failure stopped the run) |
    read (a refresh whose Read or Diff failed)."""
    urn: str
    failures: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    shown: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """The property diff the CLI prints: key -> (old input, new input)."""
    error: EngineError | None = None


Steps = dict[str, Step]
"""Steps by URN."""


def shown_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """rows.go `getDiffInfo`: old inputs against new ones, internal keys (`__provider`) left out."""
    keys = (old.keys() | new.keys()) - {PROVIDER_KEY}
    return {k: (old.get(k), new.get(k)) for k in sorted(keys) if old.get(k) != new.get(k)}


class Engine:
    """A stack's state and the preview / up / refresh / destroy operations over one provider host."""

    def __init__(self, host: ProviderHost, blob: str) -> None:
        self.host = host
        self.blob = blob
        self.state: dict[str, State] = {}
        self.condemned: list[State] = []
        """Old resources of create-before-delete replacements, deleted after the program."""
        self._lock = threading.Lock()
        self._cancelled = threading.Event()

    def outputs(self, resource: Resource) -> dict[str, Any]:
        return self.state[resource.urn].outputs

    def checkpoint(self) -> str:
        """The state as the backend writes it: secrets as ciphertext, everything else as is
        (the default provider's inputs are the stack config, default_providers.go)."""
        provider_inputs = {
            key: {"ciphertext": "..."} if key in self.host.secret else value
            for key, value in self.host.config.items()
        }
        resources = [
            {"urn": make_urn(DEFAULT_PROVIDER_TYPE, "default"), "inputs": provider_inputs},
            *(
                {"urn": s.urn, "inputs": s.inputs, "outputs": s.outputs}
                for s in self.state.values()
            ),
        ]
        return json.dumps({"resources": resources})

    # -- provider calls ---------------------------------------------------------------------------

    def _news(self, resource: Resource) -> dict[str, Any]:
        return {PROVIDER_KEY: self.blob, **resource.inputs}

    def _check(
        self, resource: Resource, olds: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """provider_plugin.go `Check`: olds are old INPUTS (empty for a new URN or a replace);
        the answer's inputs are what the engine stores and diffs."""
        request = provider_pb2.CheckRequest(
            urn=resource.urn, olds=to_struct(olds), news=to_struct(self._news(resource))
        )
        answer = self.host.call("Check", resource.urn, request)
        return from_struct(answer.inputs), [(f.property, f.reason) for f in answer.failures]

    def _diff(
        self, urn: str, olds: State, news: Mapping[str, Any]
    ) -> tuple[bool, provider_pb2.DiffResponse]:
        """diffResource: the provider's answer; DIFF_UNKNOWN falls back to comparing inputs."""
        answer = self.host.call(
            "Diff",
            urn,
            provider_pb2.DiffRequest(
                id=olds.id,
                urn=urn,
                old_inputs=to_struct(olds.inputs),
                olds=to_struct(olds.outputs),
                news=to_struct(restore_unknowns(dict(news))),
            ),
        )
        if answer.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
            return bool(shown_diff(olds.inputs, news)), answer
        return answer.changes == provider_pb2.DiffResponse.DIFF_SOME, answer

    def _old(self, resource: Resource) -> State | None:
        """getOldResource: by URN first, then by each alias."""
        for urn in (resource.urn, *(a.collapse(resource) for a in resource.aliases)):
            if urn in self.state:
                return self.state[urn]
        return None

    # -- step generation --------------------------------------------------------------------------

    def _generate(self, resource: Resource) -> tuple[Step, list[Callable[[], None]]]:
        """The step for one registration and the provider calls that carry it out, in order."""
        urn = resource.urn
        old = self._old(resource)
        checked, failures = self._check(resource, old.inputs if old else {})
        if failures:
            return Step("invalid", urn, failures=failures), []
        if old is None:
            return Step("create", urn), [lambda: self._create(resource, checked, None, False)]
        changes, diff = self._diff(urn, old, checked)
        shown = shown_diff(old.inputs, checked)
        if not (changes or old.pending_replacement):
            return Step("same", urn), [lambda: self._same(resource, old, checked)]
        if not (diff.replaces or old.pending_replacement):
            step = Step("update", urn, shown=shown)
            return step, [lambda: self._update(resource, old, checked)]
        # A replace re-checks the inputs without olds (continueStepsFromDiff).
        checked, failures = self._check(resource, {})
        if failures:
            return Step("invalid", urn, failures=failures), []
        step = Step("replace", urn, replaces=list(diff.replaces), shown=shown)
        before = diff.deleteBeforeReplace
        if resource.delete_before_replace is not None:
            before = resource.delete_before_replace
        if not before:
            return step, [lambda: self._create(resource, checked, old, False)]
        chain = [] if old.pending_replacement else [lambda: self._delete(old, pending=True)]
        return step, [*chain, lambda: self._create(resource, checked, old, True)]

    def _generate_or_fail(self, resource: Resource) -> tuple[Step, list[Callable[[], None]]]:
        """A Check or Diff that raised stops the run as a Check failure does."""
        try:
            return self._generate(resource)
        except EngineError as error:
            return Step("invalid", resource.urn, error=error), []

    # -- step application -------------------------------------------------------------------------

    def _create(
        self, resource: Resource, checked: dict[str, Any], old: State | None, pending: bool
    ) -> None:
        """CreateStep.Apply; a replacement's old state goes once the create succeeded: a pending
        replacement is dropped, a create-before-delete one is condemned for after the program."""
        answer = self.host.call(
            "Create",
            resource.urn,
            provider_pb2.CreateRequest(urn=resource.urn, properties=to_struct(checked)),
        )
        new = State(resource.urn, answer.id, resource.type, checked, from_struct(answer.properties))
        with self._lock:
            if old is not None:
                self.state.pop(old.urn, None)
                if not pending:
                    self.condemned.append(old)
            self.state[resource.urn] = new

    def _update(self, resource: Resource, old: State, checked: dict[str, Any]) -> None:
        """step.go `UpdateStep.Apply`: a failure raises before any state is written, so the old
        inputs and outputs stay."""
        answer = self.host.call(
            "Update",
            resource.urn,
            provider_pb2.UpdateRequest(
                id=old.id,
                urn=resource.urn,
                old_inputs=to_struct(old.inputs),
                olds=to_struct(old.outputs),
                news=to_struct(checked),
            ),
        )
        new = State(resource.urn, old.id, resource.type, checked, from_struct(answer.properties))
        self._rekey(old, new)

    def _same(self, resource: Resource, old: State, checked: dict[str, Any]) -> None:
        """step.go `SameStep.Apply`: the old id and outputs, the new checked inputs."""
        self._rekey(old, State(resource.urn, old.id, resource.type, checked, old.outputs))

    def _rekey(self, old: State, new: State) -> None:
        """The new state under the registration's URN: the snapshot replaces the old resource an
        alias matched (step_generator.go `getOldResource` records it for that)."""
        with self._lock:
            self.state.pop(old.urn, None)
            self.state[new.urn] = new

    def _delete(self, old: State, pending: bool = False) -> None:
        """DeleteStep.Apply: a delete-before-replace keeps the state as PendingReplacement."""
        self.host.call(
            "Delete",
            old.urn,
            provider_pb2.DeleteRequest(
                id=old.id,
                urn=old.urn,
                properties=to_struct(old.outputs),
                old_inputs=to_struct(old.inputs),
            ),
        )
        with self._lock:
            if pending:
                self.state[old.urn] = replace(old, pending_replacement=True)
            elif self.state.get(old.urn) is old:
                del self.state[old.urn]
            elif old in self.condemned:
                self.condemned.remove(old)

    # -- execution --------------------------------------------------------------------------------

    def _run(self, step: Step, chain: list[Callable[[], None]]) -> None:
        """executeChain: one step after the other; a failure cancels every step not yet begun."""
        for call in chain:
            if self._cancelled.is_set():
                return
            try:
                call()
            except EngineError as error:
                step.error = error
                self._cancelled.set()
                return

    def preview(self, resources: Iterable[Resource]) -> Steps:
        """`pulumi preview`: Check and Diff only. The steps are generated as for an up, and a
        Check failure stops it; Create and Update never reach the host, whose Configure answer
        does not say it supports previews (provider_plugin.go `Create`, `Update`: "If the
        provider does not support previews, return the inputs as the state")."""
        steps: Steps = {}
        for resource in resources:
            step, _ = self._generate_or_fail(resource)
            steps[step.urn] = step
            if step.op == "invalid":
                break
        return steps

    def up(self, resources: Iterable[Resource], *, refresh: bool = False) -> Steps:
        """`pulumi up [--refresh]`: a step per registration, carried out as soon as it is
        generated (deployment_executor.go `Execute` -> `handleSingleEvent`); then the deletes of
        old state no registration claimed, unless the run failed (`performPostSteps`). With
        --refresh each resource is read first (step_generator.go `generateResourceSteps`)."""
        resources = list(resources)
        if refresh:
            self.refresh()
        self._cancelled.clear()
        steps: Steps = {}
        claimed: set[str] = set()
        with ThreadPoolExecutor(max_workers=max(len(resources), 1)) as pool:
            for resource in resources:
                if self._cancelled.is_set():
                    break
                old = self._old(resource)
                claimed.update({resource.urn, *([old.urn] if old else [])})
                step, chain = self._generate_or_fail(resource)
                steps[step.urn] = step
                if step.op == "invalid":
                    self._cancelled.set()
                    break
                pool.submit(self._run, step, chain)
        if not self._cancelled.is_set():
            doomed = [s for urn, s in self.state.items() if urn not in claimed]
            steps.update(self._delete_all([*doomed, *self.condemned]))
        return steps

    def _delete_all(self, states: list[State]) -> Steps:
        """Independent deletes in parallel (ScheduleDeletes); a pending replacement is only dropped
        from the state (GenerateDeletes: RemovePendingReplaceStep)."""

        def delete(old: State) -> Step:
            step = Step("delete", old.urn)
            if old.pending_replacement:
                with self._lock:
                    self.state.pop(old.urn, None)
                return step
            self._run(step, [lambda: self._delete(old)])
            return step

        with ThreadPoolExecutor(max_workers=max(len(states), 1)) as pool:
            return {step.urn: step for step in pool.map(delete, states)}

    def refresh(self) -> Steps:
        """`pulumi refresh`: Read each resource, then Diff as RefreshStep.Apply does; the step's op is
        its ResultOp: same, update (drift) or delete (gone)."""
        states = [s for s in self.state.values() if not s.pending_replacement]
        with ThreadPoolExecutor(max_workers=max(len(states), 1)) as pool:
            return {step.urn: step for step in pool.map(self._refresh, states)}

    def _refresh(self, old: State) -> Step:
        try:
            answer = self.host.call(
                "Read",
                old.urn,
                provider_pb2.ReadRequest(
                    id=old.id,
                    urn=old.urn,
                    properties=to_struct(old.outputs),
                    inputs=to_struct(old.inputs),
                ),
            )
            if not answer.id:
                with self._lock:
                    del self.state[old.urn]
                return Step("delete", old.urn)
            inputs = from_struct(answer.inputs) if answer.HasField("inputs") else old.inputs
            new = State(old.urn, answer.id, old.type, inputs, from_struct(answer.properties))
            changes, _ = self._diff(old.urn, new, old.inputs)
        except EngineError as error:
            return Step("read", old.urn, error=error)
        with self._lock:
            self.state[old.urn] = new
        return Step("update" if changes else "same", old.urn, shown=shown_diff(old.inputs, inputs))

    def destroy(self) -> Steps:
        """`pulumi destroy`: every resource deleted, independent ones in parallel."""
        self._cancelled.clear()
        return self._delete_all([*self.state.values(), *self.condemned])
