"""Prometheus metrics (`/metrics`, prometheus-client), safe across `--workers` processes.

Counters and histograms are recorded where things happen (GraphQL operations, HTTP requests,
WebSockets, the event fan-out, recomputes, webhook deliveries). With several API processes,
`trueppm serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh folder before the workers start,
so every process writes its samples there and any of them answers a scrape with the sum
(prometheus-client's multi-process mode). Queue figures — outbox depth and age per table, RQ
queue lengths — are read from PostgreSQL and Valkey at scrape time, by the answering process.

Access: with `TRUEPPM_METRICS_TOKEN` set, a scrape must send `Authorization: Bearer <token>`;
without it, only clients on this machine (loopback) are answered, everyone else gets 404.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
import re
import threading
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

if TYPE_CHECKING:
    from app.state import AppState

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

GRAPHQL_REQUESTS = Counter(
    "trueppm_graphql_operations_total",
    "GraphQL operations run, by operation name and type.",
    ["operation", "type"],
)
GRAPHQL_SECONDS = Histogram(
    "trueppm_graphql_operation_seconds",
    "Time to run a GraphQL operation (parse, validate, execute).",
    ["operation", "type"],
    buckets=LATENCY,
)
GRAPHQL_ERRORS = Counter(
    "trueppm_graphql_errors_total",
    "Errors in GraphQL answers, by code (INTERNAL: a bug, masked for the client).",
    ["code"],
)
HTTP_REQUESTS = Counter(
    "trueppm_http_requests_total",
    "HTTP requests answered, by handler and status code.",
    ["handler", "status"],
)
HTTP_SECONDS = Histogram(
    "trueppm_http_request_seconds", "Time to answer an HTTP request.", ["handler"], buckets=LATENCY
)
WEBSOCKETS = Gauge(
    "trueppm_websocket_connections",
    "Open, authenticated GraphQL WebSockets.",
    multiprocess_mode="livesum",
)
FANOUT_LAG = Histogram(
    "trueppm_event_fanout_lag_seconds",
    "From a board event's creation to its hand-over to a local subscriber.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)
RECOMPUTE_SECONDS = Histogram(
    "trueppm_recompute_seconds",
    "Duration of a schedule recompute (load, engine, write), by outcome, in the process "
    "that ran it (the API process when embedded; RQ workers record theirs in task_run).",
    ["state"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
WEBHOOK_ATTEMPTS = Counter(
    "trueppm_webhook_attempts_total",
    "Webhook delivery attempts by outcome: delivered, retry (failed, will retry), given_up "
    "(failed past the retry window).",
    ["outcome"],
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_NAMES = 500
_names: set[str] = set()
_names_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """A client-chosen operation name as a label, bounded: at most 500 distinct names per
    process (then `other`), anonymous operations as `anonymous`."""
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "other"
    with _names_lock:
        if name in _names:
            return name
        if len(_names) >= _MAX_NAMES:
            return "other"
        _names.add(name)
    return name


def handler_label(path: str) -> str:
    if path.startswith("/graphql"):
        return "graphql"
    if path.startswith("/api/"):
        return "rest"
    if path in ("/healthz", "/readyz", "/metrics"):
        return path.lstrip("/")
    return "other"


class HttpMetrics:
    """ASGI middleware counting HTTP requests and their latency (WebSockets are counted by
    the subscription transport)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        handler = handler_label(scope.get("path", ""))
        status = {"code": 500}
        loop = asyncio.get_running_loop()
        started = loop.time()

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            HTTP_REQUESTS.labels(handler, str(status["code"])).inc()
            HTTP_SECONDS.labels(handler).observe(loop.time() - started)


def _allowed(request: Request, token: str | None) -> bool | None:
    """True to answer, False for 401 (a token is configured and missing or wrong), None for
    404 (no token configured and the client is not on this machine)."""
    if token:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
    host = request.client.host if request.client else ""
    try:
        return True if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


async def _queue_figures(state: AppState) -> CollectorRegistry:
    """Outbox depth and age per table, RQ queue lengths: read now."""
    from app.models import ImportRequest, ScheduleRequest, SprintCloseRequest, WebhookDelivery

    registry = CollectorRegistry()
    depth = Gauge(
        "trueppm_outbox_pending",
        "Outbox rows not yet processed, per table.",
        ["table"],
        registry=registry,
    )
    age = Gauge(
        "trueppm_outbox_oldest_age_seconds",
        "Age of the oldest unprocessed outbox row, per table (0 when none).",
        ["table"],
        registry=registry,
    )
    tables: dict[str, tuple[Any, Any]] = {
        "schedule_request": (ScheduleRequest, ScheduleRequest.done_at.is_(None)),
        "sprint_close_request": (SprintCloseRequest, SprintCloseRequest.done_at.is_(None)),
        "import_request": (ImportRequest, ImportRequest.ended_at.is_(None)),
        "webhook_delivery": (WebhookDelivery, WebhookDelivery.state == "pending"),
    }
    async with state.sessions() as session:
        for name, (model, pending) in tables.items():
            oldest = func.extract("epoch", func.now() - func.min(model.created_at))
            count, seconds = (
                await session.execute(select(func.count(), oldest).where(pending))
            ).one()
            depth.labels(name).set(count)
            age.labels(name).set(float(seconds or 0))
    if state.settings.valkey_url:
        queues = Gauge(
            "trueppm_rq_queue_depth", "Jobs waiting in each RQ queue.", ["queue"], registry=registry
        )
        for name, count in (await asyncio.to_thread(_rq_depths, state.settings.valkey_url)).items():
            queues.labels(name).set(count)
    return registry


def _rq_depths(url: str) -> dict[str, int]:
    import redis
    from rq import Queue

    from app.cli import worker_queues

    connection = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return {name: Queue(name, connection=connection).count for name in worker_queues()}
    finally:
        connection.close()


def metrics_endpoint(state: AppState) -> Any:
    token = state.settings.metrics_token

    async def endpoint(request: Request) -> Response:
        allowed = _allowed(request, token)
        if allowed is None:
            return PlainTextResponse("Not Found", status_code=404)
        if not allowed:
            return PlainTextResponse(
                "send Authorization: Bearer <TRUEPPM_METRICS_TOKEN>",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        if MULTIPROCESS:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            recorded = generate_latest(registry)
        else:
            from prometheus_client import REGISTRY

            recorded = generate_latest(REGISTRY)
        now = generate_latest(await _queue_figures(state))
        return Response(recorded + now, media_type=CONTENT_TYPE_LATEST)

    return endpoint
