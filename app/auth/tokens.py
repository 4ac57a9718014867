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
    settings: Settings,
    user_id: uuid.UUID,
    *,
    now: datetime | None = None,
    session_id: uuid.UUID | None = None,
) -> str:
    """A short-lived JWT; `session_id` (claim `sid`) names the login it belongs to, so that
    logging out can end the WebSockets opened with it (app/auth/revocations.py)."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=settings.access_token_ttl)).timestamp()),
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "jti": secrets.token_hex(8),
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM)


def decode_access_token(
    settings: Settings, token: str
) -> tuple[uuid.UUID, datetime, uuid.UUID | None]:
    """The user id, expiry and login (`sid`, if any) of a valid token; `AuthenticationError`
    otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED},
        )
        sid = claims.get("sid")
        return (
            uuid.UUID(claims["sub"]),
            datetime.fromtimestamp(claims["exp"], UTC),
            uuid.UUID(sid) if isinstance(sid, str) else None,
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("access token expired") from None
    except (jwt.InvalidTokenError, ValueError):
        raise AuthenticationError("invalid access token") from None


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Refresh tokens and API tokens are stored only as this digest."""
    return hashlib.sha256(token.encode()).hexdigest()
