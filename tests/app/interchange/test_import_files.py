"""Every reference file imports (MSPDI natively, Primavera PMXML through real MPXJ), and after
the import and one recompute the stored dates are Microsoft Project's.

The dates are compared with what Project itself stored in each file with logic, as the engine
oracle (tests/scheduler/oracles/test_mspdi_oracle.py) does on the engine alone — here they
come back out of PostgreSQL after the whole import path, so every input the engine needs
survived the trip into rows.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Calendar, CalendarException, Project
from app.state import AppState
from scheduler import read_mspdi
from tests.app.interchange.helpers import live_tasks, run_import
from tests.graph.tasks.factories import make_world
from tests.scheduler.oracles._data import files, require
from tests.scheduler.oracles.mspdi_known import KNOWN_DIFFERENCES, is_logic_file

ALL_FILES = files("mspdi", "*.xml")
LOGIC_FILES = [p for p in ALL_FILES if is_logic_file(p.name)]
PRIMAVERA = {
    "PredecessorCalendar.xml",
    "ProjectDefaultCalendar.xml",
    "SuccessorCalendar.xml",
    "TwentyFourHourCalendar.xml",
}
FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float")
SLACK = {"total_float": "total_slack", "free_float": "free_slack"}
# legacy-sample's UID 2 is resource-driven in Project (see the engine oracle's `prepared`):
# its dates and those of everything it drives are not comparable without resources.
RESOURCE_DRIVEN = {"legacy-sample.xml"}


def test_reference_files_present() -> None:
    require("mspdi")
    assert len(ALL_FILES) == 20
    assert PRIMAVERA <= {p.name for p in ALL_FILES}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: Path(p).stem)
async def test_every_reference_file_imports(db: AppState, path: Path) -> None:
    world = await make_world(db)
    project = world.project.id
    outcome = await run_import(db, world.pm, project, path.name, path.read_bytes())
    assert outcome.state == "DONE", outcome.error
    assert outcome.report is not None
    expected_reader = "mpxj" if path.name in PRIMAVERA else "mspdi"
    assert outcome.report["reader"] == expected_reader
    # Project's own files keep Project's date rules; Primavera's get the engine's.
    rules = "trueppm" if path.name in PRIMAVERA else "ms_project"
    assert outcome.report["scheduling_rules"] == rules
    async with db.sessions() as session:
        assert (
            await session.scalar(select(Project.scheduling_rules).where(Project.id == project))
            == rules
        )
    tasks = await live_tasks(db, project)
    assert len(tasks) == outcome.report["counts"]["tasks"]
    assert set(outcome.report["task_ids"].values()) == {str(t.id) for t in tasks}
    if path.name not in PRIMAVERA:
        engine_view = read_mspdi(path)
        assert {str(t.id) for t in tasks} == {
            outcome.report["task_ids"][t.id] for t in engine_view.network.tasks
        }
    # Every non-summary task got its dates from the engine.
    assert all(t.early_start is not None for t in tasks if t.kind != "summary")


@pytest.mark.parametrize(
    "path", [p for p in LOGIC_FILES if p.name not in RESOURCE_DRIVEN], ids=lambda p: p.stem
)
async def test_imported_dates_are_microsoft_projects(db: AppState, path: Path) -> None:
    world = await make_world(db)
    project = world.project.id
    outcome = await run_import(db, world.pm, project, path.name, path.read_bytes())
    assert outcome.state == "DONE"
    assert outcome.report is not None
    ids = {uuid.UUID(v): uid for uid, v in outcome.report["task_ids"].items()}
    expected = read_mspdi(path).expected
    differences = []
    compared = 0
    for task in await live_tasks(db, project):
        uid = ids[task.id]
        theirs_all = expected[uid]
        for field in FIELDS:
            theirs = getattr(theirs_all, SLACK.get(field, field))
            mine = getattr(task, field)
            known = KNOWN_DIFFERENCES.get((path.name, uid, SLACK.get(field, field)))
            if known is not None:
                assert theirs == known[0]
                continue
            compared += 1
            if theirs != mine:
                differences.append(f"task {uid} {field}: Project {theirs}, imported {mine}")
    assert compared >= 6 * 5
    assert not differences, "\n".join(differences)


async def test_recurring_exceptions_given_only_as_rules_import_whole(db: AppState) -> None:
    """Project 2016's file with its expanded occurrences removed: the rules alone give the
    same calendar exceptions in the database."""
    source = next(p for p in ALL_FILES if p.name.startswith("calendar-recurring-exceptions"))
    text = source.read_text(encoding="utf-8")
    rule_only = re.sub(r"<WeekDay>\s*<DayType>0</DayType>.*?</WeekDay>", "", text, flags=re.S)
    stored = []
    for name, data in (("written.xml", text), ("rules.xml", rule_only)):
        world = await make_world(db)
        outcome = await run_import(db, world.pm, world.project.id, name, data.encode())
        assert outcome.state == "DONE", outcome.error
        assert outcome.report is not None
        assert not [w for w in outcome.report["warnings"] if w["subject"] == "calendar"]
        async with db.sessions() as session:
            rows = await session.execute(
                select(CalendarException.start_date, CalendarException.end_date, Calendar.name)
                .join(Calendar, Calendar.id == CalendarException.calendar_id)
                .where(Calendar.project_id == world.project.id)
            )
            stored.append(sorted(rows.all()))
    assert stored[0] == stored[1]
    assert len(stored[0]) >= 20
