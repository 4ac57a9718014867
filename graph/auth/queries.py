"""Queries of the auth domain."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from app.models import User as UserModel
from graph.auth.types import SsoProvider, User
from graph.context import Info


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in user.")
    async def me(self, info: Info) -> User:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            user = await session.get(UserModel, user_id)
        if user is None or not user.is_active:
            # A valid token for a deleted or disabled account authenticates nobody.
            raise GraphQLError("authentication required", extensions={"code": "UNAUTHENTICATED"})
        return User.from_model(user)

    @strawberry.field(
        description="The single sign-on providers configured on this server, for sign-in "
        "buttons (docs/sso.md); no sign-in needed."
    )
    def sso_providers(self, info: Info) -> list[SsoProvider]:
        settings = info.context.settings
        base = settings.public_url or str(info.context.request.base_url).rstrip("/")
        return [
            SsoProvider(name=p.name, label=p.label, login_url=f"{base}/auth/sso/{p.name}/login")
            for p in settings.oidc_providers
        ]
