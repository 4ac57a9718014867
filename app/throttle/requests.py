"""API requests per minute, per API token and per user, and WebSocket connections per user.

Every authenticated request (GraphQL over HTTP, REST) is counted once its credential has been
verified — so nobody can spend someone else's budget with a forged token — against
`TRUEPPM_API_REQUESTS_PER_MINUTE`: each API token has its own budget, and the access tokens of
a user's logins share the user's. Over it, the answer is 429 with `Retry-After` (GraphQL: the
error code `TOO_MANY_REQUESTS` with `retryAfter`; REST: a problem+json). The counters are the
login guard's (Valkey-shared; in-process in the embedded mode). 0 turns the limit off.

Open WebSockets are capped per user (`TRUEPPM_WS_PER_USER`) in each API process: one more is
closed with 4429 right after `connection_init`.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter as Tally

from app.auth.principal import Principal
from app.settings import Settings
from app.throttle import Counter

WINDOW = 60
log = logging.getLogger(__name__)


def budget_key(principal: Principal) -> str:
    if principal.token_id is not None:
        return f"api:token:{principal.token_id}"
    return f"api:user:{principal.user_id}"


class RequestRate:
    def __init__(self, counter: Counter, settings: Settings) -> None:
        self.counter = counter
        self.limit = settings.api_requests_per_minute

    def message(self, retry_after: int) -> str:
        return (
            f"more than {self.limit} requests per minute with this credential; "
            f"retry in {retry_after} s"
        )

    async def charge(self, principal: Principal) -> int | None:
        """Count one request; the seconds to wait when it is over the budget, else None. When
        the counters cannot be reached (Valkey down) requests are served, not refused."""
        if self.limit <= 0:
            return None
        try:
            count, retry_after = await self.counter.add(budget_key(principal), WINDOW)
        except Exception:
            log.warning("request counters unreachable; not limiting", exc_info=True)
            return None
        return retry_after if count > self.limit else None


class SocketCap:
    """Open WebSockets per user in this process."""

    def __init__(self, settings: Settings) -> None:
        self.limit = settings.ws_per_user
        self._open: Tally[uuid.UUID] = Tally()

    def open(self, user_id: uuid.UUID) -> bool:
        """Take a slot; False (and nothing taken) when the user already has `limit`."""
        if self.limit > 0 and self._open[user_id] >= self.limit:
            return False
        self._open[user_id] += 1
        return True

    def close(self, user_id: uuid.UUID) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]

    def count(self, user_id: uuid.UUID) -> int:
        return self._open[user_id]
