"""The typed GraphQL context built for every operation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info as _Info

from app.auth.principal import Principal, acting_as
from app.errors import ForbiddenError
from app.settings import Settings
from app.state import AppState, UnitOfWork, unit_of_work

READ_ONLY_MESSAGE = "this API token is read-only"


@dataclass
class Context:
    state: AppState
    request: Any
    response: Any
    # Who the operation acts as: a JWT's user, or an API token with its limits.
    principal: Principal | None
    auth_error: str | None = None
    # Seconds to wait when this request is over its credential's budget (app/throttle).
    rate_limited: int | None = None
    request_id: str = ""
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def user_id(self) -> uuid.UUID | None:
        return None if self.principal is None else self.principal.user_id

    def require_user(self) -> uuid.UUID:
        """The caller's id; an unauthenticated operation fails as a whole (a transport concern,
        like HTTP 401), not as a union member."""
        if self.rate_limited is not None:
            raise GraphQLError(
                self.state.request_rate.message(self.rate_limited),
                extensions={"code": "TOO_MANY_REQUESTS", "retryAfter": self.rate_limited},
            )
        if self.principal is None:
            raise GraphQLError(
                self.auth_error or "authentication required",
                extensions={"code": "UNAUTHENTICATED"},
            )
        return self.principal.user_id

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A short read-only session for a query resolver; an API token's project or program
        limit applies to every authorization query run in it."""
        with acting_as(self.principal):
            async with self.state.sessions() as session:
                yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """The mutation's transaction: commit on success, after-commit hooks afterwards; the
        caller is the actor of the history entries it writes. A read-only API token never gets
        one (the schema refuses its mutations before they run; this is the second lock)."""
        if self.principal is not None and self.principal.read_only:
            raise ForbiddenError(READ_ONLY_MESSAGE)
        with acting_as(self.principal):
            async with unit_of_work(
                self.state.sessions, self.state.uow_context, actor_id=self.user_id
            ) as uow:
                yield uow


Info = _Info[Context, None]
