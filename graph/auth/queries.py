"""Queries of the auth domain."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from app.models import User as UserModel
from graph.auth.types import User
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
