"""Which files are job files: the ones named, and the YAML found under the folders named.

One selection for every reader of job folders (`dli-flink validate`, `dli-flink review` and the
Pulumi program's `load_jobs`), so a file the validator skips is never deployed unchecked, and the
other way round.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")
CONFIG_FILE_NAME = ".dli-flink.yaml"
_SKIPPED_NAMES = ("Pulumi.yaml", "Pulumi.*.yaml", "PulumiPolicy.yaml")
"""Files a job folder often holds next to the jobs (a Pulumi project) and that are not jobs."""


class UsageError(Exception):
    """A path that cannot be used (missing, a symlink loop): the run cannot do what was asked."""


def collect_files(
    paths: Iterable[Path], exclude: Sequence[str] = (), root: Path | None = None
) -> list[Path]:
    """The YAML files named or found (recursively) under `paths`, in a stable order, each once.

    Walking a folder skips hidden entries, Pulumi project files and the `exclude` glob patterns
    (relative to `root`, default the working directory); a file named explicitly is always checked.
    A file reached twice (`jobs` and `$PWD/jobs/x.yaml`, or a symlink beside its target) is one
    file, kept under the first name: checked twice, its job would clash with itself. Files are told
    apart by device and inode, from the stat the walk makes anyway.
    """
    files: dict[tuple[int, int], Path] = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            raise UsageError(_missing(path, error)) from None
        if not stat.S_ISDIR(info.st_mode):
            files.setdefault((info.st_dev, info.st_ino), path)
            continue
        for found in sorted(p for p in _under(path) if is_job_file(p, path, exclude, root)):
            try:
                info = found.stat()
            except OSError:  # gone, or a broken link: not a job file
                continue
            if stat.S_ISREG(info.st_mode):
                files.setdefault((info.st_dev, info.st_ino), found)
    return list(files.values())


def _under(top: Path) -> Iterator[Path]:
    """Every entry below folder `top`, as `top.rglob("*")` finds them (links to folders are not
    followed, a folder that cannot be listed is skipped), but for hidden ones and what is below
    them, none of which is a job file: a `.git` folder alone holds thousands of files. Written out
    because rglob's own bookkeeping (every path hashed into a set) was half of a 1,000-file walk."""
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:  # unreadable, or gone since it was listed
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            yield path
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
            except OSError:
                continue


@functools.cache
def _skipped_name() -> re.Pattern[str]:
    """`_SKIPPED_NAMES` as one pattern, matched as fnmatch.fnmatch matches each: a folder walk
    asks it of every file, and three fnmatch calls a file were a tenth of a 1,000-file walk."""
    patterns = (fnmatch.translate(os.path.normcase(pattern)) for pattern in _SKIPPED_NAMES)
    return re.compile("|".join(patterns))


def _missing(path: Path, error: OSError) -> str:
    """Why a path named on the command line cannot be used, in words that point at the fix."""
    if error.errno == errno.ELOOP:
        return f"{path}: a symbolic link loop: point the link at a job file or remove it"
    if error.errno == errno.ENOENT and path.is_symlink():
        return f"{path}: a broken symbolic link (to {os.readlink(path)}): fix or remove it"
    reason = error.strerror or "cannot be read"
    return f"{path}: {reason[:1].lower()}{reason[1:]}"


def is_job_file(
    path: Path, top: Path, exclude: Sequence[str] = (), root: Path | None = None
) -> bool:
    """Whether a file found under folder `top` is one to check as job YAML."""
    if path.suffix not in YAML_SUFFIXES:
        return False
    parts, top_parts = path.parts, top.parts
    inside = parts[len(top_parts) :] if parts[: len(top_parts)] == top_parts else None
    if any(part.startswith(".") for part in inside or path.relative_to(top).parts):
        return False
    if _skipped_name().match(os.path.normcase(path.name)):
        return False
    if not exclude:
        return True
    try:
        relative = path.resolve().relative_to((root or Path.cwd()).resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return not any(fnmatch.fnmatch(relative, pattern) for pattern in exclude)


def find_config(start: Path) -> Path | None:
    """The nearest `.dli-flink.yaml` in `start` or a folder above it: here, without the rules, so
    a warm validate run (cli/manifest.py) finds it without importing them."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
    return None
