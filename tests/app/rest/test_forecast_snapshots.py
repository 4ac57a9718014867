"""`GET /api/v1/projects/{id}/forecast-snapshots/`: values, ranges, paging, auth, problems."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from app.auth.tokens import issue_access_token
from app.models import Project, ProjectForecastSnapshot
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace

UTC = dt.UTC


def _at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


async def _snapshot(state: AppState, project_id: uuid.UUID, at: dt.datetime, **values: Any) -> None:
    async with unit_of_work(state.sessions) as uow:
        uow.session.add(
            ProjectForecastSnapshot(
                project_id=project_id,
                captured_at=at,
                kind=values.pop("kind", "recompute"),
                task_count=values.pop("task_count", 10),
                completed_count=values.pop("completed_count", 2),
                critical_count=values.pop("critical_count", 4),
                **values,
            )
        )


@pytest.fixture
async def world(db: AppState, settings: Settings) -> dict[str, Any]:
    """A project with five snapshots on 1 to 4 March (two on the 2nd), its viewer, an outsider."""
    owner = await make_user(db)
    viewer = await make_user(db)
    outsider = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={viewer.id: Role.VIEWER}
    )
    await _snapshot(db, project.id, _at(1), cpm_finish=dt.date(2026, 6, 1), total_float=3)
    await _snapshot(db, project.id, _at(2, 0), cpm_finish=dt.date(2026, 6, 3), total_float=1)
    await _snapshot(
        db,
        project.id,
        _at(2, 23),
        kind="floor",
        cpm_finish=dt.date(2026, 6, 5),
        total_float=0,
        p50=dt.date(2026, 6, 8),
        p80=dt.date(2026, 6, 12),
        p95=dt.date(2026, 6, 19),
        task_count=12,
        completed_count=5,
        critical_count=6,
    )
    await _snapshot(db, project.id, _at(3), cpm_finish=dt.date(2026, 6, 4), total_float=-2)
    await _snapshot(db, project.id, _at(4), cpm_finish=None, total_float=None, task_count=0)
    return {
        "project": project,
        "viewer": issue_access_token(settings, viewer.id),
        "outsider": issue_access_token(settings, outsider.id),
    }


def _url(project_id: uuid.UUID) -> str:
    return f"/api/v1/projects/{project_id}/forecast-snapshots/"


async def _get(
    client: httpx.AsyncClient, project_id: uuid.UUID, token: str | None, **params: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(_url(project_id), params=params, headers=headers)


async def test_a_viewer_reads_every_snapshot_oldest_first(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    project = world["project"]
    response = await _get(client, project.id, world["viewer"])
    assert response.status_code == 200
    body = response.json()
    assert body["project_id"] == str(project.id)
    assert (body["has_more"], body["next_cursor"]) == (False, None)
    finishes = [s["cpm_finish"] for s in body["snapshots"]]
    assert finishes == ["2026-06-01", "2026-06-03", "2026-06-05", "2026-06-04", None]
    floor = body["snapshots"][2]
    assert floor == {
        "id": floor["id"],
        "captured_at": "2026-03-02T23:00:00+00:00",
        "kind": "floor",
        "cpm_finish": "2026-06-05",
        "total_float": 0,
        "forecast_run_id": None,
        "p50": "2026-06-08",
        "p80": "2026-06-12",
        "p95": "2026-06-19",
        "task_count": 12,
        "completed_count": 5,
        "critical_count": 6,
    }
    assert [s["total_float"] for s in body["snapshots"]] == [3, 1, 0, -2, None]


async def test_since_and_until_are_inclusive_utc_days(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    project, token = world["project"], world["viewer"]
    day_two = await _get(client, project.id, token, since="2026-03-02", until="2026-03-02")
    assert [s["captured_at"] for s in day_two.json()["snapshots"]] == [
        "2026-03-02T00:00:00+00:00",
        "2026-03-02T23:00:00+00:00",
    ]
    from_third = await _get(client, project.id, token, since="2026-03-03")
    assert [s["total_float"] for s in from_third.json()["snapshots"]] == [-2, None]
    to_first = await _get(client, project.id, token, until="2026-03-01")
    assert [s["total_float"] for s in to_first.json()["snapshots"]] == [3]
    far = await _get(client, project.id, token, since="0001-01-01", until="9999-12-31")
    assert len(far.json()["snapshots"]) == 5


async def test_pages_cover_every_snapshot_once_even_when_new_ones_arrive(
    db: AppState, client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    project, token = world["project"], world["viewer"]
    first = (await _get(client, project.id, token, limit=2)).json()
    assert [s["total_float"] for s in first["snapshots"]] == [3, 1]
    assert first["has_more"] is True
    await _snapshot(db, project.id, _at(5), total_float=7)  # captured between two pages
    seen = [s["total_float"] for s in first["snapshots"]]
    cursor = first["next_cursor"]
    pages = 1
    while cursor:
        page = (await _get(client, project.id, token, limit=2, cursor=cursor)).json()
        seen += [s["total_float"] for s in page["snapshots"]]
        cursor = page["next_cursor"]
        pages += 1
    assert seen == [3, 1, 0, -2, None, 7]
    assert pages == 3


async def test_outsiders_unknown_and_trashed_projects_are_not_found(
    db: AppState, client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    project = world["project"]
    outsider = await _get(client, project.id, world["outsider"])
    assert outsider.status_code == 404
    assert outsider.headers["content-type"] == "application/problem+json"
    assert outsider.json()["type"] == "https://trueppm.dev/problems/not-found"
    assert (await _get(client, uuid.uuid4(), world["viewer"])).status_code == 404
    malformed = await client.get(
        "/api/v1/projects/not-a-uuid/forecast-snapshots/",
        headers={"Authorization": f"Bearer {world['viewer']}"},
    )
    assert malformed.status_code == 404
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(Project).where(Project.id == project.id).values(is_deleted=True)
        )
    assert (await _get(client, project.id, world["viewer"])).status_code == 404


async def test_no_token_is_401(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    response = await _get(client, world["project"].id, None)
    assert response.status_code == 401
    assert response.json()["type"] == "https://trueppm.dev/problems/unauthenticated"
    assert response.headers["www-authenticate"] == 'Bearer realm="trueppm"'


@pytest.mark.parametrize(
    ("params", "parameter", "detail"),
    [
        ({"since": "2026-13-01"}, "since", "since must be a date (YYYY-MM-DD), got '2026-13-01'"),
        ({"until": "yesterday"}, "until", "until must be a date (YYYY-MM-DD), got 'yesterday'"),
        (
            {"since": "2026-03-04", "until": "2026-03-01"},
            "since",
            "since must not be after until",
        ),
        ({"limit": "0"}, "limit", "limit must be between 1 and 1000, got 0"),
        ({"limit": "1001"}, "limit", "limit must be between 1 and 1000, got 1001"),
        ({"limit": "ten"}, "limit", "limit must be an integer, got 'ten'"),
        ({"cursor": "bm9wZQ"}, "cursor", "cursor is not a value this server returned"),
        ({"cursor": "%%%"}, "cursor", "cursor is not a value this server returned"),
    ],
)
async def test_bad_parameters_are_400_problems_naming_the_parameter(
    client: httpx.AsyncClient,
    world: dict[str, Any],
    params: dict[str, str],
    parameter: str,
    detail: str,
) -> None:
    response = await _get(client, world["project"].id, world["viewer"], **params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://trueppm.dev/problems/bad-request"
    assert (body["parameter"], body["detail"]) == (parameter, detail)


async def test_an_outsider_with_a_bad_range_learns_nothing_about_the_project(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    # Parameter checks come first, the same for every project: a 400 reveals no existence.
    response = await _get(client, world["project"].id, world["outsider"], limit="0")
    assert response.status_code == 400
    missing = await _get(client, uuid.uuid4(), world["outsider"], limit="0")
    assert missing.status_code == 400


async def test_a_token_without_the_bearer_prefix_is_told_so(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    response = await client.get(
        _url(world["project"].id), headers={"Authorization": "not-a-bearer-header"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == (
        'the Authorization header must be "Bearer <token>": the "Bearer " prefix is missing'
    )
