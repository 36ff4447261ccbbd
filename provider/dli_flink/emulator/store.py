"""SQLite persistence of the emulator's jobs, so a kill -9 at any moment loses nothing committed.

Each job is one row holding its whole record as JSON (status, pending transition and its due time,
timeline, savepoint). Every backend mutation is one transaction written before the HTTP answer leaves,
so after a restart the jobs, savepoints and in-flight transitions are exactly what clients were told.
WAL mode with synchronous=NORMAL survives a process kill (the WAL is in the OS cache, not lost).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY);
"""


class StoreError(Exception):
    """The data dir or its database cannot be used; the message names it and says why, in one line
    (deliberately not an OSError: the command reports those as a host or port it cannot serve on)."""


class Store:
    """Jobs by id, plus a counter for the next job id (ids are never reused, even after delete)."""

    def __init__(self, data_dir: Path) -> None:
        """Open (or create) the database in `data_dir`; StoreError if it cannot be used."""
        path = data_dir / "emulator.sqlite3"
        if data_dir.exists() and not data_dir.is_dir():
            raise StoreError(f"cannot use the data dir {data_dir}: it is not a directory")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot use the data dir {data_dir}: {error.strerror}") from None
        if path.is_dir():
            raise StoreError(f"cannot use the data dir {data_dir}: {path} is a directory")
        self._held = _hold(data_dir)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            os.close(self._held)
            raise StoreError(
                f"cannot use the data dir {data_dir}: {path.name} cannot be opened ({error})"
            ) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as error:
            self._db.close()
            os.close(self._held)
            raise StoreError(
                f"cannot use the data dir {data_dir}: {path.name} is not a usable SQLite database "
                f"({error})"
            ) from None
        self._data_dir = data_dir

    def load_jobs(self) -> dict[int, dict[str, Any]]:
        """Every job record; StoreError for a database or a record that cannot be read."""
        where = f"cannot use the data dir {self._data_dir}"
        try:
            with self._lock:
                rows = self._db.execute("SELECT id, data FROM jobs").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"{where}: its database cannot be read ({error})") from None
        jobs = {}
        for job_id, data in rows:
            try:
                job = json.loads(data)
            except (TypeError, ValueError, RecursionError):
                job = None
            if not isinstance(job, dict) or job.get("job_id") != job_id:
                raise StoreError(f"{where}: the record of job {job_id} is damaged")
            jobs[job_id] = job
        return jobs

    def next_job_id(self, first: int) -> int:
        """Allocate a job id durably (so a crash right after create cannot hand it out twice)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute("SELECT value FROM meta WHERE key='next_id'").fetchone()
            job_id = int(row[0]) if row else first
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)", (str(job_id + 1),)
            )
            self._db.execute("COMMIT")
        return job_id

    def save(self, *jobs: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO jobs (id, data) VALUES (?, ?)",
                [(job["job_id"], json.dumps(job)) for job in jobs],
            )
            self._db.execute("COMMIT")

    def delete(self, job_ids: list[int]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in job_ids])
            self._db.execute("COMMIT")

    def add_buckets(self, names: list[str]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR IGNORE INTO buckets (name) VALUES (?)", [(n,) for n in names]
            )

    def buckets(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT name FROM buckets ORDER BY name")]

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._held >= 0:
                os.close(self._held)
                self._held = -1


def _hold(data_dir: Path) -> int:
    """Hold the data dir for this process (an flock on `emulator.lock`, with the pid in it); a
    StoreError naming the holder if another emulator holds it.

    Two emulators on one data dir (a second one started on another port, both on the default
    --data-dir) would each keep its own copy of the jobs in memory and write it over the other's
    rows and OBS files: SQLite serialises the writes, not the two copies. The kernel drops an
    flock with its process, so a killed emulator never keeps its restart out."""
    import fcntl  # the emulator, like rehearse's install lock, runs where fcntl does

    where = f"cannot use the data dir {data_dir}"
    path = data_dir / "emulator.lock"
    try:
        held = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise StoreError(f"{where}: {path.name} cannot be opened ({error.strerror})") from None
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # EWOULDBLOCK: another process holds it
        holder = os.read(held, 32).decode(errors="replace").strip()
        os.close(held)
        raise StoreError(
            f"{where}: another emulator (pid {holder or 'unknown'}) is using it; stop it, or give "
            "this one another --data-dir"
        ) from None
    except OSError as error:  # a file system without locks (ENOLCK), say: not another emulator
        os.close(held)
        raise StoreError(
            f"{where}: {path.name} cannot be locked ({error.strerror}); give the emulator a "
            "--data-dir on a local file system"
        ) from None
    os.ftruncate(held, 0)
    os.pwrite(held, f"{os.getpid()}\n".encode(), 0)
    return held
