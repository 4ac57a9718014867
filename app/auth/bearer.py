"""`Authorization: Bearer <credential>`: a JWT access token or an API token (`tppm_…`).

Every edge (GraphQL over HTTP, WebSocket `connection_init`, REST) resolves the credential here
into a `Principal`, so the two kinds of token are accepted the same way everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.apitokens.format import is_api_token
from app.apitokens.verify import authenticate_api_token
from app.auth.principal import Principal
from app.auth.tokens import decode_access_token
from app.errors import AuthenticationError
from app.settings import Settings

if TYPE_CHECKING:
    from app.auth.accounts import ActiveAccounts


def bearer_credential(header: str | None) -> str | None:
    """The credential of a `Bearer` authorization header, else None."""
    scheme, _, credential = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return credential.strip()


def malformed(header: str | None) -> str | None:
    """What is wrong with an `Authorization` header that is there but is not
    `Bearer <credential>` (None when it is absent or well-formed)."""
    if not header or not header.strip() or bearer_credential(header) is not None:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return 'the Authorization header says "Bearer" but carries no token'
    if not rest:
        return 'the Authorization header must be "Bearer <token>": the "Bearer " prefix is missing'
    return f'the Authorization header must be "Bearer <token>", not a {scheme!r} credential'


async def resolve_bearer(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    credential: str,
    *,
    accounts: ActiveAccounts | None = None,
) -> Principal:
    """The principal a credential authenticates; `AuthenticationError` when it does not.

    An API token costs one indexed read (and, at most once a minute, a `last_used_at` write
    committed here); a JWT costs no database work beyond, with `accounts`, a check that its
    account is still active (cached a few seconds per process, app/auth/accounts.py).
    """
    if is_api_token(credential):
        async with sessions() as session, session.begin():
            return await authenticate_api_token(session, credential)
    user_id, expires_at, session_id = decode_access_token(settings, credential)
    if accounts is not None and not await accounts.active(user_id):
        raise AuthenticationError("this account no longer exists or is disabled")
    return Principal(user_id=user_id, expires_at=expires_at, session_id=session_id)
