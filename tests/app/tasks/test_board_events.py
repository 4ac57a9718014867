"""Task and dependency services publish board events after commit, over memory and real Redis."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.errors import ConflictError
from app.events import BoardEvent, EventStream
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState, unit_of_work
from app.tasks import dependencies, service
from app.tasks.placement import Target
from tests.app.events.helpers import redis_url_or_skip
from tests.factories import make_project, make_user, make_workspace


def _target(parent: uuid.UUID | None = None, after: uuid.UUID | None = None) -> Target:
    return Target(parent, None, after, ("parentId",), ("beforeId",), ("afterId",))


@pytest.fixture(params=["memory", "redis"])
async def bus_state(
    request: pytest.FixtureRequest, db: AppState, settings: Settings
) -> AsyncIterator[AppState]:
    """The services' state with the in-memory bus, or one publishing through real Redis."""
    if request.param == "memory":
        yield db
        return
    shared = dataclasses.replace(settings, valkey_url=redis_url_or_skip())
    state = AppState(settings=shared, database_url=db.database_url)
    yield state
    await state.close()


async def _pm_project(state: AppState) -> tuple[uuid.UUID, uuid.UUID]:
    owner = await make_user(state)
    pm = await make_user(state)
    workspace = await make_workspace(state, owner)
    project = await make_project(state, workspace, members={pm.id: Role.PROJECT_MANAGER})
    return pm.id, project.id


async def _next(stream: EventStream) -> BoardEvent:
    return await asyncio.wait_for(stream.next(), 5)


async def _create(state: AppState, user: uuid.UUID, project: uuid.UUID, **fields: Any) -> Any:
    parent = fields.pop("parent", None)
    async with unit_of_work(state.sessions) as uow:
        return await service.create_task(uow.session, user, project, fields, _target(parent))


async def _update(
    state: AppState, user: uuid.UUID, task: uuid.UUID, changes: dict[str, Any], version: int | None
) -> None:
    async with unit_of_work(state.sessions) as uow:
        await service.update_task(uow.session, user, task, changes, version)


async def _update_then_fail(state: AppState, user: uuid.UUID, task: uuid.UUID) -> None:
    async with unit_of_work(state.sessions) as uow:
        await service.update_task(uow.session, user, task, {"duration": 9}, None)
        raise RuntimeError("failed after the write")


async def test_each_mutation_publishes_its_event_with_the_changes(bus_state: AppState) -> None:
    state = bus_state
    pm, project = await _pm_project(state)
    async with state.events.subscribe(project) as stream:
        a = await _create(state, pm, project, name="Design", duration=5)
        event = await _next(stream)
        assert (event.type, event.seq, event.actor_id) == ("task_created", 1, pm)
        assert event.payload == {
            "taskId": str(a.id),
            "serverVersion": 1,
            "changes": {"name": "Design", "duration": 5, "parentId": None, "wbsRank": a.wbs_rank},
        }
        b = await _create(state, pm, project, name="Build", duration=3)
        assert (await _next(stream)).payload["taskId"] == str(b.id)

        async with unit_of_work(state.sessions) as uow:
            # The duration is sent unchanged: only the name is reported.
            changes = {"name": "Build walls", "duration": 3}
            await service.update_task(uow.session, pm, b.id, changes, None)
        event = await _next(stream)
        assert event.type == "task_updated"
        assert event.payload == {
            "taskId": str(b.id),
            "serverVersion": 2,
            "changes": {"name": "Build walls"},
        }

        async with unit_of_work(state.sessions) as uow:
            link = await dependencies.create_dependency(uow.session, pm, a.id, b.id, {"lag": 2})
        event = await _next(stream)
        assert (event.type, event.seq) == ("dependency_created", 4)
        assert event.payload == {
            "dependencyId": str(link.id),
            "predecessorId": str(a.id),
            "successorId": str(b.id),
            "kind": "FS",
            "lagDays": 2.0,
            "lagUnit": "working_days",
        }
        async with unit_of_work(state.sessions) as uow:
            await dependencies.update_dependency(uow.session, pm, link.id, {"lag": 1}, None)
        event = await _next(stream)
        assert (event.type, event.payload["lagDays"]) == ("dependency_updated", 1.0)

        async with unit_of_work(state.sessions) as uow:  # b goes under a
            await service.move_task(uow.session, pm, b.id, _target(parent=a.id), None)
        event = await _next(stream)
        assert event.type == "task_moved"
        assert event.payload == {
            "taskId": str(b.id),
            "serverVersion": 3,
            "parentId": str(a.id),
            "position": 0,
        }
        c = await _create(state, pm, project, name="Paint", parent=a.id)
        assert (await _next(stream)).payload["changes"]["parentId"] == str(a.id)
        async with unit_of_work(state.sessions) as uow:  # Paint before Build
            before_build = Target(None, b.id, None, (), (), ())
            await service.move_task(uow.session, pm, c.id, before_build, None)
        event = await _next(stream)
        assert (event.payload["taskId"], event.payload["position"]) == (str(c.id), 0)

        async with unit_of_work(state.sessions) as uow:  # the subtree and the link go
            await service.delete_task(uow.session, pm, a.id, None)
        events = [await _next(stream) for _ in range(4)]
    assert [e.type for e in events] == [
        "dependency_deleted",
        "task_deleted",
        "task_deleted",
        "task_deleted",
    ]
    assert events[0].payload["dependencyId"] == str(link.id)
    deleted = {e.payload["taskId"]: e.payload for e in events[1:]}
    assert set(deleted) == {str(a.id), str(b.id), str(c.id)}
    assert all(p["changes"] == {"isDeleted": True} for p in deleted.values())
    assert deleted[str(b.id)]["serverVersion"] == 4  # renamed (2), moved (3), deleted (4)
    assert [e.seq for e in events] == [9, 10, 11, 12]


async def test_a_rolled_back_or_refused_mutation_publishes_nothing(bus_state: AppState) -> None:
    state = bus_state
    pm, project = await _pm_project(state)
    task = await _create(state, pm, project, name="Design")
    async with state.events.subscribe(project, since=1) as stream:
        with pytest.raises(RuntimeError, match="after the write"):
            await _update_then_fail(state, pm, task.id)
        with pytest.raises(ConflictError):  # a stale version: refused by the service itself
            await _update(state, pm, task.id, {"duration": 9}, 7)
        async with unit_of_work(state.sessions) as uow:
            await service.update_task(uow.session, pm, task.id, {"duration": 4}, 1)
        event = await _next(stream)
        assert (event.type, event.seq) == ("task_updated", 2)  # nothing went out in between
        assert event.payload["changes"] == {"duration": 4}
        assert event.payload["serverVersion"] == 2
        assert stream.qsize() == 0


async def test_services_refuse_to_run_outside_a_unit_of_work(db: AppState) -> None:
    pm, project = await _pm_project(db)
    async with db.sessions() as session, session.begin():
        with pytest.raises(RuntimeError, match="unit_of_work"):
            await service.create_task(session, pm, project, {"name": "Loose"}, _target())
