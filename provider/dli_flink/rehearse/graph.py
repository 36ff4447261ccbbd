"""The job graph as the runner reports it: each operator's id (what its state is saved under), the
planner's description of it, and the operators it reads from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Operator:
    id: str
    name: str
    inputs: tuple[str, ...] = ()


def operators(answer: dict[str, Any]) -> list[Operator]:
    """The operators of a runner's submit answer."""
    return [
        Operator(op["id"], op["name"], tuple(op.get("inputs", ())))
        for op in answer.get("operators", [])
    ]


def reading(graph: list[Operator], table: str) -> tuple[str, ...]:
    """How `table` is read: the scans of it and the Calc nodes right after them (the projection and
    filter a source with projection push-down would take into its scan)."""
    scans = [op for op in graph if f"table=[[default_catalog, default_database, {table}" in op.name]
    ids = {op.id for op in scans}
    after = [op.name for op in graph if ids & set(op.inputs) and op.name.startswith("Calc(")]
    return tuple(sorted(op.name for op in scans)) + tuple(sorted(after))


def read_alike(old: list[Operator], new: list[Operator], tables: Iterable[str]) -> set[str]:
    """The tables both graphs read the same way (none when a graph is missing)."""
    if not old or not new:
        return set()
    return {table for table in tables if reading(old, table) == reading(new, table)}
