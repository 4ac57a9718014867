"""Queries of API tokens."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from app.apitokens import service
from app.errors import ForbiddenError
from graph.apitokens.types import ApiToken
from graph.context import Info


@strawberry.type
class ApiTokenQuery:
    @strawberry.field(
        description="Your API tokens, newest first (never their secrets): those that still work, "
        "or with `includeInactive` also revoked and expired ones. Needs a login session."
    )
    async def api_tokens(self, info: Info, include_inactive: bool = False) -> list[ApiToken]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                tokens = await service.list_tokens(
                    session, user_id, include_inactive=include_inactive
                )
            except ForbiddenError as exc:
                raise GraphQLError(exc.message, extensions={"code": "FORBIDDEN"}) from None
        return [ApiToken.from_model(token) for token in tokens]
