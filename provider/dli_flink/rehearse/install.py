"""First use: Flink's jars from PyPI and the compiled runner, in a per-user cache.

Why PyPI: it is the one registry every machine of ours reaches, and it ships Flink's jars
(flink-rehearsal.md, "Getting Flink"): `apache-flink-libraries` from 1.13 on, the `apache-flink`
wheels before. Only the jars of `lib/` are kept; they are taken straight out of the downloaded
archive (pip download, then tarfile/zipfile), which is seconds where building and installing the
package's wheel from its sdist takes most of a minute. The runner's Java source is compiled against
each Flink version once, keyed by the source's hash, so an edited source is never run stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath


class RehearseError(Exception):
    """The rehearsal cannot be done at all (no JDK, no network for the first download): one line,
    exit 2."""


@dataclass(frozen=True)
class Release:
    """Where one Flink minor version's jars come from."""

    version: str
    package: str
    pip_args: tuple[str, ...]
    """How pip picks the archive: the sdist, or the wheel built for Python 3.8 (the 1.12.5 wheels
    exist only for CPython 3.5-3.8, and only their jars are used)."""
    lib: str
    """The folder of the jars inside the archive."""
    megabytes: int


RELEASES = {
    "1.12": Release(
        "1.12.5",
        "apache-flink",
        ("--only-binary", ":all:", "--python-version", "3.8", "--platform", "manylinux1_x86_64"),
        "pyflink/lib",
        235,
    ),
    "1.15": Release("1.15.4", "apache-flink-libraries", ("--no-binary", ":all:"), "deps/lib", 215),
    "1.17": Release("1.17.2", "apache-flink-libraries", ("--no-binary", ":all:"), "deps/lib", 225),
}
"""The Flink minor versions DLI runs, at their last patch release on PyPI."""

RUNNER_SOURCE = "java/Runner.java"
RUNNER_CLASS = "dliflink.rehearse.Runner"
LOG4J = """\
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
appender.err.name = err
appender.err.type = Console
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
"""
"""Flink logs warnings to stderr (a file of the run): stdout carries the runner's answers."""


@dataclass(frozen=True)
class Installed:
    """What starting a runner for one Flink version needs."""

    version: str
    java: str
    classpath: str
    log4j: Path


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dli-flink"


def find_jdk() -> tuple[str, str]:
    """`java` and `javac` from JAVA_HOME, else from PATH."""
    home = os.environ.get("JAVA_HOME")
    candidates = [Path(home) / "bin"] if home else []
    found = []
    for tool in ("java", "javac"):
        path = next((str(c / tool) for c in candidates if (c / tool).is_file()), None)
        found.append(path or shutil.which(tool))
    if not all(found):
        raise RehearseError(
            "rehearse needs a JDK 17 (java and javac), and none was found in JAVA_HOME or on PATH: "
            "install one (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
        )
    return found[0], found[1]  # type: ignore[return-value]


def install(minor: str, progress: bool = True) -> Installed:
    """Flink `minor`'s jars and the runner compiled against them, downloaded and built on first use."""
    java, javac = find_jdk()
    release = RELEASES[minor]
    root = cache_root()
    with _locked(root / "install.lock"):
        lib = _jars(release, root / "flink" / release.version, progress)
        classes = _compiled(release, javac, lib, root / "runner")
    return Installed(
        release.version, java, f"{classes}{os.pathsep}{lib / '*'}", classes / "log4j2.properties"
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One installer at a time per user (two test sessions, or a test and a user's run)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _jars(release: Release, target: Path, progress: bool) -> Path:
    lib = target / "lib"
    if lib.is_dir():
        return lib
    started = time.monotonic()
    if progress:
        print(
            f"dli-flink: first use of Flink {release.version}: downloading its jars from PyPI "
            f"({release.package}, about {release.megabytes} MB) into {target} ...",
            file=sys.stderr,
            flush=True,
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="download-", dir=target.parent) as scratch:
        archive = _download(release, Path(scratch))
        staged = Path(scratch) / "lib"
        staged.mkdir()
        _extract(archive, release.lib, staged)
        target.mkdir(exist_ok=True)
        staged.rename(lib)
    if progress:
        print(
            f"dli-flink: Flink {release.version} ready ({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    return lib


def _download(release: Release, folder: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "--dest",
        str(folder),
        *release.pip_args,
        f"{release.package}=={release.version}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    archives = [p for p in folder.iterdir() if p.suffix in (".gz", ".whl")]
    if done.returncode != 0 or not archives:
        lines = (done.stderr or done.stdout).strip().splitlines()
        reason = next((line for line in reversed(lines) if line.startswith("ERROR")), None)
        raise RehearseError(
            f"could not download Flink {release.version} ({release.package}=={release.version}) "
            f"from PyPI: {(reason or (lines[-1] if lines else 'pip failed')).removeprefix('ERROR: ')}"
            " (the first rehearsal on each Flink version needs network access to PyPI)"
        )
    return archives[0]


def _extract(archive: Path, lib: str, target: Path) -> None:
    """The jars directly in `lib` of the archive (an sdist's top folder is skipped)."""

    def wanted(name: str) -> str | None:
        path = PurePosixPath(name)
        folder = path.parent.as_posix()
        inside = folder == lib or folder.endswith(f"/{lib}")
        return path.name if inside and path.suffix == ".jar" else None

    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            for name in wheel.namelist():
                if jar := wanted(name):
                    (target / jar).write_bytes(wheel.read(name))
        return
    with tarfile.open(archive) as sdist:
        for member in sdist:
            if member.isfile() and (jar := wanted(member.name)):
                source = sdist.extractfile(member)
                assert source is not None
                with (target / jar).open("wb") as out:
                    shutil.copyfileobj(source, out)


def _compiled(release: Release, javac: str, lib: Path, root: Path) -> Path:
    source = resources.files("dli_flink.rehearse").joinpath(RUNNER_SOURCE).read_bytes()
    key = hashlib.sha256(source + release.version.encode()).hexdigest()[:16]
    classes = root / f"{release.version}-{key}"
    if classes.is_dir():
        return classes
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="runner-", dir=root) as scratch:
        java_file = Path(scratch) / "Runner.java"
        java_file.write_bytes(source)
        out = Path(scratch) / "classes"
        command = [
            javac,
            "--release",
            "8",
            "-nowarn",
            "-cp",
            str(lib / "*"),
            "-d",
            str(out),
            str(java_file),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            first = next(iter(done.stderr.strip().splitlines()), "javac failed")
            raise RehearseError(
                f"could not compile the rehearsal runner for Flink {release.version}: {first}"
            )
        (out / "log4j2.properties").write_text(LOG4J)
        out.rename(classes)
    return classes
