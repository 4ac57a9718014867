"""Calendars over GraphQL: create with exceptions, validation, replace, delete rules."""

from __future__ import annotations

from typing import Any

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import create_task, make_world

CREATE = """
mutation($input: CreateCalendarInput!) {
  createCalendar(input: $input) {
    __typename
    ... on CalendarPayload { calendar { id name workingWeekdays serverVersion
        exceptions { name startDate endDate isWorking } } }
    ... on ValidationError { fields { path message } }
  }
}"""
UPDATE = """
mutation($id: ID!, $input: UpdateCalendarInput!, $v: Int) {
  updateCalendar(id: $id, input: $input, serverVersion: $v) {
    __typename
    ... on CalendarPayload { calendar { workingWeekdays serverVersion exceptions { name } } }
    ... on Conflict { currentVersion }
  }
}"""
DELETE = """
mutation($id: ID!) { deleteCalendar(id: $id) {
  __typename ... on DeleteCalendarPayload { serverVersion } ... on Conflict { message } } }"""
HOLIDAY = {"name": "New Year", "startDate": "2026-01-01", "endDate": "2026-01-02"}


async def _create(gql: GraphQLClient, user: Any, project: Any, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"projectId": str(project.id), "name": "Base", **fields}}
    body = await gql(CREATE, variables, user=user)
    result: dict[str, Any] = body["data"]["createCalendar"]
    return result


async def test_create_list_update_and_delete(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    created = await _create(gql, world.pm, world.project, exceptions=[HOLIDAY])
    calendar = created["calendar"]
    assert calendar["workingWeekdays"] == 31
    assert calendar["exceptions"] == [{**HOLIDAY, "isWorking": False}]
    listed = await gql(
        "query($p: ID!) { calendars(projectId: $p) { name exceptions { name } } }",
        {"p": str(world.project.id)},
        user=world.pm,
    )
    assert listed["data"]["calendars"] == [{"name": "Base", "exceptions": [{"name": "New Year"}]}]
    saturday = {
        "name": "Sat shift",
        "startDate": "2026-03-07",
        "endDate": "2026-03-07",
        "isWorking": True,
    }
    body = await gql(
        UPDATE,
        {"id": calendar["id"], "input": {"workingWeekdays": 63, "exceptions": [saturday]}, "v": 1},
        user=world.pm,
    )
    assert body["data"]["updateCalendar"]["calendar"] == {
        "workingWeekdays": 63,
        "serverVersion": 2,
        "exceptions": [{"name": "Sat shift"}],
    }
    stale = await gql(UPDATE, {"id": calendar["id"], "input": {}, "v": 1}, user=world.pm)
    assert stale["data"]["updateCalendar"] == {"__typename": "Conflict", "currentVersion": 2}
    deleted = await gql(DELETE, {"id": calendar["id"]}, user=world.pm)
    assert deleted["data"]["deleteCalendar"] == {
        "__typename": "DeleteCalendarPayload",
        "serverVersion": 3,
    }


async def test_invalid_calendars_name_the_field(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    backwards = {"startDate": "2026-05-02", "endDate": "2026-05-01"}
    overlap = {"startDate": "2026-01-02", "endDate": "2026-01-03"}
    result = await _create(
        gql, world.pm, world.project, workingWeekdays=0, exceptions=[HOLIDAY, backwards, overlap]
    )
    assert [f["path"] for f in result["fields"]] == [
        ["input", "workingWeekdays"],
        ["input", "exceptions", "1", "endDate"],
        ["input", "exceptions", "2", "startDate"],
    ]


async def test_a_calendar_in_use_cannot_be_deleted(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    calendar = (await _create(gql, world.pm, world.project))["calendar"]
    await create_task(gql, world.pm, world.project, "T", calendarId=calendar["id"])
    body = await gql(DELETE, {"id": calendar["id"]}, user=world.pm)
    assert body["data"]["deleteCalendar"] == {
        "__typename": "Conflict",
        "message": "1 task(s) use this calendar; change them first",
    }
