"""Checking a large run's files on every core: forked workers, results merged in file order.

Why: checking a file is pure Python, one core's worth; a thousand files on a 2-core machine take
half the time when each core checks half of them. Forked after the imports, a worker starts with
the parent's modules, configuration and compiled schema gate, so it costs a few milliseconds; below
`PARALLEL_FILES` files (a pre-commit run on the files it changed) nothing is forked at all.

How: the files are split in contiguous ranges, one per core; the parent checks the first range
itself while each forked worker checks another, then pickles its results (what the per-user cache
keeps of a file: cli/cache.py's Outcome) down a pipe. The parent takes them up in file order, as it
reaches each range, and restores them as the cache does, so the output is byte-identical to a
serial run (the validate tests run every case split in workers too). A worker leaves the files
with problems to the parent (cli/validate.py), which alone imports what explaining and placing
them costs, and merges; so the parent's range is half as long as a worker's.

Robustness: a worker that fails in any way (it raises, is killed, exits early, or sends what does
not unpickle) costs only time: the parent checks that range itself, and so raises any error the
serial run would. Nothing is forked where forking is unsafe (another thread running) or impossible
(no fork, one core). A worker exits with os._exit: it never flushes the parent's output buffers or
runs its exit handlers. The parent reaps every worker it started, killing those it no longer needs
when it stops early (an exception, Ctrl-C).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

PARALLEL_FILES = 200
"""Fewest files checked in one run for which workers are forked."""

T = TypeVar("T")


def cores() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Workers(Generic[T]):
    """`check(index)` for each index of `range(count)`, the later ranges computed in workers.

    `result(index)` is the worker's result for `index`, or None for an index the caller checks
    itself: one of the first range, of a worker that failed, or for which `check` returned None (a
    worker may leave a file to the caller). Use as a context manager.
    """

    def __init__(self, count: int, check: Callable[[int], T]) -> None:
        self._ranges: list[tuple[int, int, int, int]] = []
        """(start, stop, pid, read end of its pipe) of each worker not yet collected."""
        self._results: dict[int, T] = {}
        self._collected_below = 0
        threading = sys.modules.get("threading")
        workers = min(cores(), count)
        if (
            count < PARALLEL_FILES
            or workers < 2
            or not hasattr(os, "fork")
            or (threading is not None and threading.active_count() > 1)
        ):
            return
        size = -(-2 * count // (2 * workers - 1))
        for start in range(size // 2, count, size):
            if not self._fork(start, min(start + size, count), check):
                break

    def _fork(self, start: int, stop: int, check: Callable[[int], T]) -> bool:
        import pickle  # here: a run too small to fork does without it

        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or process slot left: the parent checks the rest itself
            os.close(read)
            os.close(write)
            return False
        if pid == 0:  # the worker
            code = 1
            try:
                os.close(read)
                data = pickle.dumps(
                    [check(index) for index in range(start, stop)], pickle.HIGHEST_PROTOCOL
                )
                with open(write, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # the parent checks the range again, and reports
                pass
            finally:
                os._exit(code)
        os.close(write)
        self._ranges.append((start, stop, pid, read))
        return True

    def result(self, index: int) -> T | None:
        """The result of `index` if a worker computed it, collecting its range when first asked."""
        while self._ranges and self._ranges[0][0] <= index:
            self._collect(*self._ranges.pop(0))
        return self._results.pop(index, None)

    def _collect(self, start: int, stop: int, pid: int, read: int) -> None:
        import pickle

        data = b""
        try:
            with open(read, "rb") as pipe:
                data = pipe.read()
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return
        try:
            results = pickle.loads(data)
        except Exception:  # a worker's broken answer: the parent checks its range itself
            return
        if isinstance(results, list) and len(results) == stop - start:
            self._results.update(zip(range(start, stop), results, strict=True))

    def __enter__(self) -> Workers[T]:
        return self

    def __exit__(self, *_: object) -> None:
        """Stop and reap the workers not collected (the run ended early)."""
        if not self._ranges:  # the usual end: signal is not imported for nothing
            return
        import signal

        for _, _, pid, read in self._ranges:
            os.close(read)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self._ranges.clear()
