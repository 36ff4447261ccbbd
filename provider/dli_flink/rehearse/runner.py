"""One rehearsal JVM: a MiniCluster and the SQL planner (java/Runner.java), and Flink's REST API.

Why it is shaped so (flink-rehearsal.md, "Keeping it tidy"): the JVM runs in its own process group
and exits when its stdin closes, so a Python side that dies takes it along; it listens only on
127.0.0.1; its temporary files (the planner unpacks a 39 MB jar per JVM) go to a folder of the run,
removed on close, and a folder left by a killed run is removed by the next one. Answers come on the
JVM's stdout, one JSON line each; Flink's logs and the print sink go to a log file of the run.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from dli_flink.rehearse.install import RUNNER_CLASS, Installed, RehearseError, install

SLOTS = 16
"""Task slots of the MiniCluster: the highest parallelism rehearsed as is."""
JAVA_OPTIONS = (
    "-Xmx768m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+IgnoreUnrecognizedVMOptions",
    # The Java 17 flags Flink 1.18 passes anyway (flink-rehearsal.md: older versions need them too).
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    *(
        f"--add-opens=java.base/{package}=ALL-UNNAMED"
        for package in (
            "java.lang",
            "java.net",
            "java.io",
            "java.nio",
            "sun.nio.ch",
            "java.lang.reflect",
            "java.text",
            "java.time",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
            "java.util.concurrent.locks",
        )
    ),
)
START_SECONDS = 120.0
ANSWER_SECONDS = 180.0
"""The first submit of a JVM warms the planner up (about 10 s on 2 idle cores)."""
_PREFIX = "dli-flink-rehearse-"


class Runner:
    """A started runner JVM in `folder` (which close() removes)."""

    def __init__(self, installed: Installed, folder: Path) -> None:
        self.version = installed.version
        self.folder = folder
        (folder / "tmp").mkdir(parents=True)
        self.log = self.folder / "runner.log"
        command = [
            installed.java,
            *JAVA_OPTIONS,
            f"-Djava.io.tmpdir={self.folder / 'tmp'}",
            f"-Dlog4j2.configurationFile={installed.log4j}",
            "-cp",
            installed.classpath,
            RUNNER_CLASS,
            str(SLOTS),
            str(self.folder / "checkpoints"),
            str(self.folder / "savepoints"),
        ]
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self.folder,
                start_new_session=True,
            )
        self._answers: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.rest = self._answer(START_SECONDS)["rest"].rstrip("/")
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self._process.pid

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put(b"")

    def _answer(self, seconds: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=seconds)
        except queue.Empty:
            raise RehearseError(
                f"the Flink {self.version} runner did not answer in {seconds:.0f} s"
            ) from None
        if not line:
            raise RehearseError(f"the Flink {self.version} runner stopped: {self.log_tail()}")
        return json.loads(line)

    def log_tail(self) -> str:
        """The last line of the runner's log that says something."""
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return next(
            (line for line in reversed(lines) if "Exception" in line or "Error" in line),
            lines[-1] if lines else "no log",
        )

    def call(self, command: dict[str, Any]) -> dict[str, Any]:
        """One command to the JVM and its answer."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(command).encode() + b"\n")
            self._process.stdin.flush()
        except OSError:
            raise RehearseError(
                f"the Flink {self.version} runner stopped: {self.log_tail()}"
            ) from None
        return self._answer(ANSWER_SECONDS)

    # Flink's REST API, as the web UI and the CLI use it.

    def get(self, path: str) -> Any:
        return self._request("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._request("POST", path, body)

    def cancel(self, job: str) -> None:
        """Cancel a job that may already have ended."""
        try:
            self._request("PATCH", f"/jobs/{job}?mode=cancel")
        except RehearseError:
            return

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.rest + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                text = answer.read()
        except (urllib.error.URLError, OSError) as error:
            raise RehearseError(f"Flink's REST API ({method} {path}): {error}") from None
        return json.loads(text) if text else None

    def close(self) -> None:
        """Ask the JVM to exit; if it does not, end its whole process group; remove the run's files."""
        process = self._process
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.write(b'{"op":"exit"}\n')
                process.stdin.close()
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                _end_group(process)
        shutil.rmtree(self.folder, ignore_errors=True)


class Runners:
    """The runners of one run, one per Flink version, started on first use and all closed together.

    Their files live in one folder named after this process, so a folder left by a killed run is
    recognised and removed by the next run.
    """

    def __init__(self, progress: bool = True) -> None:
        _remove_abandoned()
        self.progress = progress
        self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        self._runners: dict[str, Runner] = {}
        self._jobs = 0

    def __enter__(self) -> Runners:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, minor: str) -> Runner:
        if minor not in self._runners:
            installed = install(minor, self.progress)
            self._runners[minor] = Runner(installed, self.folder / f"flink-{minor}")
        return self._runners[minor]

    def job_folder(self) -> Path:
        """A fresh folder for one rehearsal's tables."""
        self._jobs += 1
        folder = self.folder / "jobs" / str(self._jobs)
        folder.mkdir(parents=True)
        return folder

    def close(self) -> None:
        for runner in self._runners.values():
            runner.close()
        self._runners.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _remove_abandoned() -> None:
    """Run folders whose Python process is gone (killed before it could clean up)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        pid = folder.name.removeprefix(_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until(seconds: float, check: Any, interval: float = 0.2) -> Any:
    """Call `check()` until it returns something, at most `seconds`; None when time ran out."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(interval)
