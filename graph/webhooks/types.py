"""GraphQL types of webhooks: endpoints (never their secret, which is shown once), the
delivery log and its attempts."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.models import WebhookAttempt as AttemptModel
from app.models import WebhookDelivery as DeliveryModel
from app.models import WebhookEndpoint as EndpointModel
from app.tasks.repository import parse_id
from app.webhooks import service
from app.webhooks.delivery import AttemptResult, message_id
from graph.context import Info


def _id(value: object | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="One HTTP attempt of a webhook delivery.")
class WebhookAttempt:
    at: datetime
    status_code: int | None = strawberry.field(
        description="The receiver's HTTP status; null when no response came (refused, "
        "timed out, address not allowed)."
    )
    latency_ms: int
    error: str | None = strawberry.field(description="Why it failed; null on success.")
    response_excerpt: str = strawberry.field(
        description="The first 500 characters of the response body."
    )

    @classmethod
    def from_model(cls, row: AttemptModel) -> WebhookAttempt:
        return cls(
            at=row.at,
            status_code=row.status_code,
            latency_ms=row.latency_ms,
            error=row.error,
            response_excerpt=row.response_excerpt,
        )


@strawberry.type(
    description="A message owed to an endpoint: `pending` (waiting for its turn or its next "
    "retry), `delivered`, or `failed` (given up after TRUEPPM_WEBHOOK_RETRY_HOURS)."
)
class WebhookDelivery:
    id: strawberry.ID
    message_id: str = strawberry.field(
        description="The `webhook-id` header: the same on every retry and redelivery, so "
        "receivers can drop duplicates."
    )
    webhook_id: strawberry.ID
    event_type: str
    sequence: int | None = strawberry.field(
        description="The endpoint's message number (consecutive, in commit order); null for "
        "test messages."
    )
    state: str
    attempt_count: int
    next_attempt_at: datetime
    created_at: datetime
    finished_at: datetime | None
    body: str = strawberry.field(description="The JSON body exactly as sent.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Oldest first.")

    @classmethod
    def from_model(
        cls, row: DeliveryModel, attempts: list[AttemptModel] | None = None
    ) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(str(row.id)),
            message_id=message_id(row.id),
            webhook_id=strawberry.ID(str(row.endpoint_id)),
            event_type=row.event_type,
            sequence=row.sequence,
            state=row.state,
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            finished_at=row.finished_at,
            body=row.body,
            attempts=[WebhookAttempt.from_model(a) for a in attempts or ()],
        )


@strawberry.type(
    description="An endpoint receiving signed (Standard Webhooks) POSTs for chosen events of a "
    "project, or of every project of a workspace when `projectId` is null."
)
class Webhook:
    id: strawberry.ID
    workspace_id: strawberry.ID
    project_id: strawberry.ID | None
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = strawberry.field(
        description="Why it is disabled (by a user, or after failing "
        "TRUEPPM_WEBHOOK_DISABLE_AFTER times in a row)."
    )
    consecutive_failures: int
    last_sequence: int = strawberry.field(description="The number of its latest message.")
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After a rotation: until when the old secret still signs beside the new."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: EndpointModel) -> Webhook:
        return cls(
            id=strawberry.ID(str(row.id)),
            workspace_id=strawberry.ID(str(row.workspace_id)),
            project_id=_id(row.project_id),
            url=row.url,
            description=row.description,
            events=list(row.events),
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            consecutive_failures=row.consecutive_failures,
            last_sequence=row.sequence,
            previous_secret_expires_at=row.previous_secret_expires_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="Deliveries not yet delivered or given up.")
    async def pending_deliveries(self, info: Info) -> int:
        async with info.context.session() as session:
            return await service.pending_count(session, parse_id(self.id, "webhook"))

    @strawberry.field(description="The delivery log, newest first (at most 100 per page).")
    async def deliveries(
        self, info: Info, first: int = 20, before: datetime | None = None
    ) -> list[WebhookDelivery]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            rows = await service.list_deliveries(
                session,
                user_id,
                parse_id(self.id, "webhook"),
                limit=max(1, min(first, 100)),
                before=before,
            )
            attempts = await service.attempts_of(session, [r.id for r in rows])
        return [WebhookDelivery.from_model(r, attempts[r.id]) for r in rows]


@strawberry.type(
    description="A new endpoint. `secret` (`whsec_…`) verifies its signatures: it is shown "
    "this once."
)
class CreatedWebhook:
    secret: str
    webhook: Webhook


@strawberry.type
class WebhookPayload:
    webhook: Webhook


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery


@strawberry.type(description="What the receiver answered to a `webhook.test` message.")
class WebhookTestResult:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str
    delivery: WebhookDelivery

    @classmethod
    def build(cls, delivery: WebhookDelivery, result: AttemptResult) -> WebhookTestResult:
        return cls(
            ok=result.ok,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error,
            response_excerpt=result.excerpt,
            delivery=delivery,
        )


@strawberry.type(description="An event a webhook can subscribe to.")
class WebhookEventType:
    name: str
    description: str


@strawberry.input
class CreateWebhookInput:
    url: str = strawberry.field(description="http(s) URL; must resolve to a public address.")
    events: list[str] = strawberry.field(description="Names from `webhookEvents`.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project (you must be its Project Admin)."
    )
    workspace_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Every project of this workspace (owners and admins); not with projectId.",
    )
    description: str = ""
    enabled: bool = True


@strawberry.input
class UpdateWebhookInput:
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    enabled: bool | None = strawberry.field(
        default=None,
        description="false stops deliveries (they wait); true resumes them and clears the "
        "failure count.",
    )
