"""`/metrics`: parsed with prometheus-client's own parser; what the figures say after real
requests; who may scrape. (Several processes: tests/app/cli/test_serve_workers.py.)"""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from app.asgi import create_app
from app.models import ScheduleRequest
from app.settings import Settings
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def _scrape(client: httpx.AsyncClient) -> dict:  # type: ignore[type-arg]
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return _samples(answer.text)


async def test_operations_errors_requests_and_outbox_depth(
    db: AppState, client: httpx.AsyncClient
) -> None:
    before = await _scrape(client)
    for _ in range(3):
        ok = await client.post("/graphql", json={"query": "query MetricsPing { __typename }"})
        assert ok.status_code == 200
    bad = await client.post("/graphql", json={"query": "query MetricsBad { nope }"})
    assert "Cannot query field 'nope'" in bad.json()["errors"][0]["message"]
    unauthenticated = await client.post("/graphql", json={"query": "query MetricsMe { me { id } }"})
    assert unauthenticated.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    async with unit_of_work(db.sessions) as uow:
        uow.session.add(ScheduleRequest(project_id=project.id, reason="metrics test"))

    after = await _scrape(client)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    ops = "trueppm_graphql_operations_total"
    assert delta(ops, operation="MetricsPing", type="query") == 3
    assert delta(ops, operation="MetricsMe", type="query") == 1
    assert (
        delta("trueppm_graphql_operation_seconds_count", operation="MetricsPing", type="query") == 3
    )
    assert delta("trueppm_graphql_errors_total", code="INVALID_DOCUMENT") == 1
    assert delta("trueppm_graphql_errors_total", code="UNAUTHENTICATED") == 1
    # The first scrape itself was counted; the GraphQL requests under their handler.
    assert delta("trueppm_http_requests_total", handler="graphql", status="200") == 5
    assert delta("trueppm_http_requests_total", handler="metrics", status="200") == 1
    assert _value(after, "trueppm_outbox_pending", table="schedule_request") == 1
    assert _value(after, "trueppm_outbox_pending", table="webhook_delivery") == 0
    assert 0 <= _value(after, "trueppm_outbox_oldest_age_seconds", table="schedule_request") < 60
    assert ("trueppm_websocket_connections", ()) in after


async def test_only_this_machine_or_the_token_may_scrape(
    db: AppState, settings: Settings, app: Starlette
) -> None:
    remote = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://t") as client:
        assert (await client.get("/metrics")).status_code == 404

    guarded_settings = Settings.from_env(
        {
            "SECRET_KEY": settings.signing_key(),
            "TRUEPPM_DATA_DIR": str(settings.data_dir),
            "TRUEPPM_METRICS_TOKEN": "scrape-secret",
        }
    )
    guarded = create_app(guarded_settings, db.database_url)
    try:
        transport = httpx.ASGITransport(app=guarded, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            missing = await client.get("/metrics")
            assert missing.status_code == 401
            assert missing.headers["www-authenticate"] == 'Bearer realm="metrics"'
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
            assert right.status_code == 200
            assert "trueppm_outbox_pending" in right.text
    finally:
        await guarded.state.trueppm.close()
