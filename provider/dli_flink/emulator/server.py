"""Start and stop the emulator: a threaded werkzeug server in a background thread.

Used in-process by the test fixtures and by `dli-flink emulator`. Binds loopback by default; port 0
picks a free port (read it back from `Emulator.port`).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dli_flink.emulator.models import Backend, Settings
from dli_flink.emulator.responses import DliApp


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: the emulator serves thousands of polls."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Emulator:
    """A running emulator: `endpoint`, `port`, `backend`; `close()` stops it (also as a context)."""

    def __init__(
        self,
        settings: Settings,
        data_dir: Path,
        credentials: Mapping[str, str],
        host: str = "127.0.0.1",
        port: int = 0,
        poll_interval: float = 0.1,
    ) -> None:
        """`poll_interval`: how often the serving thread looks for a `close()`, so the longest a
        close waits for it (the test fixtures, which start and close hundreds, pass less)."""
        self.backend = Backend(settings, data_dir)
        self.data_dir = data_dir
        app = DliApp(self.backend, credentials)
        try:
            # Bind here rather than in werkzeug, which prints and exits on a busy port: the CLI
            # must say it in one line and tests must get an OSError.
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.create_server((host, port), family=family, backlog=128) as listener:
                self._server: BaseWSGIServer = make_server(
                    host,
                    listener.getsockname()[1],
                    app,
                    threaded=True,
                    request_handler=_QuietHandler,
                    fd=listener.fileno(),
                )
        except BaseException:
            self.backend.stop()
            raise
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.socket.getsockname()[1]
        self.backend.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )
        self._thread.start()

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self.backend.stop()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
