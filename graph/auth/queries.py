"""Queries of the auth domain."""

from __future__ import annotations

import strawberry

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
            info.context.user_id = None
            info.context.require_user()
        assert user is not None
        return User.from_model(user)
