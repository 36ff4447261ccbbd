"""What every rule module holds, and what a rule is given.

A rule is a module (yamllint's pattern): `ID`, `SEVERITY`, `OPTIONS` (defaults), a docstring that is
its documentation with PASS and FAIL examples (the tests run them), and `check(spec, context)` for a
rule on one job or `check_jobs(specs, context)` for a rule across jobs. `schema` and `yaml-syntax` have
no check: the loader reports them, and they are modules only for their docs and configuration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

from dli_flink.model.findings import Problem, Severity
from dli_flink.model.spec import JobSpec


@dataclass(frozen=True)
class Context:
    """A rule's options (defaults merged with configuration) and the project facts rules need."""

    options: Mapping[str, Any] = field(default_factory=dict)
    queues: Mapping[str, int] = field(default_factory=dict)
    """Queue name -> capacity in CUs, where the configuration declares them."""


class JobRule(Protocol):
    ID: str
    SEVERITY: Severity
    OPTIONS: Mapping[str, Any]

    def check(self, spec: JobSpec, context: Context) -> Iterable[Problem]: ...


class StackRule(Protocol):
    ID: str
    SEVERITY: Severity
    OPTIONS: Mapping[str, Any]

    def check_jobs(
        self, specs: list[JobSpec], context: Context
    ) -> Iterable[tuple[int, Problem]]: ...


def summary(rule: ModuleType) -> str:
    """The first line of a rule's documentation."""
    return (rule.__doc__ or "").strip().splitlines()[0]
