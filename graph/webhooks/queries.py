"""Queries of webhooks: a project's or workspace's endpoints, one endpoint, the event list."""

from __future__ import annotations

import strawberry

from app.errors import AppError
from app.tasks.repository import parse_id
from app.webhooks import service
from app.webhooks.catalog import EVENTS
from graph.context import Info
from graph.webhooks.types import Webhook, WebhookEventType


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="The endpoints of a project (its Project Admins) or the workspace-wide "
        "endpoints of a workspace (its owners and admins); empty when you may not see them."
    )
    async def webhooks(
        self,
        info: Info,
        project_id: strawberry.ID | None = None,
        workspace_id: strawberry.ID | None = None,
    ) -> list[Webhook]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                rows = await service.list_endpoints(
                    session,
                    user_id,
                    project_id=None if project_id is None else parse_id(project_id, "project"),
                    workspace_id=None
                    if workspace_id is None
                    else parse_id(workspace_id, "workspace"),
                )
            except AppError:
                return []
        return [Webhook.from_model(row) for row in rows]

    @strawberry.field(description="One endpoint, or null when absent or not yours to manage.")
    async def webhook(self, info: Info, id: strawberry.ID) -> Webhook | None:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                row = await service.get_endpoint(session, user_id, parse_id(id, "webhook"))
            except AppError:
                return None
        return Webhook.from_model(row)

    @strawberry.field(description="Every event a webhook can subscribe to.")
    def webhook_events(self) -> list[WebhookEventType]:
        return [WebhookEventType(name=name, description=text) for name, text in EVENTS.items()]
