"""Checking a large run's files on every core: forked workers taking chunks of files as they go.

Why: checking a file is pure Python, one core's worth; a thousand files on a 2-core machine take
half the time when each core checks half of them. Forked after the imports, a worker starts with
the parent's modules, configuration and compiled schema gate, so it costs a few milliseconds; below
`PARALLEL_FILES` files (a pre-commit run on the files it changed) nothing is forked at all.

How: the files are cut in small chunks, and the parent and one forked worker per further core take
them in turn from one queue (a pipe holding a byte per chunk, filled before the fork: a read of one
byte is atomic, so each chunk goes to exactly one process), until it is empty. Taking chunks as
they go balances the cores whatever a chunk costs: the parent also explains and places the
problems of the files with findings (importing PyYAML for their positions), and takes fewer chunks
meanwhile; fixed ranges left one core idle while the other finished. A worker sends each
chunk's results down its own pipe as soon as it is done (pickled: what the per-user cache keeps
of a file, cli/cache.py's Outcome), leaving the files with problems to the parent
(cli/validate.py); the parent reads what has arrived between its own chunks and checks the files
left to it then, so that little remains once the queue is empty. The caller merges every result in
file order as the cache restores them, so the output is byte-identical to a serial run (the
validate tests run every case in a worker too).

Robustness: a worker that fails in any way (it raises, is killed, exits early, or sends what does
not unpickle) costs only time: the parent checks every chunk no worker answered for itself, and so
raises any error the serial run would. Nothing is forked where forking is unsafe (another thread
running) or impossible (no fork, one core). A worker exits with os._exit: it never flushes the
parent's output buffers or runs its exit handlers. The parent reaps every worker it started, killing
those it no longer needs when it stops early (an exception, Ctrl-C).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

PARALLEL_FILES = 200
"""Fewest files checked in one run for which workers are forked."""
CHUNK = 8
"""Most files a chunk holds (fewer in a small run, so each core gets some): a few milliseconds of
checking, so the cores finish within that of each other."""
MAX_CHUNKS = 256
"""Most chunks a run is cut in: the queue holds one byte per chunk."""
parent_takes_chunks = True
"""Whether the parent checks chunks too (it does); the tests turn it off, so that every case of
theirs is checked in a worker and merged, whatever the scheduler does."""

T = TypeVar("T")


def cores() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Workers(Generic[T]):
    """`check(index)` for each index of `range(count)`, some of them computed in workers.

    `own()` yields the indexes the caller checks itself: chunks it takes from the queue while the
    workers take theirs, the indexes a worker left to it (`check` returned None) as soon as their
    chunk's results arrive, and at the end those of any chunk no worker answered for (it failed).
    `result(index)` is a worker's result for any other index, once `own()` is exhausted. Use as a
    context manager.
    """

    def __init__(self, count: int, check: Callable[[int], T]) -> None:
        self._count = count
        self._workers: list[_Worker] = []
        self._queue = -1
        """The read end of the queue of chunks; -1 when nothing was forked, -2 once closed."""
        self._results: dict[int, T] = {}
        self._left: list[int] = []
        """Indexes workers left to the caller, not yet yielded."""
        self._answered: set[int] = set()
        """Chunks whose results came back from a worker."""
        threading = sys.modules.get("threading")
        workers = min(cores(), count)
        self._size = max(1, -(-count // MAX_CHUNKS), min(CHUNK, count // (2 * max(workers, 1))))
        if (
            count < PARALLEL_FILES
            or workers < 2
            or not hasattr(os, "fork")
            or (threading is not None and threading.active_count() > 1)
        ):
            return
        read, write = os.pipe()
        os.write(write, bytes(range(self._chunks())))  # at most MAX_CHUNKS bytes: never blocks
        os.close(write)
        self._queue = read
        for _ in range(workers - 1):
            if not self._fork(check):
                break
        if not self._workers:
            self._close_queue()
            self._queue = -1

    def _chunks(self) -> int:
        return -(-self._count // self._size)

    def _chunk(self, number: int) -> range:
        return range(number * self._size, min((number + 1) * self._size, self._count))

    def _take(self) -> int | None:
        """The next chunk of the queue, or None once it is empty."""
        taken = os.read(self._queue, 1)
        return taken[0] if taken else None

    def _fork(self, check: Callable[[int], T]) -> bool:
        import pickle  # here: a run too small to fork does without it

        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or process slot left: the parent checks the rest itself
            os.close(read)
            os.close(write)
            return False
        if pid == 0:  # the worker: each chunk's results down the pipe as they are done
            code = 1
            try:
                os.close(read)
                for other in self._workers:
                    os.close(other.read)
                with open(write, "wb") as out:
                    while (number := self._take()) is not None:
                        results = [check(index) for index in self._chunk(number)]
                        frame = pickle.dumps((number, results), pickle.HIGHEST_PROTOCOL)
                        out.write(len(frame).to_bytes(4, "big") + frame)
                        out.flush()
                code = 0
            except BaseException:  # the parent checks the chunks not answered, and reports
                pass
            finally:
                os._exit(code)
        os.close(write)
        os.set_blocking(read, False)
        self._workers.append(_Worker(pid, read))
        return True

    def own(self) -> Iterator[int]:
        """The indexes the caller checks itself (see the class), in the order to check them."""
        if self._queue == -1:
            yield from range(self._count)
            return
        taken = set()
        while True:
            yield from self._take_left(wait=False)
            number = self._take() if parent_takes_chunks else None
            if number is None:
                break
            taken.add(number)
            yield from self._chunk(number)
        self._close_queue()
        yield from self._take_left(wait=True)
        for number in range(self._chunks()):
            if number not in taken and number not in self._answered:
                yield from self._chunk(number)

    def _take_left(self, wait: bool) -> Iterator[int]:
        """The indexes left to the caller in the results arrived so far, or, with `wait`, in all
        results still to come (each worker then read to its end and reaped)."""
        for worker in list(self._workers):
            if wait:
                os.set_blocking(worker.read, True)
            while worker.receive(wait):
                for number, results in worker.frames():
                    chunk = self._chunk(number) if 0 <= number < self._chunks() else range(0)
                    if number in self._answered or len(results) != len(chunk):
                        worker.broken = True  # not what a worker sends: trust no more of it
                        break
                    self._answered.add(number)
                    for index, result in zip(chunk, results, strict=True):
                        if result is None:
                            self._left.append(index)
                        else:
                            self._results[index] = result
            if wait:
                worker.reap()
                self._workers.remove(worker)
        while self._left:
            yield self._left.pop()

    def result(self, index: int) -> T | None:
        """A worker's result for `index`, once `own()` is exhausted; None for one the caller
        checked itself."""
        return self._results.pop(index, None)

    def _close_queue(self) -> None:
        if self._queue >= 0:
            os.close(self._queue)
            self._queue = -2

    def __enter__(self) -> Workers[T]:
        return self

    def __exit__(self, *_: object) -> None:
        """Stop and reap the workers not collected (the run ended early)."""
        self._close_queue()
        if not self._workers:  # the usual end: signal is not imported for nothing
            return
        import signal

        for worker in self._workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            worker.reap()
        self._workers.clear()


class _Worker:
    """A forked worker as the parent sees it: its pid, and the frames it sends (a 4-byte length,
    then a pickled (chunk number, results of the chunk's indexes))."""

    def __init__(self, pid: int, read: int) -> None:
        self.pid, self.read = pid, read
        self.received = bytearray()
        self.ended = self.broken = False

    def receive(self, wait: bool) -> bool:
        """Whether more arrived (without `wait`, only what is there already); False at its end."""
        if self.ended:
            return False
        try:
            data = os.read(self.read, 1 << 20)
        except BlockingIOError:
            return False
        except OSError:
            data = b""
        if not data:
            self.ended = True
            return False
        self.received += data
        return True

    def frames(self) -> Iterator[tuple[int, list[Any]]]:
        """The whole frames received so far that unpickle to what a worker sends."""
        import pickle

        while not self.broken and len(self.received) >= 4:
            size = int.from_bytes(self.received[:4], "big")
            if len(self.received) < 4 + size:
                return
            frame = bytes(self.received[4 : 4 + size])
            del self.received[: 4 + size]
            try:
                number, results = pickle.loads(frame)
            except Exception:  # a worker's broken answer: the parent checks its chunks itself
                self.broken = True
                return
            if not isinstance(number, int) or not isinstance(results, list):
                self.broken = True
                return
            yield number, results

    def reap(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.read)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
