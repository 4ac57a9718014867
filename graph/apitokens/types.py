"""GraphQL types of API tokens: metadata only; the secret appears once, in `CreatedApiToken`."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from app.apitokens.format import SCHEME
from app.models import ApiToken as ApiTokenModel


def _id(value: object | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(
    description="A personal API token for integrations and the mobile sync. It acts as you, "
    "limited to `projectId` or `programId` when set, and unable to write when `readOnly`."
)
class ApiToken:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(
        description="Public part of the token (`tppm_<prefix>_…`), to tell tokens apart."
    )
    project_id: strawberry.ID | None
    program_id: strawberry.ID | None
    read_only: bool
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="Last authenticated use, to the minute."
    )
    revoked_at: datetime | None
    is_active: bool = strawberry.field(description="Neither revoked nor expired.")

    @classmethod
    def from_model(cls, token: ApiTokenModel) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)),
            name=token.name,
            prefix=f"{SCHEME}{token.prefix}",
            project_id=_id(token.project_id),
            program_id=_id(token.program_id),
            read_only=token.read_only,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            is_active=token.revoked_at is None and token.expires_at > datetime.now(UTC),
        )


@strawberry.type(
    description="A new token. `token` is the secret: it is shown this once and cannot be "
    "recovered; send it as `Authorization: Bearer <token>`."
)
class CreatedApiToken:
    token: str
    api_token: ApiToken


@strawberry.type
class ApiTokenPayload:
    api_token: ApiToken


@strawberry.input
class CreateApiTokenInput:
    name: str = strawberry.field(description="What the token is for (1 to 100 characters).")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Limit the token to this project (you must have a role on it)."
    )
    program_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Limit the token to this program and its projects (you must have a role on "
        "it). Not together with projectId.",
    )
    read_only: bool = strawberry.field(
        default=False, description="The token can read but not mutate or push."
    )
    expires_in_days: int | None = strawberry.field(
        default=None,
        description="Lifetime in days; default TRUEPPM_API_TOKEN_DEFAULT_DAYS, at most "
        "TRUEPPM_API_TOKEN_MAX_DAYS.",
    )
