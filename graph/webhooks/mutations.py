"""Mutations of webhooks: create (the secret is returned once), update, delete, rotate the
secret, send a test message, redeliver a delivery."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.state import UnitOfWork
from app.tasks.repository import parse_id
from app.webhooks import service
from graph.context import Info
from graph.errors import Forbidden, NotFound, ValidationError, run_mutation
from graph.webhooks.types import (
    CreatedWebhook,
    CreateWebhookInput,
    UpdateWebhookInput,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryPayload,
    WebhookPayload,
    WebhookTestResult,
)

CreatedWebhookResult = Annotated[
    CreatedWebhook | NotFound | Forbidden | ValidationError,
    strawberry.union("CreateWebhookResult"),
]
WebhookResult = Annotated[
    WebhookPayload | NotFound | Forbidden | ValidationError, strawberry.union("WebhookResult")
]
TestWebhookResult = Annotated[
    WebhookTestResult | NotFound | Forbidden, strawberry.union("TestWebhookResult")
]
RedeliverWebhookResult = Annotated[
    WebhookDeliveryPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("RedeliverWebhookResult"),
]


def _spec(input: CreateWebhookInput | UpdateWebhookInput) -> service.EndpointSpec:
    return service.EndpointSpec(
        url=input.url, events=input.events, description=input.description, enabled=input.enabled
    )


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Add an endpoint for a project (Project Admin) or a whole workspace "
        "(owner/admin). The URL must resolve to a public address unless its network is in "
        "TRUEPPM_WEBHOOK_ALLOW_NETWORKS. The signing secret is returned this once."
    )
    async def create_webhook(self, info: Info, input: CreateWebhookInput) -> CreatedWebhookResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CreatedWebhook:
            endpoint, secret = await service.create_endpoint(
                uow.session,
                info.context.settings,
                user_id,
                _spec(input),
                project_id=None
                if input.project_id is None
                else parse_id(input.project_id, "project"),
                workspace_id=None
                if input.workspace_id is None
                else parse_id(input.workspace_id, "workspace"),
            )
            await uow.session.refresh(endpoint)
            return CreatedWebhook(secret=secret, webhook=Webhook.from_model(endpoint))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Change an endpoint's URL, events, description or enabled state."
    )
    async def update_webhook(
        self, info: Info, id: strawberry.ID, input: UpdateWebhookInput
    ) -> WebhookResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WebhookPayload:
            endpoint = await service.update_endpoint(
                uow.session, info.context.settings, user_id, parse_id(id, "webhook"), _spec(input)
            )
            await uow.session.refresh(endpoint)
            return WebhookPayload(webhook=Webhook.from_model(endpoint))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an endpoint, its pending deliveries and its log.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> WebhookResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WebhookPayload:
            endpoint = await service.delete_endpoint(uow.session, user_id, parse_id(id, "webhook"))
            return WebhookPayload(webhook=Webhook.from_model(endpoint))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="A new signing secret, returned this once. Messages are signed with the "
        "old one too for TRUEPPM_WEBHOOK_SECRET_OVERLAP_HOURS, so receivers can switch over."
    )
    async def rotate_webhook_secret(self, info: Info, id: strawberry.ID) -> CreatedWebhookResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CreatedWebhook:
            endpoint, secret = await service.rotate_secret(
                uow.session, info.context.settings, user_id, parse_id(id, "webhook")
            )
            await uow.session.refresh(endpoint)
            return CreatedWebhook(secret=secret, webhook=Webhook.from_model(endpoint))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Send a signed `webhook.test` message now and return the receiver's "
        "answer; logged with the deliveries, never retried."
    )
    async def test_webhook(self, info: Info, id: strawberry.ID) -> TestWebhookResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WebhookTestResult:
            delivery, result = await service.test_endpoint(
                uow.session, info.context.settings, user_id, parse_id(id, "webhook")
            )
            await uow.session.refresh(delivery)
            attempts = await service.attempts_of(uow.session, [delivery.id])
            node = WebhookDelivery.from_model(delivery, attempts[delivery.id])
            return WebhookTestResult.build(node, result)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Send a delivery again, with its original body and webhook-id, in its "
        "place in the endpoint's order."
    )
    async def redeliver_webhook(
        self, info: Info, delivery_id: strawberry.ID
    ) -> RedeliverWebhookResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WebhookDeliveryPayload:
            delivery = await service.redeliver(
                uow.session, user_id, parse_id(delivery_id, "webhook delivery")
            )
            attempts = await service.attempts_of(uow.session, [delivery.id])
            return WebhookDeliveryPayload(
                delivery=WebhookDelivery.from_model(delivery, attempts[delivery.id])
            )

        return await run_mutation(info, work)  # type: ignore[return-value]
