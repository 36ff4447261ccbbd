"""Warnings the engine cannot give: changes that restore and still change what the state means.

A restore maps state by operator id, and ids follow the graph's shape, not what an operator computes
(flink-rehearsal.md, the verdict matrix): a GROUP BY on another key of the same type, or a window of
another size, restores silently. These are read from the planner's own description of each operator
whose state is carried over (same id in both graphs, state in the savepoint), and from the two scripts.
"""

from __future__ import annotations

import re

from dli_flink.rehearse.graph import Operator

_GROUP_BY = re.compile(r"groupBy=\[([^\]]*)\]")
_WINDOW = re.compile(r"window=\[((?:[^\[\]]|\[[^\]]*\])*)\]")
_NUMBER = re.compile(r"\s*(\d+)")


def warnings(
    old_operators: list[Operator],
    new_operators: list[Operator],
    saved: set[str],
    ttl: tuple[str | None, str | None],
    inserts: tuple[list[str], list[str]],
) -> list[str]:
    """What a reviewer must know even when the new version restores."""
    found = []
    new_by_id = {op.id: op for op in new_operators}
    for old in old_operators:
        new = new_by_id.get(old.id)
        if new is None or old.id not in saved:
            continue
        was, now = _group_by(old.name), _group_by(new.name)
        if was is not None and now is not None and was != now:
            found.append(
                f"GROUP BY keys changed ([{was}] -> [{now}]) at an operator whose state is restored: "
                "the old state is reused under the new keys"
            )
        was, now = _window(old.name), _window(new.name)
        if was is not None and now is not None and was != now:
            found.append(
                f"window changed ({was} -> {now}): windows already open keep their old bounds"
            )
    before, after = (_ttl_on(value) for value in ttl)
    if before != after:
        state = "enabled" if after else "disabled"
        found.append(
            f"state TTL {state} (table.exec.state.ttl: {ttl[0] or 'unset'} -> {ttl[1] or 'unset'}): "
            "every keyed state changes its serializer"
        )
    old_inserts, new_inserts = inserts
    if max(len(old_inserts), len(new_inserts)) > 1:
        for target in sorted(set(new_inserts) - set(old_inserts)):
            found.append(f"an INSERT INTO {target} was added to a multi-INSERT job: {_SHAPE}")
        for target in sorted(set(old_inserts) - set(new_inserts)):
            found.append(f"the INSERT INTO {target} was removed from a multi-INSERT job: {_SHAPE}")
    return found


_SHAPE = "operator ids follow the graph's shape, so existing operators may get new ids"


def _group_by(name: str) -> str | None:
    match = _GROUP_BY.search(name)
    return match.group(1) if match else None


def _window(name: str) -> str | None:
    match = _WINDOW.search(name)
    return match.group(1) if match else None


def _ttl_on(value: str | None) -> bool:
    """A TTL such as "1h" or "3600 s" is on; unset, "0" or "0 ms" is off."""
    match = _NUMBER.match(value or "")
    return bool(match and int(match.group(1)) > 0)
