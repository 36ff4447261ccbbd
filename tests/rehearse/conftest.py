"""Rehearsal tests share one run's runners (one JVM per Flink version) for the whole session.

runners       the session's Runners: Flink 1.17 and 1.15 are installed into the user's cache on
              first use (the command's own first-use path), then reused
rehearse_sql  rehearse_sql(old_sql, new_sql, old_parallelism=2, new_parallelism=2, ...) -> Outcome
shared        makes `dli-flink rehearse` / `review --rehearse` run on the session's runners
repo, edit    a git repository holding examples/jobs on `main`, on branch `feature` (review's)
cli           the dli-flink command, in-process (validate's)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from dli_flink.rehearse import runner as runner_module
from dli_flink.rehearse.rehearsal import Outcome, Version, rehearse
from dli_flink.rehearse.runner import Runners

from tests.review.conftest import edit, repo  # noqa: F401  (the git fixtures, shared)
from tests.validate.conftest import cli  # noqa: F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the session's runners goes to one pytest-xdist worker (`--dist loadgroup`, as
    `make test` runs the suite): each worker would start JVMs of its own, seconds and hundreds of
    MiB each. Without xdist the mark does nothing."""
    for item in items:
        if "runners" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("flink"))


@pytest.fixture(scope="session")
def runners() -> Iterator[Runners]:
    with Runners() as pool:
        yield pool


@pytest.fixture
def rehearse_sql(runners: Runners) -> Callable[..., Outcome]:
    def run(
        old_sql: str,
        new_sql: str,
        old_parallelism: int = 2,
        new_parallelism: int = 2,
        flink: str = "1.17",
        allow_non_restored: bool = False,
        old_options: dict[str, str] | None = None,
        new_options: dict[str, str] | None = None,
    ) -> Outcome:
        old = Version(old_sql, old_parallelism, flink, old_options or {})
        new = Version(new_sql, new_parallelism, flink, new_options or {})
        return rehearse(old, new, runners, allow_non_restored)

    return run


@pytest.fixture
def shared(runners: Runners, monkeypatch: pytest.MonkeyPatch) -> Runners:
    monkeypatch.setattr(
        runner_module, "Runners", lambda progress=True: contextlib.nullcontext(runners)
    )
    return runners
