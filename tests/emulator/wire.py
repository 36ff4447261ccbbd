"""Hand-made requests for what the official SDK cannot or will not send (hostile bodies and headers),
and the emulator as a separate process (`Process`), whose memory can be measured on its own.

Requests are signed with the official SDK's own `Signer`, so a refusal means the emulator saw a real
difference, not a bug in a second signer. `signed_call` sends a small body with urllib; `raw_call`
streams a body (of any size, never held in memory) or only announces one, over http.client.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from tests.conftest import ACCESS_KEY, PROJECT_ID, SECRET_KEY, RunningEmulator

READY = re.compile(r"^DLI emulator listening on (http://127\.0\.0\.1:(\d+)) \((\S+)\)$")


class Process:
    """`dli-flink emulator` in a child process, started and ready; its stderr piped, or sent to
    `stderr` (a file: a long run can log more than a pipe holds unread)."""

    def __init__(
        self, data_dir: Path, *extra: str, speed: float = 10, stderr: Any = subprocess.PIPE
    ) -> None:
        command = [sys.executable, "-m", "dli_flink", "emulator", "--port", "0"]
        command += ["--data-dir", str(data_dir), "--speed", str(speed)]
        command += ["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY]
        command += ["--project-id", PROJECT_ID, *extra]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        line = self.proc.stdout.readline().rstrip("\n")
        match = READY.match(line)
        assert match, (
            f"unexpected first line {line!r}: {self.proc.stderr and self.proc.stderr.read()}"
        )
        assert match[3] == PROJECT_ID
        self.endpoint = match[1]
        self.emulator = RunningEmulator.at(self.endpoint, data_dir)

    def stop(self, signum: int) -> int:
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=10)


def signed_headers(
    emulator: Any,
    path: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    query: list[tuple[str, object]] | None = None,
    date: datetime | None = None,
    project_header: str | None = None,
    secret: str | None = None,
) -> tuple[str, dict[str, str]]:
    """The request URI (path and query) and the headers the SDK would send for this request."""
    host = emulator.endpoint.removeprefix("http://")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "test",
        "X-Project-Id": project_header or emulator.project_id,
    }
    if date is not None:
        headers["X-Sdk-Date"] = date.strftime("%Y%m%dT%H%M%SZ")
    request = SdkRequest(
        method=method,
        schema="http",
        host=host,
        resource_path=path,
        query_params=query or [],
        header_params=headers,
        body=body,
    )
    credentials = BasicCredentials(emulator.access_key, secret or emulator.secret_key)
    Signer(credentials).sign(request)
    return request.uri, dict(request.header_params)


def signed_call(
    emulator: Any,
    path: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    query: list[tuple[str, object]] | None = None,
    date: datetime | None = None,
    project_header: str | None = None,
    tamper: bytes | None = None,
    secret: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Send a signed request (its body replaced by `tamper` after signing); (status, JSON answer)."""
    uri, headers = signed_headers(
        emulator,
        path,
        method=method,
        body=body,
        query=query,
        date=date,
        project_header=project_header,
        secret=secret,
    )
    http = urllib.request.Request(
        f"{emulator.endpoint}{uri}", data=tamper or body or None, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(http, timeout=30) as answer:
            data = answer.read()  # empty for a 204 (the tag API's success)
            return answer.status, json.loads(data) if data else {}
    except urllib.error.HTTPError as error:
        assert error.headers["X-Request-Id"]
        assert error.headers["Content-Type"] == "application/json", error.read()[:200]
        return error.code, json.loads(error.read())


def raw_call(
    endpoint: str,
    method: str,
    uri: str,
    headers: dict[str, str],
    chunks: Iterable[bytes] = (),
    timeout: float = 60,
) -> tuple[int, str, bytes]:
    """Send the headers as given, then stream `chunks` as the body (nothing: the body announced by
    a Content-Length header never comes); (status, Content-Type, answer body)."""
    host, port = endpoint.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.putrequest(method, uri, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        for chunk in chunks:
            connection.send(chunk)
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type", ""), answer.read()
    finally:
        connection.close()


def zeros(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """`total` bytes in chunks of `chunk`, never more than one chunk in memory."""
    block = bytes(chunk)
    for start in range(0, total, chunk):
        yield block[: min(chunk, total - start)]


def chunked(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """`chunks` framed for Transfer-Encoding: chunked, with the closing empty chunk."""
    for chunk in chunks:
        yield b"%x\r\n%s\r\n" % (len(chunk), chunk)
    yield b"0\r\n\r\n"


def memory_kib(pid: int) -> dict[str, int]:
    """A process's resident memory from /proc (Linux): VmRSS now and VmHWM, its peak, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields
