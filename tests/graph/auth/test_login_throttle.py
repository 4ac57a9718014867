"""Login throttling (issue 15): 200 wrong passwords in a row are refused after the limit, the
right password too until the window ends, other accounts unaffected; guessing across accounts
from one address is limited as well; register and refresh are limited per address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from app.asgi import create_app
from app.settings import Settings
from app.state import AppState
from tests.factories import PASSWORD, make_user

LOGIN = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
  __typename ... on TooManyRequests { code retryAfter message } } }"""
REFRESH = """mutation { refreshToken(refreshToken: "nope") {
  __typename ... on TooManyRequests { retryAfter } } }"""


@asynccontextmanager
async def _app(settings: Settings, db: AppState, **env: str) -> AsyncIterator[Callable[..., Any]]:
    """An app of its own (its own counters), with the throttle settings of `env`."""
    configured = Settings.from_env(
        {"SECRET_KEY": settings.signing_key(), "TRUEPPM_DATA_DIR": str(settings.data_dir), **env}
    )
    app = create_app(configured, db.database_url)
    clients: dict[str, httpx.AsyncClient] = {}

    async def post(query: str, variables: dict[str, Any], address: str = "10.0.0.1") -> Any:
        if address not in clients:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            clients[address] = httpx.AsyncClient(transport=transport, base_url="http://t")
        return await clients[address].post(
            "/graphql", json={"query": query, "variables": variables}
        )

    try:
        yield post
    finally:
        for client in clients.values():
            await client.aclose()
        await app.state.trueppm.close()


async def test_two_hundred_wrong_passwords(db: AppState, settings: Settings) -> None:
    user = await make_user(db)
    other = await make_user(db)
    async with _app(settings, db) as post:
        kinds = []
        for _ in range(200):
            answer = await post(LOGIN, {"e": user.email, "p": "wrong guess"})
            kinds.append(answer.json()["data"]["login"]["__typename"])
        assert kinds == ["AuthenticationFailed"] * 10 + ["TooManyRequests"] * 190
        locked = await post(LOGIN, {"e": user.email, "p": PASSWORD})
        refused = locked.json()["data"]["login"]
        assert refused["__typename"] == "TooManyRequests"  # the right password too
        assert refused["code"] == "TOO_MANY_REQUESTS"
        assert 0 < refused["retryAfter"] <= 900
        assert locked.headers["retry-after"] == str(refused["retryAfter"])
        fine = await post(LOGIN, {"e": other.email, "p": PASSWORD})  # same address
        assert fine.json()["data"]["login"]["__typename"] == "AuthPayload"


async def test_the_lock_ends_with_its_window(db: AppState, settings: Settings) -> None:
    user = await make_user(db)
    async with _app(settings, db, TRUEPPM_LOGIN_WINDOW_SECONDS="2") as post:
        for _ in range(10):
            await post(LOGIN, {"e": user.email, "p": "wrong"})
        early = await post(LOGIN, {"e": user.email, "p": PASSWORD})
        assert early.json()["data"]["login"]["__typename"] == "TooManyRequests"
        await asyncio.sleep(2.2)
        late = await post(LOGIN, {"e": user.email, "p": PASSWORD})
        assert late.json()["data"]["login"]["__typename"] == "AuthPayload"


async def test_guessing_across_accounts_from_one_address(db: AppState, settings: Settings) -> None:
    user = await make_user(db)
    async with _app(settings, db, TRUEPPM_LOGIN_MAX_FAILURES_PER_ADDRESS="20") as post:
        for i in range(20):  # one try per account: no account reaches its own limit
            await post(LOGIN, {"e": f"guess-{i}@example.com", "p": "x"}, address="10.9.9.9")
        blocked = await post(LOGIN, {"e": user.email, "p": PASSWORD}, address="10.9.9.9")
        assert blocked.json()["data"]["login"]["__typename"] == "TooManyRequests"
        elsewhere = await post(LOGIN, {"e": user.email, "p": PASSWORD}, address="10.8.8.8")
        assert elsewhere.json()["data"]["login"]["__typename"] == "AuthPayload"


async def test_refresh_and_register_are_limited_per_address(
    db: AppState, settings: Settings
) -> None:
    async with _app(settings, db, TRUEPPM_AUTH_CALLS_PER_ADDRESS="5") as post:
        kinds = [
            (await post(REFRESH, {})).json()["data"]["refreshToken"]["__typename"] for _ in range(7)
        ]
        assert kinds == ["AuthenticationFailed"] * 5 + ["TooManyRequests"] * 2
        other = await post(REFRESH, {}, address="10.7.7.7")
        assert other.json()["data"]["refreshToken"]["__typename"] == "AuthenticationFailed"
