"""A graceful drain on SIGTERM, for load balancers and Kubernetes.

uvicorn's own SIGTERM handling stops accepting at once, lets requests finish and closes
WebSockets with 1012 (service restart: clients reconnect elsewhere). Before it, a serving
process first keeps answering for `TRUEPPM_DRAIN_SECONDS` while `/readyz` says 503, so that
the load balancer (or the endpoints controller) stops sending it traffic before its socket
closes. The drain wraps the handler uvicorn installed (each worker process of
`trueppm serve --workers N` has its own); a second SIGTERM, and SIGINT, stop at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger("trueppm.serve")

Handler = Callable[[int, FrameType | None], Any]


class Drain:
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.active = False
        self._previous: Handler | None = None

    def install(self) -> None:
        """Wrap the running server's SIGTERM handler (nothing to wrap outside a server)."""
        if self.seconds <= 0 or threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return
        self._previous = previous
        signal.signal(signal.SIGTERM, self._terminate)

    def uninstall(self) -> None:
        if self._previous is not None and signal.getsignal(signal.SIGTERM) == self._terminate:
            signal.signal(signal.SIGTERM, self._previous)

    def _terminate(self, signum: int, frame: FrameType | None) -> None:
        previous = self._previous
        assert previous is not None
        if self.active:  # asked again: stop now
            previous(signum, frame)
            return
        self.active = True
        log.info("SIGTERM: draining", extra={"seconds": self.seconds})
        timer = threading.Timer(self.seconds, previous, (signum, None))
        timer.daemon = True
        timer.start()
