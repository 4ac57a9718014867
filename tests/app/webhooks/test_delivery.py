"""Delivering to a real HTTP receiver on localhost: every request verified with the
`standardwebhooks` library, faults (500, timeout, dropped connection, refused, a killed
deliverer) ending with every message delivered once by webhook-id and in order."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from app.webhooks.delivery import deliver_endpoint, http_client
from app.webhooks.runner import start_webhooks
from tests.app.webhooks.helpers import create_webhook, deliveries
from tests.app.webhooks.receiver import Receiver
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.tasks.factories import World, create_task, make_world

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def receiver() -> Any:
    server = Receiver()
    yield server
    server.stop()


async def _endpoint(
    gql: GraphQLClient, world: World, url: str, events: list[str] | None = None
) -> tuple[uuid.UUID, str]:
    made = await create_webhook(
        gql,
        world.users[Role.PROJECT_ADMIN].id,
        projectId=str(world.project.id),
        url=url,
        events=events or ["task.created"],
    )
    assert made["__typename"] == "CreatedWebhook", made
    return uuid.UUID(made["webhook"]["id"]), made["secret"]


async def _drain(
    state: AppState, endpoint: uuid.UUID, settings: Settings | None = None, seconds: float = 20
) -> None:
    """Deliver until nothing is pending (the retries' backoff is 50 ms and up in the tests)."""
    deadline = time.monotonic() + seconds
    async with http_client(settings or state.settings) as client:
        while time.monotonic() < deadline:
            await deliver_endpoint(state.sessions, settings or state.settings, endpoint, client)
            if all(d["state"] != "pending" for d in await deliveries(state, endpoint)):
                return
            await asyncio.sleep(0.05)
    raise AssertionError("deliveries still pending")


async def _attempts(state: AppState, delivery_id: uuid.UUID) -> list[tuple[int | None, str]]:
    async with state.sessions() as session:
        rows = await session.execute(
            select(WebhookAttempt.status_code, WebhookAttempt.error)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        )
        return [(code, error or "") for code, error in rows.all()]


def _verified(secret: str, request: Any) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


async def test_faults_end_with_every_message_delivered_once_in_order(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    world = await make_world(db)
    endpoint, secret = await _endpoint(gql, world, receiver.url)
    receiver.stop()  # refused at first
    for name in ("One", "Two", "Three"):
        await create_task(gql, world.pm, world.project, name)
    async with http_client(db.settings) as client:
        assert await deliver_endpoint(db.sessions, db.settings, endpoint, client) == 0
    receiver.start()
    receiver.script.extend(["fail", "slow", "drop"])
    await _drain(db, endpoint)

    # Every request carries a valid signature, the first delivery included.
    for request in receiver.received:
        _verified(secret, request)
    answered = [r for r in receiver.received if r.behaviour == "ok"]
    names = [json.loads(r.body)["data"]["changes"]["name"] for r in answered]
    assert names == ["One", "Two", "Three"]  # in order, each once
    assert [json.loads(r.body)["sequence"] for r in answered] == [1, 2, 3]
    ids = [r.headers["webhook-id"] for r in answered]
    assert len(set(ids)) == 3
    # The retried first message kept its webhook-id through every attempt.
    first_id = ids[0]
    assert [r.headers["webhook-id"] for r in receiver.received[:4]] == [first_id] * 4
    rows = await deliveries(db, endpoint)
    assert [d["state"] for d in rows] == ["delivered"] * 3
    attempts = await _attempts(db, rows[0]["id"])
    assert [code for code, _ in attempts] == [None, 500, None, None, 204]
    errors = [error for _, error in attempts]
    assert errors[0].startswith("could not connect")
    assert errors[1] == "HTTP 500"
    assert errors[2] == "no answer within 2 s"
    assert errors[3].startswith("no response")
    assert errors[4] == ""
    async with db.sessions() as session:
        failures = await session.scalar(
            select(WebhookEndpoint.consecutive_failures).where(WebhookEndpoint.id == endpoint)
        )
    assert failures == 0  # reset by the success


async def test_a_failing_endpoint_is_disabled_and_resumes_in_order_when_enabled(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    world = await make_world(db)
    endpoint, _ = await _endpoint(gql, world, receiver.url)
    await create_task(gql, world.pm, world.project, "A")
    await create_task(gql, world.pm, world.project, "B")
    receiver.script.extend(["fail"] * 10)
    strict = dataclasses.replace(db.settings, webhook_disable_after=3)
    async with http_client(strict) as client:
        for _ in range(40):
            await deliver_endpoint(db.sessions, strict, endpoint, client)
            await asyncio.sleep(0.05)
    assert len(receiver.received) == 3  # nothing after it was disabled
    state = await gql(
        "query($id: ID!) { webhook(id: $id) { enabled disabledReason consecutiveFailures "
        "pendingDeliveries } }",
        {"id": str(endpoint)},
        user=world.owner.id,
    )
    assert state["data"]["webhook"] == {
        "enabled": False,
        "disabledReason": "disabled after 3 failed attempts in a row (last: HTTP 500)",
        "consecutiveFailures": 3,
        "pendingDeliveries": 2,
    }
    receiver.script.clear()
    enabled = await gql(
        "mutation($id: ID!) { updateWebhook(id: $id, input: {enabled: true}) { __typename "
        "... on WebhookPayload { webhook { enabled disabledReason consecutiveFailures } } } }",
        {"id": str(endpoint)},
        user=world.owner.id,
    )
    assert enabled["data"]["updateWebhook"]["webhook"] == {
        "enabled": True,
        "disabledReason": None,
        "consecutiveFailures": 0,
    }
    await _drain(db, endpoint)
    answered = [json.loads(r.body)["data"]["changes"]["name"] for r in receiver.received[3:]]
    assert answered == ["A", "B"]


async def test_a_message_retried_past_the_window_is_given_up_and_the_next_goes(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    world = await make_world(db)
    endpoint, _ = await _endpoint(gql, world, receiver.url)
    await create_task(gql, world.pm, world.project, "Old")
    await create_task(gql, world.pm, world.project, "New")
    async with db.sessions() as session, session.begin():  # as if written 25 hours ago
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.sequence == 1, WebhookDelivery.endpoint_id == endpoint)
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
        )
    receiver.script.append("fail")
    await _drain(db, endpoint)
    assert [d["state"] for d in await deliveries(db, endpoint)] == ["failed", "delivered"]
    assert [r.behaviour for r in receiver.received] == ["fail", "ok"]


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    world = await make_world(db)
    endpoint, old = await _endpoint(gql, world, receiver.url)
    rotated = await gql(
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { __typename "
        "... on CreatedWebhook { secret webhook { previousSecretExpiresAt } } } }",
        {"id": str(endpoint)},
        user=world.owner.id,
    )
    new = rotated["data"]["rotateWebhookSecret"]["secret"]
    assert new != old
    expires = dt.datetime.fromisoformat(
        rotated["data"]["rotateWebhookSecret"]["webhook"]["previousSecretExpiresAt"]
    )
    assert abs(expires - dt.datetime.now(dt.UTC) - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)
    await create_task(gql, world.pm, world.project, "Signed twice")
    await _drain(db, endpoint)
    (request,) = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert _verified(old, request)["data"]["changes"]["name"] == "Signed twice"
    assert _verified(new, request)["type"] == "task.created"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, request.headers)

    # After the overlap only the new secret signs.
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint)
            .values(previous_secret_expires_at=dt.datetime.now(dt.UTC))
        )
    await create_task(gql, world.pm, world.project, "Signed once")
    await _drain(db, endpoint)
    latest = receiver.received[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1
    _verified(new, latest)
    with pytest.raises(WebhookVerificationError):
        _verified(old, latest)


async def test_redirects_are_not_followed_and_addresses_are_checked_at_delivery(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    world = await make_world(db)
    endpoint, _ = await _endpoint(gql, world, receiver.url)
    await create_task(gql, world.pm, world.project, "A")
    receiver.script.append("redirect")
    async with http_client(db.settings) as client:
        await deliver_endpoint(db.sessions, db.settings, endpoint, client)
        # The operator takes loopback off the allow-list: the address is checked again now,
        # so a URL that passed when it was saved (or a DNS answer that changed) is refused.
        closed = dataclasses.replace(db.settings, webhook_allow_networks=())
        await _make_due(db, endpoint)
        await deliver_endpoint(db.sessions, closed, endpoint, client)
    assert [r.path for r in receiver.received] == ["/hook"]  # never /elsewhere, nothing more
    (row,) = await deliveries(db, endpoint)
    attempts = await _attempts(db, row["id"])
    assert attempts[0] == (302, "HTTP 302: redirect to /elsewhere not followed")
    assert attempts[1][0] is None
    assert attempts[1][1].startswith("refused: 127.0.0.1 resolves to 127.0.0.1, which is not a")


async def _make_due(db: AppState, endpoint: uuid.UUID) -> None:
    """Make the delivery due at once (instead of waiting for its backoff)."""
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint)
            .values(next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )


async def test_test_message_and_redelivery(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    world = await make_world(db)
    endpoint, secret = await _endpoint(gql, world, receiver.url)
    tested = await gql(
        "mutation($id: ID!) { testWebhook(id: $id) { __typename ... on WebhookTestResult { "
        "ok statusCode error delivery { eventType sequence state attemptCount } } } }",
        {"id": str(endpoint)},
        user=world.owner.id,
    )
    assert tested["data"]["testWebhook"] == {
        "__typename": "WebhookTestResult",
        "ok": True,
        "statusCode": 204,
        "error": None,
        "delivery": {
            "eventType": "webhook.test",
            "sequence": None,
            "state": "delivered",
            "attemptCount": 1,
        },
    }
    assert _verified(secret, receiver.received[0])["data"] == {"webhookId": str(endpoint)}

    await create_task(gql, world.pm, world.project, "Again")
    await _drain(db, endpoint)
    log = await gql(
        "query($id: ID!) { webhook(id: $id) { deliveries { id messageId eventType state "
        "attempts { statusCode } } } }",
        {"id": str(endpoint)},
        user=world.owner.id,
    )
    newest = log["data"]["webhook"]["deliveries"][0]
    assert (newest["eventType"], newest["state"], newest["attempts"]) == (
        "task.created",
        "delivered",
        [{"statusCode": 204}],
    )
    again = await gql(
        "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename "
        "... on WebhookDeliveryPayload { delivery { state } } } }",
        {"id": newest["id"]},
        user=world.owner.id,
    )
    assert again["data"]["redeliverWebhook"]["delivery"]["state"] == "pending"
    await _drain(db, endpoint)
    assert [r.headers["webhook-id"] for r in receiver.received[1:]] == [newest["messageId"]] * 2
    assert receiver.received[1].body == receiver.received[2].body
    # A member below Project Admin is refused; someone outside the project is told nothing.
    stranger = await make_user(db)
    for user, expected in ((world.pm, "Forbidden"), (stranger.id, "NotFound")):
        refused = await gql(
            "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename } }",
            {"id": newest["id"]},
            user=user,
        )
        assert refused["data"]["redeliverWebhook"]["__typename"] == expected


async def test_the_relay_delivers_after_commit_without_being_asked(
    db: AppState, gql: GraphQLClient, receiver: Receiver
) -> None:
    """The in-process mode: the commit pokes the relay, which sends at once."""
    world = await make_world(db)
    await _endpoint(gql, world, receiver.url)
    webhooks = start_webhooks(db)
    try:
        started = time.monotonic()
        await create_task(gql, world.pm, world.project, "Live")
        while not receiver.received and time.monotonic() - started < 5:
            await asyncio.sleep(0.01)
        elapsed = time.monotonic() - started
    finally:
        await webhooks.stop()
        db.uow_context.pop("webhook_poke", None)
    assert len(receiver.received) == 1
    assert elapsed < 0.9  # poked by the commit, not found by the one-second sweep


async def test_a_deliverer_killed_mid_send_is_replaced_and_the_message_keeps_its_id(
    db: AppState, gql: GraphQLClient
) -> None:
    receiver = Receiver(slow_seconds=60)
    try:
        world = await make_world(db)
        endpoint, secret = await _endpoint(gql, world, receiver.url)
        await create_task(gql, world.pm, world.project, "Survives")
        receiver.script.append("slow")
        env = {
            **os.environ,
            "DATABASE_URL": db.database_url,
            "TRUEPPM_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8",
            "TRUEPPM_WEBHOOK_TIMEOUT_SECONDS": "120",
        }
        env.pop("VALKEY_URL", None)
        worker = subprocess.Popen(
            [sys.executable, "-c", f"from jobs.webhooks import deliver; deliver('{endpoint}')"],
            cwd=ROOT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 30
            while not receiver.received and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert receiver.received, "the job never sent"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        (row,) = await deliveries(db, endpoint)
        assert row["state"] == "pending"  # the kill left it owed
        async with db.sessions() as session:
            lease = await session.scalar(
                select(WebhookEndpoint.lease_until).where(WebhookEndpoint.id == endpoint)
            )
        assert lease is not None  # held by the dead job until it expires
        async with http_client(db.settings) as client:
            assert await deliver_endpoint(db.sessions, db.settings, endpoint, client) == 0
        async with db.sessions() as session, session.begin():  # the lease's time passes
            await session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint)
                .values(lease_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            )
        await _drain(db, endpoint)
        ids = [r.headers["webhook-id"] for r in receiver.received]
        assert len(ids) == 2
        assert len(set(ids)) == 1  # the receiver drops the second by its webhook-id
        for request in receiver.received:
            _verified(secret, request)
    finally:
        receiver.stop()
