"""Shared set-up of the webhook tests: endpoints through GraphQL, deliveries read back."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select

from app.models import WebhookDelivery
from app.state import AppState
from tests.conftest import GraphQLClient

CREATE_WEBHOOK = """
mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on CreatedWebhook { secret webhook { id projectId workspaceId url events enabled } }
    ... on ValidationError { fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""


async def create_webhook(gql: GraphQLClient, user: uuid.UUID, **input: Any) -> dict[str, Any]:
    body = await gql(CREATE_WEBHOOK, {"input": input}, user=user)
    result: dict[str, Any] = body["data"]["createWebhook"]
    return result


async def deliveries(state: AppState, endpoint_id: str | uuid.UUID) -> list[dict[str, Any]]:
    """The endpoint's deliveries in sequence order: each parsed body, with the row's
    sequence number, state and id beside it."""
    async with state.sessions() as session:
        rows = (
            await session.execute(
                select(WebhookDelivery)
                .where(WebhookDelivery.endpoint_id == uuid.UUID(str(endpoint_id)))
                .order_by(WebhookDelivery.sequence)
            )
        ).scalars()
        return [
            {"row_sequence": r.sequence, "state": r.state, "id": r.id, **json.loads(r.body)}
            for r in rows
        ]
