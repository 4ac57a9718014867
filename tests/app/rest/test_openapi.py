"""The OpenAPI document is valid, covers every REST route, and the live app honours it."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from app.auth.tokens import issue_access_token
from app.models import ProjectForecastSnapshot
from app.models.enums import Role
from app.rest.openapi import build_document
from app.settings import Settings
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOTS = "/api/v1/projects/{project_id}/forecast-snapshots/"


async def test_document_is_valid_openapi_31_and_lists_every_route(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    response = await client.get("/api/schema/")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    validate(build_document())  # with the optional routes (the beat heartbeat) described too
    assert document["openapi"] == "3.1.0"
    bearer = document["components"]["securitySchemes"]["bearer"]
    assert (bearer["scheme"], bearer["bearerFormat"]) == ("bearer", "JWT or tppm_ API token")
    http_paths = {
        route.path
        for route in app.routes
        if isinstance(route, Route) and not route.path.startswith("/graphql")
    }
    assert http_paths == set(document["paths"])
    for table in ("Tasks", "Dependencies", "Calendars", "Projects", "Sprints", "Baselines"):
        assert f"{table}Record" in document["components"]["schemas"]
    snapshots = document["paths"][SNAPSHOTS]["get"]
    assert set(snapshots["responses"]) == {"200", "400", "401", "404"}
    assert {p["name"] for p in snapshots["parameters"]} == {
        "project_id",
        "since",
        "until",
        "limit",
        "cursor",
    }
    page = document["components"]["schemas"]["ForecastSnapshotPage"]
    assert page["properties"]["snapshots"]["items"] == {
        "$ref": "#/components/schemas/ForecastSnapshot"
    }
    task = document["components"]["schemas"]["TasksRecord"]["properties"]
    assert task["early_start"]["readOnly"] is True
    assert "readOnly" not in task["name"]


async def test_docs_page_is_self_contained_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/docs/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<script" not in page
    shown = {"/healthz", "/api/v1/projects/{project_id}/sync/", SNAPSHOTS}
    for path in build_document(shown)["paths"]:
        assert path in page


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here/")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await client.delete(f"/api/v1/projects/{uuid.uuid4()}/sync/")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fuzz(base: str, token: str, project_id: uuid.UUID) -> dict[str, Counter[int]]:
    """Schemathesis against the live server: no 5xx, every response matches the document.
    Returns the statuses seen per operation."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_url(f"{base}/api/schema/")
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    calls = 0
    statuses: dict[str, Counter[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        statuses[operation.label] = Counter()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: schemathesis.Case) -> None:
            nonlocal calls
            if case.path_parameters and calls % 3:
                case.path_parameters["project_id"] = str(project_id)
            headers = {"Authorization": f"Bearer {token}"} if calls % 5 else {}
            calls += 1
            response = case.call_and_validate(headers=headers, checks=checks)
            statuses[case.operation.label][response.status_code] += 1

        run()
    return statuses


async def test_schemathesis_finds_no_server_error_or_schema_violation(
    settings: Settings, db: AppState, tmp_path: Path
) -> None:
    owner = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={owner.id: Role.PROJECT_MANAGER}
    )
    async with unit_of_work(db.sessions) as uow:
        for day in range(1, 4):
            uow.session.add(
                ProjectForecastSnapshot(
                    project_id=project.id,
                    captured_at=dt.datetime(2026, 3, day, tzinfo=dt.UTC),
                    kind="floor",
                    cpm_finish=dt.date(2026, 6, day),
                    total_float=day - 2,
                    task_count=3,
                    completed_count=1,
                    critical_count=2,
                )
            )
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "VALKEY_URL"},
        "DATABASE_URL": db.database_url,
        "SECRET_KEY": settings.secret_key or "",
        "TRUEPPM_DATA_DIR": str(tmp_path),
        "TRUEPPM_PORT": str(port),
        "TRUEPPM_LOG_LEVEL": "WARNING",
        "TRUEPPM_DRAIN_SECONDS": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            await asyncio.sleep(0.3)
        token = issue_access_token(settings, owner.id)
        loop = asyncio.get_running_loop()
        statuses = await loop.run_in_executor(None, _fuzz, base, token, project.id)
        assert sum(sum(seen.values()) for seen in statuses.values()) >= 90
        # The snapshot history is exercised for real: pages of the member's project come back.
        snapshots = statuses["GET /api/v1/projects/{project_id}/forecast-snapshots/"]
        assert sum(snapshots.values()) >= 20
        assert snapshots[200] >= 1
        assert snapshots[401] >= 1
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode()[-3000:]
