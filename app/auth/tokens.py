"""Access tokens (short-lived JWTs) and opaque refresh tokens.

The algorithm is pinned to HS256 on both sides, and `exp`, `iat`, `sub`, `aud` and `iss` are
required on verification, so a token without them, or signed another way, is refused.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from app.errors import AuthenticationError
from app.settings import Settings

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "sub", "aud", "iss"]


def issue_access_token(
    settings: Settings, user_id: uuid.UUID, *, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=settings.access_token_ttl)).timestamp()),
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM)


def decode_access_token(settings: Settings, token: str) -> tuple[uuid.UUID, datetime]:
    """Return the user id and expiry of a valid token; raise `AuthenticationError` otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED},
        )
        return uuid.UUID(claims["sub"]), datetime.fromtimestamp(claims["exp"], UTC)
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("access token expired") from None
    except (jwt.InvalidTokenError, ValueError):
        raise AuthenticationError("invalid access token") from None


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Refresh tokens and API tokens are stored only as this digest."""
    return hashlib.sha256(token.encode()).hexdigest()
