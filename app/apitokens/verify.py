"""Authenticating a request with an API token.

The row is found by the token's public prefix and the stored SHA-256 is compared with
`hmac.compare_digest`, so neither the lookup nor the comparison depends on secret material.
A fast hash is right here, unlike for passwords: the secret has 256 bits of entropy, so there
is nothing to brute-force and a slow hash would only slow every request down.

`last_used_at` is written at most once a minute per token (`LAST_USED_RESOLUTION`): a mobile
client syncing every few seconds must not turn every read into a write.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.apitokens.format import prefix_of
from app.auth.principal import Principal
from app.auth.tokens import token_digest
from app.errors import AuthenticationError
from app.models import ApiToken, User

LAST_USED_RESOLUTION = timedelta(minutes=1)


async def authenticate_api_token(
    session: AsyncSession, raw: str, *, now: datetime | None = None
) -> Principal:
    """The principal a live token acts as; `AuthenticationError` for anything else. May write
    `last_used_at`: the caller commits."""
    moment = now or datetime.now(UTC)
    prefix = prefix_of(raw)
    if prefix is None:
        raise AuthenticationError("invalid API token")
    stmt = (
        select(ApiToken, User.is_active)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.prefix == prefix)
    )
    found = (await session.execute(stmt)).one_or_none()
    if found is None or not hmac.compare_digest(found[0].token_hash, token_digest(raw)):
        raise AuthenticationError("invalid API token")
    token, active = found
    if token.revoked_at is not None:
        raise AuthenticationError("API token revoked")
    if token.expires_at <= moment:
        raise AuthenticationError("API token expired")
    if not active:
        raise AuthenticationError("this account no longer exists or is disabled")
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        await _touch(session, token, moment)
    return Principal(
        user_id=token.user_id,
        expires_at=token.expires_at,
        token_id=token.id,
        project_id=token.project_id,
        program_id=token.program_id,
        read_only=token.read_only,
    )


async def _touch(session: AsyncSession, token: ApiToken, moment: datetime) -> None:
    """Record the use, unless a concurrent request already did within the resolution."""
    await session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= moment - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=moment)
        .execution_options(synchronize_session=False)
    )
