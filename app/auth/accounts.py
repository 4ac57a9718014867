"""Accounts that stop working at once: staff disable (and re-enable) a user, and every API
process stops accepting that user's credentials.

`set_active` is the staff action: disabling revokes every refresh-token family of the user
and, after the commit, announces the revocation on the event bus, which closes the user's
open WebSockets on every process (graph/events/transport.py, 4401) and clears the account
from each process's `ActiveAccounts` cache. Access tokens (JWTs) are verified without the
database, so `ActiveAccounts` answers "is this account still active?" for them from a cache
of a few seconds, refreshed from the database and dropped on a revocation notice — a
disabled user's JWT is refused on the next request, not when it expires. API tokens check
the account in their own lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit import log as audit
from app.auth.revocations import Revocation, revoke_after_commit
from app.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from app.events.bus import EventBus
from app.models import RefreshToken, User

CACHE_SECONDS = 5.0


async def set_active(
    session: AsyncSession, actor_id: uuid.UUID, user_id: uuid.UUID, active: bool
) -> User:
    actor = await session.get(User, actor_id)
    if actor is None or not actor.is_staff or not actor.is_active:
        raise ForbiddenError("only staff can disable or enable accounts")
    if user_id == actor_id and not active:
        raise ValidationFailed([FieldProblem(("userId",), "you cannot disable your own account")])
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFoundError("no such user")
    if user.is_active == active:
        return user
    user.is_active = active
    if not active:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )
        revoke_after_commit(session, Revocation(user_id=user_id, account=True))
    audit.record(
        session,
        "user.enabled" if active else "user.disabled",
        actor_id=actor_id,
        user_id=user_id,
    )
    return user


@dataclass
class ActiveAccounts:
    """Per process: is an account active? "Yes" is cached for `CACHE_SECONDS` and forgotten at
    once when a revocation names the account; "no" is always read again."""

    sessions: async_sessionmaker[AsyncSession]
    bus: EventBus
    _known: dict[uuid.UUID, float] = field(default_factory=dict)  # active, seen at
    _listener: asyncio.Task[None] | None = None

    async def active(self, user_id: uuid.UUID) -> bool:
        listener = self._listener
        if listener is None or (
            listener.done() and (listener.cancelled() or listener.exception() is not None)
        ):
            # In the background: a request never waits for the bus (nor fails with it); until
            # the subscription stands, the cache's few seconds bound the delay.
            self._listener = asyncio.create_task(self._listen())
        now = time.monotonic()
        seen = self._known.get(user_id)
        if seen is not None and now - seen < CACHE_SECONDS:
            return True
        async with self.sessions() as session:
            found = await session.scalar(select(User.is_active).where(User.id == user_id))
        if not found:  # only "active" is remembered: enabling again takes effect at once
            self._known.pop(user_id, None)
            return False
        if len(self._known) > 10_000:  # bounded: old entries are worthless anyway
            self._known.clear()
        self._known[user_id] = now
        return True

    async def _listen(self) -> None:
        await self.bus.on_revocation(self._revoked)

    async def close(self) -> None:
        if self._listener is not None and not self._listener.done():
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def _revoked(self, revocation: Revocation) -> None:
        if revocation.account:
            self._known.pop(revocation.user_id, None)
