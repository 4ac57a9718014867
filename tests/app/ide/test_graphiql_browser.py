"""GraphiQL in a real headless Chromium with every request to another host refused: the page
renders from our own files, a login runs, and a subscription (over our WebSocket, signed in by
the headers pane) receives the board event of a task created meanwhile.

Chromium is Debian's (`make test` installs it); Playwright drives it by `executable_path`.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.async_api import Page, Route, WebSocket, async_playwright

from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.events.helpers import redis_url_or_skip
from tests.factories import PASSWORD, make_project, make_user, make_workspace
from tests.graph.events.servers import ApiProcess, processes

CHROMIUM = os.environ.get("TRUEPPM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
]
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def server(settings: Settings, database_url: str) -> Iterator[ApiProcess]:
    with processes() as started:
        started.append(ApiProcess(settings, database_url, redis_url_or_skip()))
        yield started[0]  # type: ignore[misc]


async def _result(page: Page, contains: str) -> str:
    """The result pane's text once it contains `contains`."""
    pane = page.locator(".result-window")
    await pane.get_by_text(contains, exact=False).first.wait_for(timeout=30_000)
    return await pane.inner_text()


async def test_graphiql_runs_offline_queries_and_subscriptions(
    db: AppState, server: ApiProcess
) -> None:
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs chromium"
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    project = await make_project(db, workspace, members={user.id: Role.PROJECT_MANAGER})
    refused: list[str] = []
    sockets: list[str] = []
    errors: list[str] = []

    async def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context()
        await context.route("**/*", only_local)
        page = await context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        subscribed = asyncio.Event()

        def watch(ws: WebSocket) -> None:
            sockets.append(ws.url)
            ws.on("framesent", lambda f: subscribed.set() if '"subscribe"' in str(f) else None)

        page.on("websocket", watch)
        try:
            # 1. The default tab: rendered from our files, explaining the login flow.
            await page.goto(f"{server.http}/graphql")
            await page.locator(".graphiql-container").wait_for(timeout=30_000)
            editor = page.locator(".graphiql-query-editor")
            await editor.get_by_text("Bearer <accessToken>", exact=False).wait_for()
            assert await page.locator(".graphiql-plugin, [aria-label*='Explorer']").count() > 0

            # 2. A query runs: log in, and read the token off the result pane.
            login = (
                f'mutation {{ login(email: "{user.email}", password: "{PASSWORD}") '
                "{ __typename ... on AuthPayload { accessToken } } }"
            )
            await page.goto(f"{server.http}/graphql?q={quote(login)}")
            async with page.expect_response(
                lambda r: "login" in (r.request.post_data or "")
            ) as posted:
                await page.locator(".graphiql-execute-button").click()
            token = (await (await posted.value).json())["data"]["login"]["accessToken"]
            assert '"__typename": "AuthPayload"' in (await _result(page, "accessToken"))

            # 3. The token goes in the headers pane; a subscription signs in with it.
            await page.evaluate(
                "h => localStorage.setItem('graphiql:headers', h)",
                json.dumps({"Authorization": f"Bearer {token}"}),
            )
            subscription = (
                f'subscription {{ boardEvents(projectId: "{project.id}") {{ type payload }} }}'
            )
            await page.goto(f"{server.http}/graphql?q={quote(subscription)}")
            await page.locator(".graphiql-execute-button").click()
            await asyncio.wait_for(subscribed.wait(), 30)
            await asyncio.sleep(0.5)  # the server registers the subscriber
            name = f"Seen in GraphiQL {uuid.uuid4().hex[:6]}"
            async with httpx.AsyncClient(base_url=server.http, timeout=30) as client:
                created = await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($p: ID!, $n: String!) { createTask(input: "
                        "{projectId: $p, name: $n, duration: 2}) { __typename } }",
                        "variables": {"p": str(project.id), "n": name},
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
            assert created.json() == {"data": {"createTask": {"__typename": "TaskPayload"}}}
            event = await _result(page, name)
            assert "TASK_CREATED" in event
        finally:
            await browser.close()

    assert refused == []  # nothing was even asked of another host
    assert sockets
    assert all(urlsplit(url).hostname in LOCAL for url in sockets)
    assert errors == []
