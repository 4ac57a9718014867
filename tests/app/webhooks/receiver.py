"""A real HTTP receiver on localhost for the webhook tests (a thread serving a socket).

Each request takes the next behaviour from `script` (when empty: `ok`): `ok` answers 204,
`fail` answers 500, `slow` waits `slow_seconds` before answering 204 (longer than the
deliverer's timeout in the tests), `redirect` answers 302 to `/elsewhere`, `drop` closes the
connection without an answer. `stop()`/`start()` take the listening socket away and back on the
same port (connection refused meanwhile). Every request is recorded, answered or not.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    behaviour: str


class Receiver:
    def __init__(self, slow_seconds: float = 3.0) -> None:
        self.script: deque[str] = deque()
        self.received: list[Received] = []
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _next(self) -> str:
        with self._lock:
            return self.script.popleft() if self.script else "ok"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                behaviour = receiver._next()
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, dict(self.headers.items()), body, behaviour)
                    )
                if behaviour == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if behaviour == "slow":
                    time.sleep(receiver.slow_seconds)
                if behaviour == "fail":
                    self._answer(500, b"receiver broke")
                elif behaviour == "redirect":
                    self.send_response(302)
                    self.send_header("location", "/elsewhere")
                    self.send_header("content-length", "0")
                    self.end_headers()
                else:
                    self._answer(204, b"")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self, behaviour: str | None = None) -> list[bytes]:
        return [r.body for r in self.received if behaviour is None or r.behaviour == behaviour]
