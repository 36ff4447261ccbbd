"""SQLite persistence of the emulator's jobs, so a kill -9 at any moment loses nothing committed.

Each job is one row holding its whole record as JSON (status, pending transition and its due time,
timeline, savepoint). Every backend mutation is one transaction written before the HTTP answer leaves,
so after a restart the jobs, savepoints and in-flight transitions are exactly what clients were told.
WAL mode with synchronous=NORMAL survives a process kill (the WAL is in the OS cache, not lost).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY);
"""


class Store:
    """Jobs by id, plus a counter for the next job id (ids are never reused, even after delete)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            data_dir / "emulator.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def load_jobs(self) -> dict[int, dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT id, data FROM jobs").fetchall()
        return {job_id: json.loads(data) for job_id, data in rows}

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
