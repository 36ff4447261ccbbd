"""What `dli-flink validate` found in each job file, kept per user between runs (as ruff and mypy do).

Why: pre-commit and CI validate the same thousand files again and again, and most have not changed
since the last run. A file whose content (and sqlFiles) is what it was is not read, parsed or checked
again: its placed findings and its jobs' specs come from its entry, and the cross-job rules run over
all specs, cached or not, as on a cold run. The cache never changes a verdict:

- The folder of entries is named by everything a verdict depends on besides the files: the program
  (its version and the files of every dli_flink module loaded), Python, PyYAML, yaml-rs,
  fastjsonschema and jsonschema, the schema and the configuration. Anything else makes another folder.
- One small entry per job file, named by its absolute path, so a one-file run reads one entry.
  The entries of a command line's last run are also kept together in one bundle (`run-<key>`, the
  key of cli/manifest.py), with where the cross-job rules placed their problems: the same thousand
  files with one changed cost one read, not a thousand. Looked up first, checked as entries are.
- A file is unchanged when its size, mtime and inode are those recorded; when its mtime was recent
  at the time it was read (an edit of the same size within the same mtime tick would keep all
  three), its content is hashed and compared too, as git does for "racily clean" files. The sqlFiles
  a job names are recorded and compared the same way, missing ones included.
- Entries are written atomically; a cache that cannot be read or written (a read-only home, a
  corrupt entry) is a miss and nothing else.

Where: $XDG_CACHE_HOME/dli-flink, else ~/.cache/dli-flink (as the compiled schema gate and rehearse's
jars). `--no-cache` neither reads nor writes it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

from dli_flink import __version__
from dli_flink.cli.manifest import Stamp, blake2b, bytes_digest, cache_root, racy, stamp
from dli_flink.model import schema
from dli_flink.model.findings import Finding, Severity
from dli_flink.model.source import MAX_FILE_BYTES
from dli_flink.model.spec import JobSpec
from dli_flink.rules.config import Config


class Outcome:
    """What checking one file left before the cross-job rules: everything a cold run would keep.

    Plain classes, this and Entry, not dataclasses: see model/findings.py's Problem."""

    def __init__(
        self,
        findings: list[tuple[Any, ...]],
        whole: list[tuple[Any, ...]],
        suppressions: dict[int, tuple[tuple[str, ...], str | None]],
        suppressed: int,
        unlisted: dict[Severity, int],
        jobs: list[tuple[int, str | None, JobSpec]],
    ) -> None:
        self.findings = findings
        """The file's placed findings so far, without the file name (the next run may name it
        another way): the fields of Finding after `file`."""
        self.whole = whole
        self.suppressions = suppressions
        self.suppressed = suppressed
        self.unlisted = unlisted
        """By severity, the findings counted but not listed: a dict, not a Counter, which unpickles
        through Python code (2 ms of a thousand cached files' bundle)."""
        self.jobs = jobs
        """(document index, job name, spec) of each job of the file."""
        self.positions: dict[tuple[Any, ...], tuple[int, int]] = {}
        """Where the cross-job rules' problems were placed in the file (model.source.LazyDocument):
        kept with the run's bundle, so that a later run places them without parsing the file
        again."""


class Entry:
    """One file's entry: how to tell it is unchanged, and its outcome."""

    def __init__(
        self,
        path: str,
        stamp: Stamp,
        read_ns: int,
        digest: bytes,
        sql_files: list[tuple[str, Stamp, bytes]],
        outcome: Outcome,
    ) -> None:
        self.path = path
        self.stamp = stamp
        self.read_ns = read_ns
        self.digest = digest
        self.sql_files = sql_files
        self.outcome = outcome

    def racy(self) -> bool:
        """Whether a file of the entry was modified so close to when it was read that its stamp
        alone cannot tell an edit within the same mtime tick."""
        stamps = [self.stamp, *(recorded for _, recorded, _ in self.sql_files)]
        return any(racy(recorded, self.read_ns) for recorded in stamps)


def finding_fields(finding: Finding) -> tuple[Any, ...]:
    """A finding without its file name (see Outcome.findings)."""
    return (
        finding.line,
        finding.column,
        finding.rule,
        finding.severity,
        finding.message,
        finding.job,
    )


def text_digest(text: str) -> bytes:
    """The digest of a job file's text as validate reads it (model.source.read_text)."""
    return bytes_digest(text.encode("utf-8", "surrogatepass"))


def file_digest(path: str) -> bytes:
    """The digest of a sqlFile's bytes (that of its text, for UTF-8), or b"" if it is not a regular
    file that can be read. Opened without blocking and checked on the descriptor, as job files are
    (model.source.read_text): a FIFO named as a sqlFile must not hang the run."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return b""
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return b""
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return bytes_digest(handle.read(MAX_FILE_BYTES + 1))
    except OSError:
        return b""
    finally:
        os.close(descriptor)


class Cache:
    """The entries of one configuration of the program; see the module docstring."""

    def __init__(self, config: Config, run: str | None = None) -> None:
        self.folder = cache_root() / f"validate-{_run_key(config)}"
        self._made = False
        self.entries: list[tuple[str, Entry]] = []
        """(the name the run gave, entry) of each file the run checked or was served, in order:
        what cli/manifest.py records."""
        self.complete = True
        """Whether every file of the run has an entry (none unreadable or uncacheable)."""
        self._bundle_path = self.folder / f"run-{run}.pickle" if run else None
        self._bundle: dict[str, Entry] | None = None
        self._from_bundle = 0

    def lookup(self, path: Path) -> Entry | None:
        """The entry of `path` if the file and its sqlFiles are as recorded, else None.

        Looked up first in the bundle of the command line's last run (`run`), one file for all its
        entries: a thousand files, one changed, cost one read instead of a thousand."""
        name = os.path.abspath(path)
        bundled = self._bundled().get(name)
        if bundled is not None and self._fresh(bundled, name, path):
            self._from_bundle += 1
            return bundled
        import pickle  # here, not at the top: a --no-cache run does without its memory

        try:
            with open(self._entry_path(name), "rb") as handle:
                entry = pickle.load(handle)
        except Exception:  # missing, unreadable or corrupt (pickle raises many kinds): a miss
            return None
        return entry if isinstance(entry, Entry) and self._fresh(entry, name, path) else None

    def finish(self) -> None:
        """Bundle the run's entries for the next run of the same command line, unless nearly all
        came from its bundle already (rewriting a thousand entries for one changed costs more
        than looking that one up apart)."""
        if self._bundle_path is None or self._from_bundle >= 0.9 * len(self.entries):
            return
        self._write(self._bundle_path, {entry.path: entry for _, entry in self.entries})

    def _bundled(self) -> dict[str, Entry]:
        if self._bundle is None:
            self._bundle = {}
            if self._bundle_path is not None:
                import pickle

                try:
                    with open(self._bundle_path, "rb") as handle:
                        bundle = pickle.load(handle)
                except Exception:  # missing, unreadable or corrupt: no bundle
                    bundle = None
                if isinstance(bundle, dict):
                    self._bundle = bundle
        return self._bundle

    def _fresh(self, entry: Entry, name: str, path: Path) -> bool:
        """Whether `entry` is that of `path` as the file and its sqlFiles are now."""
        if not isinstance(entry, Entry) or entry.path != name or stamp(name) != entry.stamp:
            return False
        if any(stamp(sql_path) != recorded for sql_path, recorded, _ in entry.sql_files):
            return False
        if not entry.racy():
            return True
        from dli_flink.model.source import SourceError, read_text

        try:
            if text_digest(read_text(path)) != entry.digest:
                return False
        except (OSError, SourceError):
            return False
        if any(file_digest(sql_path) != digest for sql_path, _, digest in entry.sql_files):
            return False
        entry.read_ns = time.time_ns()
        if not entry.racy():  # the files have aged: the next run can trust their stamps alone
            self.store(entry)
        return True

    def rows(self) -> list[tuple[str, str, Stamp, int, bytes, list[tuple[str, Stamp, bytes]]]]:
        """How to tell each file of the run unchanged, for cli/manifest.py: the name the run gave,
        then the entry's path, stamp, time read, digest and sqlFiles."""
        return [
            (name, entry.path, entry.stamp, entry.read_ns, entry.digest, entry.sql_files)
            for name, entry in self.entries
        ]

    def store(self, entry: Entry) -> None:
        """Write `entry` atomically; any failure leaves the cache as it was."""
        self._write(self._entry_path(entry.path), entry)

    def _write(self, target: str | Path, value: object) -> None:
        import pickle

        temporary = f"{target}.{os.getpid()}.tmp"
        try:
            if not self._made:
                os.makedirs(self.folder, exist_ok=True)
                self._made = True
            with open(temporary, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, target)
        except (OSError, pickle.PicklingError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def _entry_path(self, name: str) -> str:
        key = blake2b(name.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return os.path.join(self.folder, f"{key}.pickle")


def _run_key(config: Config) -> str:
    """A digest of everything a file's verdict depends on besides the file: see the docstring."""
    parts = [__version__, sys.version, repr(config)]
    for name, module in sorted(sys.modules.items()):
        if name.startswith("dli_flink") and getattr(module, "__file__", None):
            parts.append(f"{module.__file__} {stamp(module.__file__)}")
    for library in ("yaml", "yaml_rs", "fastjsonschema", "jsonschema"):
        found = PathFinder.find_spec(library)
        parts.append(f"{library} {stamp(found.origin) if found and found.origin else None}")
    digest = blake2b("\n".join(parts).encode("utf-8", "surrogatepass"), digest_size=12)
    digest.update(schema.schema_path().read_bytes())
    return digest.hexdigest()
