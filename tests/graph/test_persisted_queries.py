"""Persisted operations over HTTP: Apollo's APQ protocol (hash only → PersistedQueryNotFound,
hash + document registers it), GET queries with ETag revalidation, mutations POST only, and
the allow-list mode. (Over WebSocket and across processes: tests/graph/events.)"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.asgi import create_app
from app.auth.tokens import issue_access_token
from app.settings import ConfigError, Settings
from app.state import AppState
from graph.persisted import load_allowlist, sha256
from tests.graph.tasks.factories import make_world


# The app (and its store of documents) is shared by the tests: each test its own document.
def _query() -> str:
    return f"query Me {{ me {{ email }} }} # {uuid.uuid4().hex}"


MUTATION = 'mutation { login(email: "a@b.c", password: "x") { __typename } }'


def _apq(digest: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def _post(client: httpx.AsyncClient, token: str | None, **body: Any) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _code(answer: dict[str, Any]) -> str:
    code: str = answer["errors"][0]["extensions"]["code"]
    return code


async def test_automatic_persisted_queries_over_post(
    client: httpx.AsyncClient, db: AppState, settings: Settings
) -> None:
    world = await make_world(db)
    token = issue_access_token(settings, world.pm)
    query = _query()
    digest = sha256(query)
    unknown = await _post(client, token, extensions=_apq(digest))
    assert unknown["errors"][0]["message"] == "PersistedQueryNotFound"
    assert _code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.get("data") is None
    registered = await _post(client, token, query=query, extensions=_apq(digest))
    email = registered["data"]["me"]["email"]
    by_hash = await _post(client, token, extensions=_apq(digest))
    assert by_hash == {"data": {"me": {"email": email}}}
    wrong = await _post(client, token, query=query, extensions=_apq("0" * 64))
    assert _code(wrong) == "PERSISTED_QUERY_HASH_MISMATCH"
    bad = await _post(client, token, extensions=_apq(digest, version=2))
    assert _code(bad) == "BAD_PERSISTED_QUERY"
    assert _code(await _post(client, token, extensions=_apq("XYZ"))) == "BAD_PERSISTED_QUERY"


async def test_get_queries_are_cacheable_and_mutations_stay_post_only(
    client: httpx.AsyncClient, db: AppState, settings: Settings
) -> None:
    world = await make_world(db)
    headers = {"authorization": f"Bearer {issue_access_token(settings, world.pm)}"}
    query = _query()
    digest = sha256(query)
    params = {"extensions": json.dumps(_apq(digest)), "operationName": "Me"}
    first = await client.get("/graphql", params=params, headers=headers)
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    await client.get("/graphql", params={**params, "query": query}, headers=headers)
    answer = await client.get("/graphql", params=params, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["data"]["me"]["email"]
    assert answer.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in answer.headers["vary"].split(", ")
    tag = answer.headers["etag"]
    assert tag.startswith('W/"')
    again = await client.get("/graphql", params=params, headers={**headers, "if-none-match": tag})
    assert again.status_code == 304
    assert again.content == b""
    refused = await client.get("/graphql", params={"query": MUTATION})
    assert refused.status_code in (400, 405)
    assert "etag" not in refused.headers
    posted = await client.post("/graphql", json={"query": MUTATION})
    assert posted.json() == {"data": {"login": {"__typename": "AuthenticationFailed"}}}


def _allowlist_app(settings: Settings, state: AppState, manifest: Path) -> Starlette:
    configured = Settings.from_env(
        {
            "SECRET_KEY": settings.signing_key(),
            "TRUEPPM_DATA_DIR": str(settings.data_dir),
            "TRUEPPM_PERSISTED_QUERIES": "allowlist",
            "TRUEPPM_PERSISTED_QUERIES_FILE": str(manifest),
        }
    )
    return create_app(configured, state.database_url)  # its own state: its own schema


async def test_allowlist_runs_only_registered_operations(
    db: AppState, settings: Settings, tmp_path: Path
) -> None:
    manifest = tmp_path / "operations.json"
    allowed = "query { __typename }"
    manifest.write_text(json.dumps({"operations": [{"id": sha256(allowed), "body": allowed}]}))
    app = _allowlist_app(settings, db, manifest)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        by_hash = await _post(client, None, extensions=_apq(sha256(allowed)))
        assert by_hash == {"data": {"__typename": "Query"}}
        by_text = await _post(client, None, query=allowed)
        assert by_text == {"data": {"__typename": "Query"}}
        other = await _post(client, None, query="query { me { id } }")
        assert _code(other) == "PERSISTED_QUERY_NOT_ALLOWED"
        query = _query()
        register = await _post(client, None, query=query, extensions=_apq(sha256(query)))
        # APQ cannot add to the list
        assert _code(register) == "PERSISTED_QUERY_NOT_ALLOWED"
    await app.state.trueppm.close()


def test_a_bad_manifest_or_mode_is_a_configuration_error(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"0" * 64: "query { __typename }"}))
    with pytest.raises(ConfigError, match="is not its document's sha256"):
        load_allowlist(wrong)
    with pytest.raises(ConfigError, match="must be auto, allowlist or off"):
        Settings.from_env({"TRUEPPM_PERSISTED_QUERIES": "sometimes"})
    with pytest.raises(ConfigError, match="needs TRUEPPM_PERSISTED_QUERIES_FILE"):
        Settings.from_env({"TRUEPPM_PERSISTED_QUERIES": "allowlist"})
