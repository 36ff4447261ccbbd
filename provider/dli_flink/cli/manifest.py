"""A whole validate run's answer, kept to give it again without reading a job file or importing the
YAML parser, the schema or the rules (issue 14: a warm run of a thousand files in the time of
Python's start-up and a few thousand stat calls).

Why beside cli/cache.py's entries: those spare a run the parsing and checking of unchanged files,
but a run served by them still imports PyYAML, jsonschema's gate and every rule, and opens one entry
per file; that start-up alone is longer than the whole warm target. A run whose every input is as
it was says what it said, so the manifest keeps what it said:

- One manifest per run as typed: named by the program (its version and where it is installed),
  Python, the working directory and the command line (paths, --config, --format, --strict).
  Another run is another manifest.
- It records every input of the verdict besides the command line: the file of each module the run
  had loaded (dli-flink's, PyYAML's, the schema gate's, the formats'), the schema, the configuration
  file found (or that none was), the job files collected (the same walk again, so a file added to a
  folder is seen) and each one's stamp, and the sqlFiles its jobs named. Stamps are those of
  cli/cache.py: size, mtime and inode, and the content's digest when the mtime was within RACY_NS
  of the moment it was read.
- What the run printed and its exit status are given again only when every one of those is as
  recorded; anything else (a changed or racy file that hashes differently, a module reinstalled, a
  new configuration) is the normal path, whose cache entries still spare the unchanged files.
- Only a run that could record every input writes one: no unreadable file, every file cacheable.

Kept with marshal (built in, no import) in the cache folder of cli/cache.py; written atomically; a
manifest that cannot be read is a miss.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

try:  # what hashlib.blake2b is, without hashlib loading OpenSSL (3.5 MiB of a run's peak memory)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

from dli_flink import __version__
from dli_flink.model.files import UsageError, collect_files, find_config

FORMAT = 1
"""The layout of a manifest; another one is a miss."""
RACY_NS = 2_000_000_000
"""A file modified this close to (or after) the moment it was read may have changed again within the
same mtime tick; 2 s covers the coarsest common timestamps (FAT's)."""
BOM = b"\xef\xbb\xbf"

Stamp = tuple[int, int, int] | None
"""(size, mtime_ns, inode) of a regular file; None for anything else (missing, a folder, a FIFO)."""


def stamp(path: Path | str) -> Stamp:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def cache_root() -> Path:
    """$XDG_CACHE_HOME/dli-flink, else ~/.cache/dli-flink."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dli-flink"


def racy(recorded: Stamp, read_ns: int) -> bool:
    """Whether a file was modified so close to when it was read that its stamp alone cannot tell an
    edit within the same mtime tick."""
    return recorded is not None and recorded[1] >= read_ns - RACY_NS


def bytes_digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


def job_file_digest(path: str) -> bytes | None:
    """The digest cli/cache.py records for a job file's text (UTF-8, without a BOM), from its bytes;
    None if it cannot be read."""
    data = _read_regular(path)
    return None if data is None else bytes_digest(data.removeprefix(BOM))


class Run:
    """One command line's manifest: where it lives, and giving or recording its answer."""

    def __init__(
        self, paths: Sequence[Path], config: Path | None, output: str, strict: bool
    ) -> None:
        # This module's file tells installations apart: another checkout of the same version
        # records its own modules, all unchanged, and must not answer for this one.
        parts = [__version__, __file__, sys.executable, sys.version, os.getcwd(), repr(config)]
        parts.append(output)
        parts += ["strict" if strict else "", *(str(path) for path in paths)]
        self.key = bytes_digest("\0".join(parts).encode("utf-8", "surrogatepass")).hex()
        """The command line's digest: its manifest's name, and its cache bundle's (cli/cache.py)."""
        self.file = cache_root() / "validate-runs" / f"{self.key}.marshal"
        self.paths, self.config = list(paths), config

    def answer(self) -> tuple[str, str, int] | None:
        """What the recorded run printed (stdout, stderr) and its exit status, if every input is
        as it was; else None."""
        now = time.time_ns()
        try:
            with open(self.file, "rb") as handle:
                recorded = marshal.loads(handle.read())  # load(handle) reads piecemeal: 10x slower
            layout, config, modules, exclude, root, files, out, err, code = recorded
        except Exception:  # missing, unreadable, corrupt (marshal raises several kinds): a miss
            return None
        if layout != FORMAT or self._config_file() != config[0]:
            return None
        if config[0] is not None and not _same(config[0], *config[1:], _bytes_digest_of):
            return None
        if any(stamp(path) != recorded_stamp for path, recorded_stamp in modules):
            return None
        names = [file[0] for file in files]
        if names != [str(path) for path in self.paths]:  # a folder named, or a file twice: walk
            try:
                collected = collect_files(self.paths, exclude, Path(root))
            except (UsageError, OSError):
                return None
            if [str(path) for path in collected] != names:
                return None
        # Otherwise each path named was one file: the stamps below (inode included) tell that
        # each still is, and a different one from the others.
        verified = racy(*config[1:3])
        for _, absolute, file_stamp, read_ns, digest, sql_files in files:
            if not _same(absolute, file_stamp, read_ns, digest, job_file_digest):
                return None
            for sql_path, sql_stamp, sql_digest in sql_files:
                if not _same(sql_path, sql_stamp, read_ns, sql_digest, _bytes_digest_of):
                    return None
                verified = verified or racy(sql_stamp, read_ns)
            verified = verified or racy(file_stamp, read_ns)
        if verified:  # compared by content: recorded as read now, so later runs trust the stamps
            config = (config[0], config[1], now, config[3])
            files = [(*file[:3], now, *file[4:]) for file in files]
            self._write((layout, config, modules, exclude, root, files, out, err, code))
        return out, err, code

    def config_state(self) -> tuple[Stamp, int, bytes]:
        """The configuration file's stamp, the time and its content's digest, taken before the
        run reads it: an edit after this is then a miss for the next run, never a stale answer."""
        found = self._config_file()
        if found is None:
            return None, 0, b""
        read_ns = time.time_ns()
        return stamp(found), read_ns, _bytes_digest_of(found) or b""

    def record(
        self,
        config_state: tuple[Stamp, int, bytes],
        files: Iterable[tuple[str, str, Stamp, int, bytes, list[tuple[str, Stamp, bytes]]]],
        exclude: Sequence[str],
        root: Path,
        out: str,
        err: str,
        code: int,
    ) -> None:
        """Keep a run's answer with everything it depended on (see the module docstring)."""
        from dli_flink.model import schema  # loaded by the run already

        modules = [(str(schema.schema_path()), stamp(schema.schema_path()))]
        for module in list(sys.modules.values()):
            origin = getattr(module, "__file__", None)
            if isinstance(origin, str):
                modules.append((origin, stamp(origin)))
        config = (self._config_file(), *config_state)
        recorded = (FORMAT, config, modules, tuple(exclude), str(root), list(files), out, err, code)
        self._write(recorded)

    def _config_file(self) -> str | None:
        found = self.config if self.config is not None else find_config(Path.cwd())
        return str(found) if found is not None else None

    def _write(self, recorded: tuple) -> None:
        temporary = f"{self.file}.{os.getpid()}.tmp"
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                marshal.dump(recorded, handle)
            os.replace(temporary, self.file)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _same(
    path: str,
    recorded: Stamp,
    read_ns: int,
    digest: bytes,
    digest_of: Callable[[str], bytes | None],
) -> bool:
    """Whether the file at `path` is the one recorded: the same stamp, and when that was racy, the
    same content too."""
    if stamp(path) != recorded:
        return False
    return not racy(recorded, read_ns) or digest_of(path) == digest


def _bytes_digest_of(path: str) -> bytes | None:
    """The digest of a file's bytes (as cli/cache.py records sqlFiles), None if it cannot be read."""
    data = _read_regular(path)
    return None if data is None else bytes_digest(data)


def _read_regular(path: str) -> bytes | None:
    """A regular file's bytes; None for anything else. Opened without blocking, as job files are
    (model.source.read_text): a FIFO swapped in after the stat must not hang the run."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(descriptor)
