"""Mutations of the auth domain: register, login, refresh rotation, logout."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.auth import service
from app.errors import AppError
from app.state import UnitOfWork
from graph.auth.types import AuthPayload, LogoutPayload
from graph.context import Info
from graph.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    ValidationError,
    run_mutation,
    to_error,
)

RegisterResult = Annotated[
    AuthPayload | ValidationError | Conflict | Forbidden, strawberry.union("RegisterResult")
]
LoginResult = Annotated[AuthPayload | AuthenticationFailed, strawberry.union("LoginResult")]


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Create an account (only when open registration is on).")
    async def register(
        self, info: Info, email: str, password: str, name: str = ""
    ) -> RegisterResult:
        async def work(uow: UnitOfWork) -> AuthPayload:
            pair = await service.register(uow.session, info.context.settings, email, password, name)
            return AuthPayload.from_pair(pair)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Exchange e-mail and password for tokens.")
    async def login(self, info: Info, email: str, password: str) -> LoginResult:
        async def work(uow: UnitOfWork) -> AuthPayload:
            pair = await service.login(uow.session, info.context.settings, email, password)
            return AuthPayload.from_pair(pair)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Rotate a refresh token. Reusing an old one revokes its whole login."
    )
    async def refresh_token(self, info: Info, refresh_token: str) -> LoginResult:
        try:
            async with info.context.transaction() as uow:
                try:
                    pair = await service.refresh(uow.session, info.context.settings, refresh_token)
                except service.ReusedRefreshToken as exc:
                    # The revocation of the family must be committed, so leave the
                    # transaction normally and report the failure afterwards.
                    return AuthenticationFailed(message=exc.message)
                return AuthPayload.from_pair(pair)
        except AppError as exc:
            return to_error(exc)  # type: ignore[return-value]

    @strawberry.mutation(description="Revoke the login a refresh token belongs to.")
    async def logout(self, info: Info, refresh_token: str) -> LogoutPayload:
        async with info.context.transaction() as uow:
            revoked = await service.logout(uow.session, refresh_token)
        return LogoutPayload(revoked=revoked)
