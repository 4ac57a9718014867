"""Single-use WebSocket tickets: a browser trades its JWT for a ticket over HTTP, then sends
the ticket in `connection_init`, so no long-lived credential travels in a WebSocket URL or
sits in a socket library's reconnect options.

Only the SHA-256 of a ticket is stored, for `TICKET_TTL_SECONDS`, together with the principal
of the credential it was bought with: its user, its expiry (a connection opened with a ticket
ends when that credential would have) and, for an API token, its project/program limit, so a
scoped token cannot widen its reach by trading itself for a ticket. Redemption is atomic
(`GETDEL`), so a ticket works exactly once even when two API processes race for it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import valkey.asyncio as valkey

from app.auth.principal import Principal
from app.auth.tokens import new_opaque_token, token_digest

TICKET_TTL_SECONDS = 30


class TicketStore(Protocol):
    async def issue(self, grant: Principal) -> str: ...

    async def redeem(self, ticket: str) -> Principal | None: ...


def _encode(grant: Principal) -> str:
    fields = {k: (None if v is None else str(v)) for k, v in asdict(grant).items()}
    fields["expires_at"] = grant.expires_at.isoformat()
    return json.dumps({**fields, "read_only": grant.read_only})


def _decode(raw: str | bytes) -> Principal:
    data: dict[str, Any] = json.loads(raw)

    def ident(name: str) -> uuid.UUID | None:
        value = data.get(name)
        return None if value is None else uuid.UUID(value)

    return Principal(
        user_id=uuid.UUID(data["user_id"]),
        expires_at=dt.datetime.fromisoformat(data["expires_at"]),
        token_id=ident("token_id"),
        project_id=ident("project_id"),
        program_id=ident("program_id"),
        read_only=bool(data["read_only"]),
    )


@dataclass
class MemoryTicketStore:
    """The embedded default; expired tickets are swept whenever one is issued."""

    _tickets: dict[str, tuple[float, str]] = field(default_factory=dict)

    async def issue(self, grant: Principal) -> str:
        """A new ticket for `grant`, valid once for `TICKET_TTL_SECONDS`."""
        now = time.monotonic()
        self._tickets = {k: v for k, v in self._tickets.items() if v[0] > now}
        ticket = new_opaque_token()
        self._tickets[token_digest(ticket)] = (now + TICKET_TTL_SECONDS, _encode(grant))
        return ticket

    async def redeem(self, ticket: str) -> Principal | None:
        """The grant of a live, unused ticket (consuming it), else None."""
        entry = self._tickets.pop(token_digest(ticket), None)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return _decode(entry[1])


class RedisTicketStore:
    """Tickets in Valkey, redeemable on any API process."""

    def __init__(self, client: valkey.Valkey) -> None:
        self.client = client

    async def issue(self, grant: Principal) -> str:
        """A new ticket for `grant`, valid once for `TICKET_TTL_SECONDS`."""
        ticket = new_opaque_token()
        await self.client.set(_key(ticket), _encode(grant), ex=TICKET_TTL_SECONDS)
        return ticket

    async def redeem(self, ticket: str) -> Principal | None:
        """The grant of a live, unused ticket (consuming it), else None."""
        raw = await self.client.getdel(_key(ticket))
        return None if raw is None else _decode(raw)


def _key(ticket: str) -> str:
    return f"trueppm:ticket:{token_digest(ticket)}"
