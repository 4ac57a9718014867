"""Managing webhook endpoints: who may, what is checked, the secret shown once.

A project's endpoints are managed by its Project Admins (and workspace owners/admins, who are
Project Admin everywhere in their workspace); a workspace-wide endpoint by the workspace's
owners and admins. Anyone else gets "not found" for an endpoint of a project they cannot see,
as for every invisible object. API tokens limited to a project or program cannot manage
workspace endpoints (app/authz.py).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import log as audit
from app.authz import require_project_role, require_workspace_admin
from app.errors import FieldProblem, NotFoundError, ValidationFailed
from app.models import Project, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.models.enums import Role
from app.settings import Settings
from app.webhooks.catalog import EVENTS
from app.webhooks.delivery import (
    AttemptResult,
    http_client,
    message_id,
    new_secret,
    record_attempt,
    send,
    signing_secrets,
)
from app.webhooks.targets import UnsafeTarget, resolve

TEST_EVENT = "webhook.test"


def _audit(
    session: AsyncSession, event: str, user_id: uuid.UUID, endpoint: WebhookEndpoint
) -> None:
    audit.record(
        session,
        event,
        actor_id=user_id,
        workspace_id=endpoint.workspace_id,
        details={
            "webhook_id": endpoint.id,
            "project_id": endpoint.project_id,
            "url": endpoint.url,
            "events": list(endpoint.events),
        },
    )


@dataclass(frozen=True)
class EndpointSpec:
    url: str | None = None
    events: Sequence[str] | None = None
    description: str | None = None
    enabled: bool | None = None


async def _check(settings: Settings, spec: EndpointSpec, *, creating: bool) -> None:
    problems: list[FieldProblem] = []
    if spec.url is not None:
        try:
            await resolve(spec.url, settings.webhook_allow_networks)
        except UnsafeTarget as exc:
            problems.append(FieldProblem(("url",), str(exc)))
    elif creating:
        problems.append(FieldProblem(("url",), "required"))
    if spec.events is not None:
        unknown = sorted(set(spec.events) - set(EVENTS))
        if unknown:
            problems.append(FieldProblem(("events",), "unknown event(s): " + ", ".join(unknown)))
        elif not spec.events:
            problems.append(FieldProblem(("events",), "choose at least one event"))
    elif creating:
        problems.append(FieldProblem(("events",), "required"))
    if spec.description is not None and len(spec.description) > 200:
        problems.append(FieldProblem(("description",), "at most 200 characters"))
    if problems:
        raise ValidationFailed(problems)


async def _authorize_scope(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID, project_id: uuid.UUID | None
) -> None:
    if project_id is not None:
        await require_project_role(session, user_id, project_id, Role.PROJECT_ADMIN)
    else:
        await require_workspace_admin(session, user_id, workspace_id)


async def _endpoint(
    session: AsyncSession, user_id: uuid.UUID, endpoint_id: uuid.UUID, *, lock: bool = False
) -> WebhookEndpoint:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    endpoint = (
        await session.execute(stmt.with_for_update() if lock else stmt)
    ).scalar_one_or_none()
    if endpoint is None:
        raise NotFoundError("webhook not found")
    try:
        await _authorize_scope(session, user_id, endpoint.workspace_id, endpoint.project_id)
    except NotFoundError:
        raise NotFoundError("webhook not found") from None
    return endpoint


async def create_endpoint(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    spec: EndpointSpec,
    *,
    workspace_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of a project (or, without one, of `workspace_id`) and its secret."""
    if (workspace_id is None) == (project_id is None):
        raise ValidationFailed.single("projectId", "give a projectId or a workspaceId, not both")
    if project_id is not None:
        await require_project_role(session, user_id, project_id, Role.PROJECT_ADMIN)
        workspace_id = (
            await session.execute(select(Project.workspace_id).where(Project.id == project_id))
        ).scalar_one()
    else:
        assert workspace_id is not None
        await require_workspace_admin(session, user_id, workspace_id)
    await _check(settings, spec, creating=True)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id,
        project_id=project_id,
        url=(spec.url or "").strip(),
        events=sorted(set(spec.events or ())),
        description=spec.description or "",
        secret=secret,
        enabled=True if spec.enabled is None else spec.enabled,
        created_by=user_id,
    )
    session.add(endpoint)
    await session.flush()
    _audit(session, "webhook.created", user_id, endpoint)
    return endpoint, secret


async def update_endpoint(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    spec: EndpointSpec,
) -> WebhookEndpoint:
    """Change an endpoint; enabling it again clears its failure count, and its pending
    deliveries resume in order."""
    endpoint = await _endpoint(session, user_id, endpoint_id, lock=True)
    await _check(settings, spec, creating=False)
    if spec.url is not None:
        endpoint.url = spec.url.strip()
    if spec.events is not None:
        endpoint.events = sorted(set(spec.events))
    if spec.description is not None:
        endpoint.description = spec.description
    if spec.enabled is not None:
        if spec.enabled and not endpoint.enabled:
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = None
        endpoint.enabled = spec.enabled
        if not spec.enabled:
            endpoint.disabled_reason = "disabled by a user"
    await session.flush()
    _audit(session, "webhook.updated", user_id, endpoint)
    return endpoint


async def delete_endpoint(
    session: AsyncSession, user_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """Delete an endpoint with its deliveries and their log."""
    endpoint = await _endpoint(session, user_id, endpoint_id, lock=True)
    _audit(session, "webhook.deleted", user_id, endpoint)
    await session.delete(endpoint)
    await session.flush()
    return endpoint


async def rotate_secret(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, endpoint_id: uuid.UUID
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the old one keeps signing beside it for the overlap window."""
    endpoint = await _endpoint(session, user_id, endpoint_id, lock=True)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(
        hours=settings.webhook_secret_overlap_hours
    )
    endpoint.secret = secret
    await session.flush()
    _audit(session, "webhook.secret_rotated", user_id, endpoint)
    return endpoint, secret


async def list_endpoints(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    workspace_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> list[WebhookEndpoint]:
    """A project's endpoints, or a workspace's own (workspace-wide) ones."""
    if (workspace_id is None) == (project_id is None):
        raise ValidationFailed.single("projectId", "give a projectId or a workspaceId, not both")
    if project_id is not None:
        await require_project_role(session, user_id, project_id, Role.PROJECT_ADMIN)
        where = WebhookEndpoint.project_id == project_id
    else:
        assert workspace_id is not None
        await require_workspace_admin(session, user_id, workspace_id)
        where = (WebhookEndpoint.workspace_id == workspace_id) & WebhookEndpoint.project_id.is_(
            None
        )
    stmt = select(WebhookEndpoint).where(where).order_by(WebhookEndpoint.created_at)
    return list((await session.execute(stmt)).scalars())


async def get_endpoint(
    session: AsyncSession, user_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    return await _endpoint(session, user_id, endpoint_id)


async def list_deliveries(
    session: AsyncSession,
    user_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    *,
    limit: int,
    before: dt.datetime | None = None,
) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first."""
    await _endpoint(session, user_id, endpoint_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if before is not None:
        stmt = stmt.where(WebhookDelivery.created_at < before)
    stmt = stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def attempts_of(
    session: AsyncSession, delivery_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookAttempt]]:
    """Each delivery's attempts, oldest first (the caller has authorised the deliveries)."""
    out: dict[uuid.UUID, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
    if not delivery_ids:
        return out
    stmt = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.at, WebhookAttempt.id)
    )
    for attempt in (await session.execute(stmt)).scalars():
        out[attempt.delivery_id].append(attempt)
    return out


async def redeliver(
    session: AsyncSession, user_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Send a delivery again, with its original body and `webhook-id`, as soon as the
    endpoint's earlier deliveries allow (a disabled endpoint waits until enabled)."""
    delivery = (
        await session.execute(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        )
    ).scalar_one_or_none()
    if delivery is None:
        raise NotFoundError("webhook delivery not found")
    try:
        await _endpoint(session, user_id, delivery.endpoint_id)
    except NotFoundError:
        raise NotFoundError("webhook delivery not found") from None
    if delivery.sequence is None:
        raise ValidationFailed.single("id", "a test message cannot be redelivered; test again")
    delivery.state = "pending"
    delivery.finished_at = None
    delivery.next_attempt_at = func.now()
    # A delivery given up long ago is retried for a full window again.
    delivery.created_at = func.now()
    await session.flush()
    await session.refresh(delivery)
    return delivery


async def test_endpoint(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, endpoint_id: uuid.UUID
) -> tuple[WebhookDelivery, AttemptResult]:
    """Send a signed `webhook.test` message now and report what the receiver answered. It is
    logged with the endpoint's deliveries but has no sequence number and is never retried."""
    endpoint = await _endpoint(session, user_id, endpoint_id)
    now = dt.datetime.now(dt.UTC)
    body = {
        "type": TEST_EVENT,
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "sequence": None,
        "data": {"webhookId": str(endpoint.id)},
    }
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        endpoint_id=endpoint.id,
        sequence=None,
        event_type=TEST_EVENT,
        body=json.dumps(body, separators=(",", ":")),
    )
    session.add(delivery)
    await session.flush()
    async with http_client(settings) as client:
        result = await send(
            client,
            settings,
            endpoint.url,
            message_id(delivery.id),
            delivery.body,
            signing_secrets(endpoint, now),
        )
    await record_attempt(session, delivery.id, result)
    delivery.attempts = 1
    delivery.state = "delivered" if result.ok else "failed"
    delivery.finished_at = dt.datetime.now(dt.UTC)
    await session.flush()
    return delivery, result


async def pending_count(session: AsyncSession, endpoint_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state == "pending"
    )
    return int((await session.execute(stmt)).scalar_one())
