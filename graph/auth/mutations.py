"""Mutations of the auth domain: register, login, single sign-on, refresh rotation, logout."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.audit import log as audit
from app.auth import accounts, service
from app.errors import AppError
from app.sso import flow as sso
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from app.throttle.login import TooManyAttempts
from graph.auth.types import AuthPayload, LogoutPayload, User, UserPayload
from graph.context import Info
from graph.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    ValidationError,
    run_mutation,
    to_error,
)

RegisterResult = Annotated[
    AuthPayload | ValidationError | Conflict | Forbidden | TooManyRequests,
    strawberry.union("RegisterResult"),
]
SetUserActiveResult = Annotated[
    UserPayload | NotFound | Forbidden | ValidationError, strawberry.union("SetUserActiveResult")
]
LoginResult = Annotated[
    AuthPayload | AuthenticationFailed | TooManyRequests, strawberry.union("LoginResult")
]


def _address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client is not None else "unknown"


def _too_many(info: Info, exc: TooManyAttempts) -> TooManyRequests:
    info.context.response.headers["retry-after"] = str(exc.retry_after)
    return TooManyRequests(message=str(exc), retry_after=exc.retry_after)


async def _audit_refusal(info: Info, event: str, email: str, address: str, reason: str) -> None:
    """A refused sign-in, committed on its own (the login's transaction rolled back); the
    account it was for when one has that e-mail."""
    state = info.context.state
    async with state.sessions() as session:
        user = await service.find_user_by_email(session, email)
    await audit.record_now(
        state.sessions,
        event,
        user_id=user.id if user is not None else None,
        address=address,
        details={"reason": reason} if user is not None else {"reason": reason, "email": email},
    )


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Create an account (only when open registration is on).")
    async def register(
        self, info: Info, email: str, password: str, name: str = ""
    ) -> RegisterResult:
        try:
            await info.context.state.login_guard.spend("register", _address(info))
        except TooManyAttempts as exc:
            return _too_many(info, exc)

        async def work(uow: UnitOfWork) -> AuthPayload:
            pair = await service.register(uow.session, info.context.settings, email, password, name)
            return AuthPayload.from_pair(pair)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Exchange e-mail and password for tokens.")
    async def login(self, info: Info, email: str, password: str) -> LoginResult:
        guard, address = info.context.state.login_guard, _address(info)
        try:  # a locked account or address is refused before the password is even checked
            await guard.check(email, address)
        except TooManyAttempts as exc:
            await _audit_refusal(info, "login.throttled", email, address, str(exc))
            return _too_many(info, exc)

        async def work(uow: UnitOfWork) -> AuthPayload:
            pair = await service.login(uow.session, info.context.settings, email, password, address)
            return AuthPayload.from_pair(pair)

        result = await run_mutation(info, work)
        if isinstance(result, AuthenticationFailed):
            await guard.failed(email, address)
            await _audit_refusal(info, "login.failed", email, address, result.message)
        elif isinstance(result, AuthPayload):
            await guard.succeeded(email)
        return result  # type: ignore[return-value]

    @strawberry.mutation(
        description="Rotate a refresh token. Reusing an old one revokes its whole login."
    )
    async def refresh_token(self, info: Info, refresh_token: str) -> LoginResult:
        try:
            await info.context.state.login_guard.spend("refresh", _address(info))
        except TooManyAttempts as exc:
            return _too_many(info, exc)
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

    @strawberry.mutation(
        description="Trade the one-time `sso_code` of a single sign-on (docs/sso.md) for tokens."
    )
    async def exchange_sso_code(self, info: Info, code: str) -> LoginResult:
        try:
            await info.context.state.login_guard.spend("sso", _address(info))
        except TooManyAttempts as exc:
            return _too_many(info, exc)

        async def work(uow: UnitOfWork) -> AuthPayload:
            pair = await sso.exchange(uow.session, info.context.settings, code, _address(info))
            return AuthPayload.from_pair(pair)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Staff: disable an account, or enable it again. Disabling ends every "
        "login of the account and closes its open WebSockets at once, on every API process; "
        "its access and API tokens are refused from the next request."
    )
    async def set_user_active(
        self, info: Info, user_id: strawberry.ID, active: bool
    ) -> SetUserActiveResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> UserPayload:
            target = parse_id(user_id, "user")
            user = await accounts.set_active(uow.session, actor, target, active)
            return UserPayload(user=User.from_model(user))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Revoke the login a refresh token belongs to.")
    async def logout(self, info: Info, refresh_token: str) -> LogoutPayload:
        async with info.context.transaction() as uow:
            revoked = await service.logout(uow.session, refresh_token)
        return LogoutPayload(revoked=revoked)
