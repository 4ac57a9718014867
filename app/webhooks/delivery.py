"""Sending an endpoint's deliveries: signed, in order, retried with backoff, logged.

One deliverer at a time per endpoint: it takes the endpoint's lease (`lease_until`), sends
the pending deliveries in `sequence` order and stops at the first that fails, which waits for
its retry (exponential backoff with jitter) — so a receiver sees its messages in order. A
message retried for longer than TRUEPPM_WEBHOOK_RETRY_HOURS is given up (`failed`) and the
next one goes. After TRUEPPM_WEBHOOK_DISABLE_AFTER failed attempts in a row the endpoint is
disabled. A deliverer that dies mid-send loses the lease when it expires and the message is
sent again with the same `webhook-id`, which receivers use to drop the duplicate (the Standard
Webhooks contract: at least once, idempotent by id).

Every request is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
`webhook-signature`, computed by the `standardwebhooks` reference library), with the current
secret and, during a rotation's overlap, the previous one too. Redirects are never followed;
the whole attempt is bounded by TRUEPPM_WEBHOOK_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from app.metrics import WEBHOOK_ATTEMPTS
from app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.settings import Settings
from app.state import unit_of_work
from app.webhooks.targets import UnsafeTarget, resolve

log = logging.getLogger(__name__)

EXCERPT = 500
USER_AGENT = "TruePPM-Webhooks/1"
MAX_BACKOFF = dt.timedelta(hours=1)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id(delivery_id: uuid.UUID) -> str:
    return f"msg_{delivery_id.hex}"


def signing_secrets(endpoint: Any, now: dt.datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    keys = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        keys.append(endpoint.previous_secret)
    return keys


def signed_headers(msg_id: str, body: str, keys: list[str], now: dt.datetime) -> dict[str, str]:
    signatures = " ".join(Webhook(key).sign(msg_id, now, body) for key in keys)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def backoff(attempts: int, base_ms: int) -> dt.timedelta:
    """The wait before the next attempt after `attempts` failures: base * 2^(n-1), at most an
    hour, ±25 % jitter (so endpoints that failed together do not retry together)."""
    delay = min(dt.timedelta(milliseconds=base_ms * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)
    return delay * random.uniform(0.75, 1.25)


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None = None
    excerpt: str = ""


def http_client(settings: Settings) -> httpx.AsyncClient:
    """The deliverer's client: no redirects, no proxies from the environment."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
    )


async def _excerpt(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT * 4:
            break
    return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT]


async def send(
    client: httpx.AsyncClient,
    settings: Settings,
    url: str,
    msg_id: str,
    body: str,
    keys: list[str],
) -> AttemptResult:
    """One signed POST of `body` to `url` (checked against the SSRF rules first)."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        target = await resolve(url, settings.webhook_allow_networks)
    except UnsafeTarget as exc:
        return AttemptResult(False, None, elapsed(), f"refused: {exc}"[:300])
    headers = signed_headers(msg_id, body, keys, dt.datetime.now(dt.UTC))
    headers["host"] = target.host_header
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    request = client.build_request(
        "POST", target.request_url, content=body.encode(), headers=headers, extensions=extensions
    )
    timeout = settings.webhook_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            response = await client.send(request, stream=True)
            try:
                excerpt = await _excerpt(response)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return AttemptResult(False, None, elapsed(), f"no answer within {timeout} s")
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        kind = "could not connect" if isinstance(exc, httpx.ConnectError) else "no response"
        return AttemptResult(False, None, elapsed(), f"{kind}: {reason}"[:300])
    status = response.status_code
    if 200 <= status < 300:
        return AttemptResult(True, status, elapsed(), None, excerpt)
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        error = f"HTTP {status}: redirect to {where} not followed"
    else:
        error = f"HTTP {status}"
    return AttemptResult(False, status, elapsed(), error[:300], excerpt)


def lease_length(settings: Settings) -> dt.timedelta:
    """Longer than one attempt can take, so a live deliverer never loses its lease."""
    return dt.timedelta(seconds=settings.webhook_timeout_seconds + 20)


async def _claim(
    sessions: async_sessionmaker[AsyncSession], endpoint_id: uuid.UUID, settings: Settings
) -> Any | None:
    async with unit_of_work(sessions) as uow:
        stmt = (
            update(WebhookEndpoint)
            .where(
                WebhookEndpoint.id == endpoint_id,
                WebhookEndpoint.enabled,
                or_(
                    WebhookEndpoint.lease_until.is_(None),
                    WebhookEndpoint.lease_until < func.now(),
                ),
            )
            .values(lease_until=func.now() + lease_length(settings))
            .returning(
                WebhookEndpoint.id,
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookEndpoint.previous_secret,
                WebhookEndpoint.previous_secret_expires_at,
            )
        )
        return (await uow.session.execute(stmt)).one_or_none()


async def _head(sessions: async_sessionmaker[AsyncSession], endpoint_id: uuid.UUID) -> Any | None:
    """The endpoint's next delivery in order, if it is due now."""
    async with sessions() as session:
        row = (
            await session.execute(
                select(
                    WebhookDelivery.id,
                    WebhookDelivery.body,
                    (WebhookDelivery.next_attempt_at <= func.now()).label("due"),
                )
                .where(
                    WebhookDelivery.endpoint_id == endpoint_id,
                    WebhookDelivery.state == "pending",
                    WebhookDelivery.sequence.is_not(None),
                )
                .order_by(WebhookDelivery.sequence)
                .limit(1)
            )
        ).one_or_none()
    return row if row is not None and row.due else None


async def record_attempt(
    session: AsyncSession, delivery_id: uuid.UUID, result: AttemptResult
) -> None:
    await session.execute(
        insert(WebhookAttempt).values(
            delivery_id=delivery_id,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error,
            response_excerpt=result.excerpt,
        )
    )


async def _settle(
    sessions: async_sessionmaker[AsyncSession],
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    result: AttemptResult,
    settings: Settings,
) -> bool:
    """Log the attempt and move the delivery on; True when the next delivery may go now."""
    async with unit_of_work(sessions) as uow:
        session = uow.session
        delivery = (
            await session.execute(
                select(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state == "pending")
                .with_for_update()
            )
        ).scalar_one_or_none()
        if delivery is None:  # deleted with its endpoint meanwhile
            return False
        await record_attempt(session, delivery_id, result)
        delivery.attempts += 1
        now = dt.datetime.now(dt.UTC)
        endpoint_values: dict[str, Any] = {"lease_until": func.now() + lease_length(settings)}
        if result.ok:
            WEBHOOK_ATTEMPTS.labels("delivered").inc()
            delivery.state = "delivered"
            delivery.finished_at = now
            endpoint_values["consecutive_failures"] = 0
            go_on = True
        else:
            if now - delivery.created_at >= dt.timedelta(hours=settings.webhook_retry_hours):
                WEBHOOK_ATTEMPTS.labels("given_up").inc()
                delivery.state = "failed"
                delivery.finished_at = now
                go_on = True
            else:
                WEBHOOK_ATTEMPTS.labels("retry").inc()
                delivery.next_attempt_at = now + backoff(
                    delivery.attempts, settings.webhook_retry_base_ms
                )
                go_on = False
            endpoint_values["consecutive_failures"] = WebhookEndpoint.consecutive_failures + 1
        failures = (
            await session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint_id)
                .values(**endpoint_values)
                .returning(WebhookEndpoint.consecutive_failures)
            )
        ).scalar_one_or_none()
        if failures is not None and failures >= settings.webhook_disable_after:
            reason = f"disabled after {failures} failed attempts in a row (last: {result.error})"
            await session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint_id)
                .values(enabled=False, disabled_reason=reason[:300])
            )
            log.warning("webhook endpoint %s %s", endpoint_id, reason)
            return False
    return go_on


async def _release(sessions: async_sessionmaker[AsyncSession], endpoint_id: uuid.UUID) -> None:
    async with unit_of_work(sessions) as uow:
        await uow.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(lease_until=None)
        )


async def deliver_endpoint(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    endpoint_id: uuid.UUID,
    client: httpx.AsyncClient,
) -> int:
    """Send what is due for one endpoint, in order; return how many were delivered. Does
    nothing when another deliverer holds the endpoint or it is disabled."""
    endpoint = await _claim(sessions, endpoint_id, settings)
    if endpoint is None:
        return 0
    delivered = 0
    try:
        while (head := await _head(sessions, endpoint_id)) is not None:
            keys = signing_secrets(endpoint, dt.datetime.now(dt.UTC))
            result = await send(
                client, settings, endpoint.url, message_id(head.id), head.body, keys
            )
            delivered += int(result.ok)
            if not await _settle(sessions, endpoint_id, head.id, result, settings):
                break
    finally:
        await _release(sessions, endpoint_id)
    return delivered


async def due_endpoints(
    sessions: async_sessionmaker[AsyncSession], limit: int = 200
) -> list[uuid.UUID]:
    """Enabled endpoints, not held by a deliverer, whose next delivery is due."""
    pending = (WebhookDelivery.state == "pending", WebhookDelivery.sequence.is_not(None))
    heads = (
        select(WebhookDelivery.endpoint_id, func.min(WebhookDelivery.sequence).label("sequence"))
        .where(*pending)
        .group_by(WebhookDelivery.endpoint_id)
        .subquery()
    )
    stmt = (
        select(heads.c.endpoint_id)
        .join(
            WebhookDelivery,
            (WebhookDelivery.endpoint_id == heads.c.endpoint_id)
            & (WebhookDelivery.sequence == heads.c.sequence),
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == heads.c.endpoint_id)
        .where(
            WebhookDelivery.next_attempt_at <= func.now(),
            WebhookEndpoint.enabled,
            or_(WebhookEndpoint.lease_until.is_(None), WebhookEndpoint.lease_until < func.now()),
        )
        .limit(limit)
    )
    async with sessions() as session:
        return list((await session.execute(stmt)).scalars())
