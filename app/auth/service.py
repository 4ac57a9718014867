"""Accounts: registration, login, refresh-token rotation, logout and the admin bootstrap."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import log as audit
from app.auth.passwords import MIN_LENGTH, hash_password, verify_password
from app.auth.revocations import Revocation, revoke_after_commit
from app.auth.tokens import issue_access_token, new_opaque_token, token_digest
from app.errors import (
    AuthenticationError,
    ConflictError,
    FieldProblem,
    ForbiddenError,
    ValidationFailed,
)
from app.models import RefreshToken, User
from app.settings import Settings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$|^[^@\s]+@localhost$")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def _validate_credentials(email: str, password: str) -> str:
    problems = []
    normalized = email.strip()
    if not _EMAIL.match(normalized) or len(normalized) > 320:
        problems.append(FieldProblem(("email",), "not a valid e-mail address"))
    if len(password) < MIN_LENGTH:
        problems.append(FieldProblem(("password",), f"must be at least {MIN_LENGTH} characters"))
    if problems:
        raise ValidationFailed(problems)
    return normalized


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def create_user(
    session: AsyncSession, email: str, password: str, *, name: str = "", is_staff: bool = False
) -> User:
    normalized = _validate_credentials(email, password)
    if await find_user_by_email(session, normalized) is not None:
        raise ConflictError("an account with this e-mail already exists")
    user = User(
        email=normalized,
        name=name.strip(),
        password_hash=hash_password(password),
        is_staff=is_staff,
    )
    session.add(user)
    await session.flush()
    return user


async def register(
    session: AsyncSession, settings: Settings, email: str, password: str, name: str = ""
) -> TokenPair:
    if not settings.open_registration:
        raise ForbiddenError("registration is closed on this server; ask an administrator")
    user = await create_user(session, email, password, name=name)
    return await issue_tokens(session, settings, user, uuid.uuid4())


async def login(
    session: AsyncSession,
    settings: Settings,
    email: str,
    password: str,
    address: str | None = None,
) -> TokenPair:
    user = await find_user_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise AuthenticationError("wrong e-mail or password")
    if not user.is_active:
        raise AuthenticationError("this account is disabled")
    return await start_login(session, settings, user, address)


async def start_login(
    session: AsyncSession,
    settings: Settings,
    user: User,
    address: str | None,
    **details: str,
) -> TokenPair:
    """A new login (refresh-token family) of an authenticated, active `user`, audited as
    `login.succeeded` with `details` (how it signed in)."""
    family = uuid.uuid4()
    audit.record(
        session,
        "login.succeeded",
        actor_id=user.id,
        user_id=user.id,
        address=address,
        details={"session_id": family, **details},
    )
    return await issue_tokens(session, settings, user, family)


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> TokenPair:
    """Rotate a refresh token. Reuse of a used token revokes its whole family."""
    now = datetime.now(UTC)
    stmt = (
        select(RefreshToken)
        .where(RefreshToken.token_hash == token_digest(refresh_token))
        .with_for_update()
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise AuthenticationError("invalid refresh token")
    if row.used_at is not None:  # stolen and replayed, or replayed by a thief: end the login
        await revoke_family(session, row.family_id)
        revoke_after_commit(session, Revocation(user_id=row.user_id, session_id=row.family_id))
        raise ReusedRefreshToken("refresh token reused; every session of this login is revoked")
    row.used_at = now
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("invalid refresh token")
    return await issue_tokens(session, settings, user, row.family_id)


class ReusedRefreshToken(AuthenticationError):
    """Raised *after* the family was revoked; the edge must still commit that revocation."""


async def logout(session: AsyncSession, refresh_token: str) -> bool:
    stmt = select(RefreshToken.family_id, RefreshToken.user_id).where(
        RefreshToken.token_hash == token_digest(refresh_token)
    )
    found = (await session.execute(stmt)).first()
    if found is None:
        return False
    family, user_id = found
    await revoke_family(session, family)
    audit.record(
        session, "logout", actor_id=user_id, user_id=user_id, details={"session_id": family}
    )
    # The login's open WebSockets end too, on every API process.
    revoke_after_commit(session, Revocation(user_id=user_id, session_id=family))
    return True


async def revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def issue_tokens(
    session: AsyncSession, settings: Settings, user: User, family: uuid.UUID
) -> TokenPair:
    token = new_opaque_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family,
            token_hash=token_digest(token),
            expires_at=datetime.now(UTC) + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    await session.flush()
    return TokenPair(
        access_token=issue_access_token(settings, user.id, session_id=family),
        refresh_token=token,
        expires_in=settings.access_token_ttl,
        user=user,
    )
