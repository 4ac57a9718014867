"""WebSocket authentication and closing for both subscription protocols.

Auth travels in the `connection_init` payload, never in the URL: `{"authorization": "Bearer
<jwt or API token>"}` or `{"ticket": "<single-use ticket>"}`. A connection without valid
credentials is closed with 4401; the connection ends with 4401 when the token it was opened
with expires, and with 4429 when the user already holds TRUEPPM_WS_PER_USER sockets on this
process. An API token's project or program limit applies to its subscriptions.
Resolvers close the socket through `connection_of(request)` (4403 non-member, 4008 slow
consumer); after such a close nothing more is sent on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from app.auth.bearer import resolve_bearer
from app.auth.principal import Principal, acting_as
from app.auth.revocations import Revocation
from app.authz import project_role
from app.errors import AuthenticationError, NotFoundError
from app.metrics import WEBSOCKETS
from app.state import AppState
from graph.context import Context

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_SLOW_CONSUMER = 4008
CLOSE_TOO_MANY = 4429
_SCOPE_KEY = "trueppm.ws"


class Connection:
    """One WebSocket's auth expiry, revocations and close state, shared with the resolvers."""

    def __init__(self, websocket: Any) -> None:
        self.websocket = websocket
        self.closed = False
        self._expiry: asyncio.Task[None] | None = None
        self.principal: Principal | None = None
        self.state: AppState | None = None
        # Projects this connection's subscriptions watch (how many subscriptions each).
        self.projects: dict[uuid.UUID, int] = {}
        self._unwatch: Callable[[], None] | None = None
        self._slot: tuple[Any, uuid.UUID] | None = None  # (SocketCap, user) while it counts

    def take_slot(self, state: AppState, user_id: uuid.UUID) -> bool:
        """Count this socket against the user's cap; False when the cap is reached."""
        if not state.socket_cap.open(user_id):
            return False
        self._slot = (state.socket_cap, user_id)
        WEBSOCKETS.inc()
        return True

    async def watch(self, state: AppState, principal: Principal) -> None:
        """From now on, a revocation of `principal`'s credential or memberships ends this
        connection or its subscriptions (app/auth/revocations.py)."""
        self.state, self.principal = state, principal
        self._unwatch = await state.events.on_revocation(self._revoked)

    async def _revoked(self, revocation: Revocation) -> None:
        principal, state = self.principal, self.state
        if self.closed or principal is None or state is None:
            return
        if revocation.user_id != principal.user_id:
            return
        if revocation.account:
            await self.close(CLOSE_UNAUTHENTICATED, "the account was disabled")
        elif revocation.token_id is not None and revocation.token_id == principal.token_id:
            await self.close(CLOSE_UNAUTHENTICATED, "the API token was revoked")
        elif revocation.session_id is not None and revocation.session_id == principal.session_id:
            await self.close(CLOSE_UNAUTHENTICATED, "logged out")
        elif revocation.project_ids:
            watched = [p for p in revocation.project_ids if self.projects.get(p)]
            with acting_as(principal):
                async with state.sessions() as session:
                    for project_id in watched:
                        try:
                            await project_role(session, principal.user_id, project_id)
                        except NotFoundError:
                            await self.close(CLOSE_FORBIDDEN, "no longer a member of the project")
                            return

    def watching(self, project_id: uuid.UUID, delta: int) -> None:
        count = self.projects.get(project_id, 0) + delta
        if count > 0:
            self.projects[project_id] = count
        else:
            self.projects.pop(project_id, None)

    async def close(self, code: int, reason: str) -> None:
        """Close once; later sends on this connection are dropped."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(RuntimeError):  # the client was already gone
            await self.websocket.close(code, reason)

    def expire_at(self, when: dt.datetime) -> None:
        delay = max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
        self._expiry = asyncio.create_task(self._expire(delay))

    async def _expire(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.close(CLOSE_UNAUTHENTICATED, "token expired")

    def stop(self) -> None:
        if self._slot is not None:
            cap, user_id = self._slot
            cap.close(user_id)
            self._slot = None
            WEBSOCKETS.dec()
        if self._expiry is not None:
            self._expiry.cancel()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None


def connection_of(request: Any) -> Connection | None:
    """The connection a subscription resolver runs on (None over HTTP)."""
    scope = getattr(request, "scope", None)
    return None if scope is None else scope.get(_SCOPE_KEY)


async def authenticate(state: AppState, payload: dict[str, Any]) -> Principal | str:
    """The principal of a connection_init payload, or the reason for refusing."""
    ticket = payload.get("ticket")
    if isinstance(ticket, str) and ticket:
        grant = await state.events.tickets.redeem(ticket)
        if grant is None:
            return "invalid, expired or already used ticket"
        return grant
    header = payload.get("authorization") or payload.get("Authorization")
    if not isinstance(header, str):
        return "authentication required in connection_init"
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "authorization must be 'Bearer <token>'"
    try:
        return await resolve_bearer(
            state.settings, state.sessions, token.strip(), accounts=state.accounts
        )
    except AuthenticationError as exc:
        return exc.message


async def _init(handler: Any, payload: object) -> tuple[int, str] | None:
    """Authenticate and attach the connection; the close code and reason when refused, or
    None when accepted."""
    context: Context = handler.context
    context.principal = None  # only connection_init credentials count on a WebSocket
    connection = Connection(handler.websocket)
    context.request.scope[_SCOPE_KEY] = connection
    handler.trueppm_connection = connection
    if not isinstance(payload, dict):
        return None  # let Strawberry refuse the malformed payload its own way
    result = await authenticate(context.state, payload)
    if isinstance(result, str):
        return CLOSE_UNAUTHENTICATED, result
    if not connection.take_slot(context.state, result.user_id):
        limit = context.state.settings.ws_per_user
        return CLOSE_TOO_MANY, f"too many open connections for this user (at most {limit})"
    context.principal = result
    connection.expire_at(result.expires_at)
    await connection.watch(context.state, result)
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with our auth and close codes."""

    trueppm_connection: Connection | None = None

    async def handle_connection_init(self, message: Any) -> None:
        if self.connection_init_received:
            await super().handle_connection_init(message)
            return
        refused = await _init(self, message.get("payload", {}))
        if refused is None:
            await super().handle_connection_init(message)
            return
        self.connection_init_received = True
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        assert self.trueppm_connection is not None
        await self.trueppm_connection.close(*refused)

    async def handle_subscribe(self, message: Any) -> None:
        """A `subscribe` may name a persisted operation (`payload.extensions.persistedQuery`,
        graph/persisted.py) instead of carrying its document."""
        payload = message.get("payload")
        if isinstance(payload, dict) and self.connection_acknowledged:
            try:
                payload["query"] = await self.schema.persisted.resolve(  # type: ignore[attr-defined]
                    payload.get("query"), payload.get("extensions")
                )
            except GraphQLError as exc:
                await self.send_message(
                    {"id": message.get("id"), "type": "error", "payload": [exc.formatted]}
                )
                return
        await super().handle_subscribe(message)

    async def send_message(self, message: Any) -> None:
        if self.trueppm_connection is None or not self.trueppm_connection.closed:
            await super().send_message(message)

    async def shutdown(self) -> None:
        if self.trueppm_connection is not None:
            self.trueppm_connection.stop()
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy graphql-ws (subscriptions-transport-ws) with the same auth and close codes;
    a refused connection_init is answered with `connection_error` before the close."""

    trueppm_connection: Connection | None = None

    async def handle_connection_init(self, message: Any) -> None:
        refused = await _init(self, message.get("payload") or {})
        if refused is None:
            await super().handle_connection_init(message)
            return
        code, reason = refused
        await super().send_message({"type": "connection_error", "payload": {"message": reason}})
        assert self.trueppm_connection is not None
        await self.trueppm_connection.close(code, reason)

    async def send_message(self, message: Any) -> None:
        if self.trueppm_connection is None or not self.trueppm_connection.closed:
            await super().send_message(message)

    async def cleanup(self) -> None:
        if self.trueppm_connection is not None:
            self.trueppm_connection.stop()
        await super().cleanup()
