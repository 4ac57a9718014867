"""Mutations of API tokens: mint (the secret is returned once) and revoke."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.apitokens import service
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.apitokens.types import ApiToken, ApiTokenPayload, CreateApiTokenInput, CreatedApiToken
from graph.context import Info
from graph.errors import Forbidden, NotFound, ValidationError, run_mutation

CreateApiTokenResult = Annotated[
    CreatedApiToken | NotFound | Forbidden | ValidationError,
    strawberry.union("CreateApiTokenResult"),
]
RevokeApiTokenResult = Annotated[
    ApiTokenPayload | NotFound | Forbidden, strawberry.union("RevokeApiTokenResult")
]


@strawberry.type
class ApiTokenMutation:
    @strawberry.mutation(
        description="Mint an API token. Scoping it to a project or program needs a role there; "
        "it never grants more than you have. Needs a login session, not an API token."
    )
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> CreateApiTokenResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CreatedApiToken:
            request = service.TokenRequest(
                name=input.name,
                project_id=None
                if input.project_id is None
                else parse_id(input.project_id, "project"),
                program_id=None
                if input.program_id is None
                else parse_id(input.program_id, "program"),
                read_only=input.read_only,
                expires_in_days=input.expires_in_days,
            )
            created = await service.create_token(
                uow.session, info.context.settings, user_id, request
            )
            return CreatedApiToken(
                token=created.plaintext, api_token=ApiToken.from_model(created.token)
            )

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Revoke one of your API tokens; it stops working at once. Revoking a "
        "revoked token changes nothing. Needs a login session."
    )
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ApiTokenPayload:
            token = await service.revoke_token(uow.session, user_id, parse_id(id, "API token"))
            return ApiTokenPayload(api_token=ApiToken.from_model(token))

        return await run_mutation(info, work)  # type: ignore[return-value]
