"""GraphQL types of the auth domain."""

from __future__ import annotations

import strawberry

from app.auth.service import TokenPair
from app.models import User as UserModel


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    name: str
    is_staff: bool
    is_active: bool = strawberry.field(
        description="False once staff disabled the account: it can no longer sign in."
    )

    @classmethod
    def from_model(cls, user: UserModel) -> User:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            name=user.name,
            is_staff=user.is_staff,
            is_active=user.is_active,
        )


@strawberry.type(description="A short-lived access token (JWT) and an opaque refresh token.")
class AuthPayload:
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: User

    @classmethod
    def from_pair(cls, pair: TokenPair) -> AuthPayload:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            token_type="Bearer",
            expires_in=pair.expires_in,
            user=User.from_model(pair.user),
        )


@strawberry.type
class UserPayload:
    user: User


@strawberry.type
class LogoutPayload:
    revoked: bool


@strawberry.type(description="An OpenID Connect provider people can sign in with.")
class SsoProvider:
    name: str
    label: str
    login_url: str = strawberry.field(
        description="Send the browser here, with `redirect_to` (docs/sso.md)."
    )
