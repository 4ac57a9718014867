"""Bad input never hurts: hostile and broken files end DEAD with a typed, located error, the
project stays exactly as it was, and the outbox states follow PENDING → DISPATCHED → DONE/DEAD."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from app.errors import ForbiddenError
from app.interchange.errors import FileTooLarge, ProjectNotEmpty
from app.interchange.outbox import relay_imports
from app.interchange.service import MAX_ATTEMPTS, process_import, request_import
from app.models import Calendar, ImportRequest, Project, ScheduleRequest
from app.models.enums import Role
from app.state import AppState, unit_of_work
from tests.app.interchange.helpers import accept, import_row, live_tasks, run_import
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import create_task, make_world
from tests.scheduler.oracles._data import require

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol3;</Name></Project>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&xxe;</Name></Project>"""
NESTED = b"<Project>" + b"<a>" * 1_000_000 + b"</a>" * 1_000_000 + b"</Project>"
WRONG_ROOT = b'<?xml version="1.0"?><Workbook><Sheet/></Workbook>'
GARBAGE = bytes(range(256)) * 64
TRUNCATED_HEAD = b'<?xml version="1.0"?>\n<Project xmlns="http://schemas.microsoft.com/project">\n'


def _truncated() -> bytes:
    data = (require("mspdi") / "task-links-project2019-mspdi.xml").read_bytes()
    return data[: len(data) // 2]


HOSTILE = {
    "entity-bomb": (BOMB, "document type declaration"),
    "external-entity": (EXTERNAL, "document type declaration"),
    "deep-nesting": (NESTED, "nest deeper than 64"),
    "wrong-root": (WRONG_ROOT, "MPXJ could not read"),
    "binary-garbage": (GARBAGE, "MPXJ could not read"),
    "truncated": (None, "not well-formed XML"),
    "empty-project": (TRUNCATED_HEAD, "not well-formed XML"),
}


async def _snapshot(db: AppState, project: uuid.UUID) -> tuple[object, ...]:
    async with db.sessions() as session:
        row = await session.get(Project, project)
        assert row is not None
        calendars = await session.execute(
            select(func.count()).select_from(Calendar).where(Calendar.project_id == project)
        )
        return (
            row.name,
            row.start_date,
            row.server_version,
            row.default_calendar_id,
            calendars.scalar_one(),
            tuple((t.id, t.name, t.server_version) for t in await live_tasks(db, project)),
        )


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_files_fail_typed_and_change_nothing(db: AppState, case: str) -> None:
    data, message = HOSTILE[case]
    data = _truncated() if data is None else data
    world = await make_world(db)
    before = await _snapshot(db, world.project.id)
    outcome = await run_import(db, world.pm, world.project.id, f"{case}.xml", data)
    assert outcome.state == "DEAD"
    assert outcome.error is not None
    code, text_ = outcome.error
    assert code == "malformed_file"
    assert message in text_
    row = await import_row(db, outcome.import_id)
    assert (row.state, row.error_code, row.content) == ("DEAD", "malformed_file", None)
    assert await _snapshot(db, world.project.id) == before


async def test_a_located_error_names_line_and_column(db: AppState) -> None:
    world = await make_world(db)
    data = b'<?xml version="1.0"?>\n<Project>\n  <Name>x</Nme>\n</Project>'
    outcome = await run_import(db, world.pm, world.project.id, "bad.xml", data)
    assert outcome.error == (
        "malformed_file",
        "not well-formed XML: mismatched tag (line 3, column 12)",
    )


async def test_an_oversized_file_is_refused_before_it_is_stored(db: AppState) -> None:
    world = await make_world(db)
    async with unit_of_work(db.sessions) as uow:
        with pytest.raises(FileTooLarge, match="limit is 1,000"):
            await request_import(
                uow.session, world.pm, world.project.id, "x.xml", b"x" * 1001, max_bytes=1000
            )
    async with db.sessions() as session:
        count = await session.execute(select(func.count()).select_from(ImportRequest))
        assert count.scalar_one() == 0


async def test_only_project_managers_import(db: AppState) -> None:
    world = await make_world(db)
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    async with unit_of_work(db.sessions) as uow:
        with pytest.raises(ForbiddenError):
            await request_import(
                uow.session,
                world.users[Role.TEAM_MEMBER].id,
                world.project.id,
                "x.xml",
                data,
                max_bytes=10**8,
            )


async def test_a_project_with_tasks_is_refused(db: AppState, gql: GraphQLClient) -> None:
    world = await make_world(db)
    await create_task(gql, world.pm, world.project, "Already here")
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    async with unit_of_work(db.sessions) as uow:
        with pytest.raises(ProjectNotEmpty, match="already has 1 task"):
            await request_import(
                uow.session, world.pm, world.project.id, "x.xml", data, max_bytes=10**8
            )


async def test_a_task_created_while_the_import_waits_makes_it_dead_not_merged(
    db: AppState,
    gql: GraphQLClient,
) -> None:
    world = await make_world(db)
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    import_id = await accept(db, world.pm, world.project.id, "x.xml", data)
    await create_task(gql, world.pm, world.project, "Sneaked in")
    outcome = await process_import(db.sessions, import_id, db.events)
    assert outcome.state == "DEAD"
    assert outcome.error is not None
    assert outcome.error[0] == "project_not_empty"
    assert [t.name for t in await live_tasks(db, world.project.id)] == ["Sneaked in"]


async def test_the_same_file_twice_is_recognised_by_its_hash(db: AppState) -> None:
    world = await make_world(db)
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    first = await run_import(db, world.pm, world.project.id, "plan.xml", data)
    assert first.state == "DONE"
    async with unit_of_work(db.sessions) as uow:
        again = await request_import(
            uow.session, world.pm, world.project.id, "copy.xml", data, max_bytes=10**8
        )
    assert again.duplicate
    assert again.request.id == first.import_id
    # A failed (DEAD) import does not count: the same bytes may be tried again.
    other = await make_world(db)
    dead = await run_import(db, other.pm, other.project.id, "bad.xml", GARBAGE)
    assert dead.state == "DEAD"
    retry = await accept(db, other.pm, other.project.id, "bad.xml", GARBAGE)
    assert retry != dead.import_id


async def test_outbox_states_and_worker_loss(db: AppState) -> None:
    world = await make_world(db)
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    import_id = await accept(db, world.pm, world.project.id, "x.xml", data)
    assert (await import_row(db, import_id)).state == "PENDING"
    seen: list[uuid.UUID] = []

    async def dispatch(ident: uuid.UUID) -> None:
        seen.append(ident)

    assert await relay_imports(db.sessions, dispatch) == [import_id]
    row = await import_row(db, import_id)
    assert (row.state, row.attempts) == ("DISPATCHED", 1)
    # Dispatched and not yet stale: not claimed again. Stale (a lost worker): claimed again.
    assert await relay_imports(db.sessions, dispatch) == []
    assert await relay_imports(db.sessions, dispatch, reclaim_after=timedelta(0)) == [import_id]
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(ImportRequest)
            .where(ImportRequest.id == import_id)
            .values(attempts=MAX_ATTEMPTS + 1)
        )
    outcome = await process_import(db.sessions, import_id, db.events)
    assert outcome.error == ("worker_lost", f"no worker finished it in {MAX_ATTEMPTS} tries")
    assert await live_tasks(db, world.project.id) == []
    assert seen == [import_id, import_id]


async def test_a_done_import_writes_once_and_requests_one_reschedule(db: AppState) -> None:
    world = await make_world(db)
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    import_id = await accept(db, world.pm, world.project.id, "x.xml", data)
    first = await process_import(db.sessions, import_id, db.events)
    second = await process_import(db.sessions, import_id, db.events)
    assert (first.state, second.state) == ("DONE", "skipped")
    async with db.sessions() as session:
        reasons = await session.execute(
            select(ScheduleRequest.reason).where(ScheduleRequest.project_id == world.project.id)
        )
        assert list(reasons.scalars()) == ["plan imported"]
        row = await session.get(ImportRequest, import_id)
        assert row is not None
        assert row.content is None
        assert row.ended_at is not None
        history = await session.execute(
            text("SELECT count(*) FROM history_entry WHERE actor_id = :a"), {"a": world.pm}
        )
        assert history.scalar_one() > 0
    assert len(await live_tasks(db, world.project.id)) == 5
