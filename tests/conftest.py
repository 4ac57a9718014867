"""Shared fixtures: a fresh PostgreSQL database per test run, migrated with our migrations.

Tests use a real PostgreSQL: `TRUEPPM_TEST_DATABASE_URL`, else the server on 127.0.0.1:5432,
else (outside CI) an embedded one started from the wheel. In CI a missing server fails.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from app.asgi import create_app
from app.auth.tokens import issue_access_token
from app.db import sync_url
from app.migrate import upgrade
from app.models import Base
from app.settings import Settings
from app.state import AppState

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


async def _reachable(url: str) -> bool:
    try:
        connection = await asyncpg.connect(sync_url(url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


def _server_url() -> str:
    explicit = os.environ.get("TRUEPPM_TEST_DATABASE_URL")
    candidate = explicit or "postgresql://postgres@127.0.0.1:5432/postgres"
    if asyncio.run(_reachable(candidate)):
        return candidate
    if IN_CI or explicit:
        pytest.fail(f"PostgreSQL is not reachable at {candidate} (tests never skip it in CI)")
    from app import embedded

    return embedded.start(ROOT / ".trueppm" / "test-pg")


async def _admin(server: str, sql: str) -> None:
    connection = await asyncpg.connect(sync_url(server))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_server() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def empty_database(pg_server: str) -> Iterator[str]:
    """A freshly created, empty database; dropped at the end of the run."""
    name = f"trueppm_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(pg_server, f"CREATE DATABASE {name}"))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    yield url
    asyncio.run(_admin(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> Iterator[str]:
    """A database migrated to head, shared by the run; tables are emptied after each test."""
    name = f"trueppm_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(pg_server, f"CREATE DATABASE {name}"))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    asyncio.run(_admin(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("trueppm-data")
    return Settings.from_env(
        {
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs512-0123456789abcdefghij",
            "TRUEPPM_OPEN_REGISTRATION": "true",
            "TRUEPPM_DATA_DIR": str(data),
            "TRUEPPM_PAGE_SIZE_MAX": "50",
            # One client address (the ASGI test client's) for the whole session: per-address
            # auth limits stay out of other tests' way (tests/graph/auth/test_login_throttle.py
            # checks them on apps of their own).
            "TRUEPPM_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
            "TRUEPPM_AUTH_CALLS_PER_ADDRESS": "1000000",
            # The same for the per-user request budget (tests/graph/auth/test_request_rate.py).
            "TRUEPPM_API_REQUESTS_PER_MINUTE": "0",
            # Webhook receivers of the tests listen on loopback; quick retries and timeouts.
            # The SSRF tests (tests/app/webhooks/test_targets.py) check the default refusal.
            "TRUEPPM_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8",
            "TRUEPPM_WEBHOOK_RETRY_BASE_MS": "50",
            "TRUEPPM_WEBHOOK_TIMEOUT_SECONDS": "2",
        }
    )


@pytest.fixture(scope="session")
async def state(settings: Settings, database_url: str) -> AsyncIterator[AppState]:
    app_state = AppState(settings=settings, database_url=database_url)
    yield app_state
    await app_state.close()


_TABLES = [t.name for t in Base.metadata.sorted_tables]
# One statement that deletes every row. A superuser runs it with triggers and foreign-key checks
# off (session_replication_role = replica), so neither order nor trigger side effects (history,
# sync sequence) matter. DELETE of the few rows a test leaves is ~100x cheaper than TRUNCATE,
# which recreates the files of every table and was a large share of the suite's run time.
_DELETE_ALL = "DO $$ BEGIN " + " ".join(f"DELETE FROM {name};" for name in _TABLES) + " END $$"


async def _empty_tables(state: AppState) -> None:
    async with state.engine.begin() as connection:
        superuser = await connection.scalar(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        )
        if superuser:
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            await connection.execute(text(_DELETE_ALL))
        else:
            await connection.execute(text(f"TRUNCATE {', '.join(_TABLES)} CASCADE"))


@pytest.fixture
async def db(state: AppState) -> AsyncIterator[AppState]:
    """The shared state, with every table emptied after the test."""
    yield state
    await _empty_tables(state)


@pytest.fixture(scope="session")
def app(state: AppState, settings: Settings) -> Starlette:
    """The ASGI app over the shared state, built once: building the GraphQL schema costs more
    than most tests. It holds no per-test data (the tables are emptied after each test)."""
    return create_app(settings, state.database_url, state=state)


@pytest.fixture
async def client(db: AppState, app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQLClient:
    """Posts real query strings to /graphql, optionally as a given user."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http = http
        self.settings = settings

    def token_for(self, user_id: uuid.UUID) -> str:
        return issue_access_token(self.settings, user_id)

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: uuid.UUID | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        bearer = token or (self.token_for(user) if user else None)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient, settings: Settings) -> GraphQLClient:
    return GraphQLClient(client, settings)
