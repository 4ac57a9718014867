"""Export a project as Microsoft Project XML (MSPDI): WBS, links, constraints, calendars,
progress, baselines, resources and assignments, and the engine's computed dates.

`load_export` reads everything in a fixed number of statements; `render_mspdi` then yields
the document in chunks (one per task), so the REST route streams it. Units follow the
import's rules backwards: a working day is 480 minutes (08:00-12:00, 13:00-17:00), a start
is 08:00 of its day, a finish 17:00, and a milestone sits at 17:00 of its day.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.interchange.export_resources import load_resources, resources_xml
from app.models import (
    Assignment,
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    Dependency,
    Project,
    Resource,
)
from app.models.enums import Role
from app.tasks.tree import Node, project_tree

MINUTES_PER_DAY = 480
_LINK_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
_CONSTRAINTS = {
    "ASAP": 0, "ALAP": 1, "MSO": 2, "MFO": 3, "SNET": 4, "SNLT": 5, "FNET": 6, "FNLT": 7,
}  # fmt: skip
_FINISH_CONSTRAINTS = {"MFO", "FNET", "FNLT"}
# Characters XML 1.0 cannot carry at all (a name typed with a stray control character).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WORKING_TIMES = (
    "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime>"
    "</WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime>"
    "</WorkingTime></WorkingTimes>"
)


@dataclass(frozen=True)
class ExportData:
    project: Project
    nodes: list[Node]
    links: list[Dependency]
    calendars: list[Calendar]
    exceptions: dict[uuid.UUID, list[CalendarException]]
    baselines: list[tuple[Baseline, list[BaselineTask]]]
    resources: list[Resource] = field(default_factory=list)
    assignments: list[tuple[Assignment, int, str]] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", self.project.name).strip(" ._") or "project"
        return f"{stem[:100]}.xml"


async def load_export(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID
) -> ExportData:
    """Everything the document needs, for a project the caller can see (any role)."""
    await require_project_role(session, user_id, project_id, Role.VIEWER)
    project = await session.get(Project, project_id)
    assert project is not None  # the role check found it live
    nodes = await project_tree(session, user_id, project_id)
    links = list(
        (
            await session.execute(
                select(Dependency)
                .where(
                    Dependency.project_id == project_id,
                    Dependency.is_deleted.is_(False),
                    Dependency.predecessor_project_id.is_(None),
                )
                .order_by(Dependency.created_at, Dependency.id)
            )
        ).scalars()
    )
    calendars = list(
        (
            await session.execute(
                select(Calendar)
                .where(Calendar.project_id == project_id, Calendar.is_deleted.is_(False))
                .order_by(Calendar.created_at, Calendar.id)
            )
        ).scalars()
    )
    exceptions: dict[uuid.UUID, list[CalendarException]] = defaultdict(list)
    if calendars:
        rows = await session.execute(
            select(CalendarException)
            .where(CalendarException.calendar_id.in_([c.id for c in calendars]))
            .order_by(CalendarException.start_date)
        )
        for exc in rows.scalars():
            exceptions[exc.calendar_id].append(exc)
    resources, assignments = await load_resources(session, project_id)
    return ExportData(
        project, nodes, links, calendars, exceptions, await _baselines(session, project_id),
        resources, assignments,
    )  # fmt: skip


async def _baselines(
    session: AsyncSession, project_id: uuid.UUID
) -> list[tuple[Baseline, list[BaselineTask]]]:
    baselines = list(
        (
            await session.execute(
                select(Baseline)
                .where(Baseline.project_id == project_id, Baseline.is_deleted.is_(False))
                .order_by(Baseline.captured_at, Baseline.id)
            )
        ).scalars()
    )
    per: dict[uuid.UUID, list[BaselineTask]] = defaultdict(list)
    if baselines:
        rows = await session.execute(
            select(BaselineTask).where(BaselineTask.baseline_id.in_([b.id for b in baselines]))
        )
        for row in rows.scalars():
            per[row.baseline_id].append(row)
    return [(b, per[b.id]) for b in baselines]


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _el(tag: str, value: object) -> str:
    return f"<{tag}>{_text(str(value))}</{tag}>"


def _start(day: date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T08:00:00"


def _finish(day: date | None) -> str | None:
    return None if day is None else f"{day.isoformat()}T17:00:00"


def _duration(days: int) -> str:
    return f"PT{days * MINUTES_PER_DAY // 60}H{days * MINUTES_PER_DAY % 60}M0S"


def _tenths(days: int | None) -> int:
    return 0 if days is None else days * MINUTES_PER_DAY * 10


def _fields(pairs: list[tuple[str, object | None]]) -> str:
    return "".join(_el(tag, value) for tag, value in pairs if value is not None)


def _calendar_xml(cal: Calendar, uid: int, exceptions: list[CalendarException]) -> str:
    days = []
    for day_type in range(1, 8):  # 1 = Sunday .. 7 = Saturday; bit 0 of the mask = Monday
        working = bool(cal.working_weekdays >> ((day_type + 5) % 7) & 1)
        times = _WORKING_TIMES if working else ""
        days.append(
            f"<WeekDay><DayType>{day_type}</DayType><DayWorking>{int(working)}</DayWorking>"
            f"{times}</WeekDay>"
        )
    excs = "".join(
        "<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod>"
        f"<FromDate>{e.start_date.isoformat()}T00:00:00</FromDate>"
        f"<ToDate>{e.end_date.isoformat()}T23:59:00</ToDate></TimePeriod>"
        f"<Occurrences>1</Occurrences>{_el('Name', e.name or 'Exception')}<Type>1</Type>"
        f"<DayWorking>{int(e.is_working)}</DayWorking>{_WORKING_TIMES if e.is_working else ''}"
        "</Exception>"
        for e in exceptions
    )
    return (
        f"<Calendar><UID>{uid}</UID>{_el('Name', cal.name)}<IsBaseCalendar>1</IsBaseCalendar>"
        f"<BaseCalendarUID>-1</BaseCalendarUID><WeekDays>{''.join(days)}</WeekDays>"
        f"<Exceptions>{excs}</Exceptions></Calendar>"
    )


class _Numbering:
    """MSPDI UIDs: 1.. in WBS order for tasks, 1.. for calendars (0 and -1 are reserved)."""

    def __init__(self, data: ExportData) -> None:
        self.tasks = {n.task.id: i for i, n in enumerate(data.nodes, start=1)}
        self.calendars = {c.id: i for i, c in enumerate(data.calendars, start=1)}
        self.predecessors: dict[uuid.UUID, list[Dependency]] = defaultdict(list)
        for link in data.links:
            if link.predecessor_id in self.tasks:
                self.predecessors[link.successor_id].append(link)
        self.baselines: dict[uuid.UUID, list[tuple[int, BaselineTask]]] = defaultdict(list)
        numbers = _baseline_numbers([b for b, _ in data.baselines])
        for baseline, rows in data.baselines:
            for row in rows:
                self.baselines[row.task_id].append((numbers[baseline.id], row))


def _baseline_numbers(baselines: list[Baseline]) -> dict[uuid.UUID, int]:
    """The active baseline is Project's "Baseline" (0); the others fill Baseline1..10 in
    capture order (an 11th and later ones have no MSPDI slot and are left out)."""
    numbers: dict[uuid.UUID, int] = {}
    active = [b for b in baselines if b.is_active]
    if active:
        numbers[active[0].id] = 0
    free = iter(range(0 if not active else 1, 11))
    for b in baselines:
        if b.id not in numbers:
            slot = next(free, None)
            if slot is not None:
                numbers[b.id] = slot
    return numbers


def _links_xml(links: list[Dependency], ids: _Numbering) -> str:
    out = []
    for link in links:
        elapsed = link.lag_unit == "elapsed_days"
        lag = link.lag * (14400 if elapsed else MINUTES_PER_DAY * 10)
        out.append(
            f"<PredecessorLink><PredecessorUID>{ids.tasks[link.predecessor_id]}</PredecessorUID>"
            f"<Type>{_LINK_TYPES[link.type]}</Type><CrossProject>0</CrossProject>"
            f"<LinkLag>{lag}</LinkLag><LagFormat>{8 if elapsed else 7}</LagFormat>"
            "</PredecessorLink>"
        )
    return "".join(out)


def _baseline_xml(number: int, row: BaselineTask) -> str:
    fields = _fields(
        [
            ("Start", _start(row.early_start)),
            ("Finish", _finish(row.early_finish)),
            ("Duration", _duration(row.duration)),
            ("DurationFormat", 7),
        ]
    )
    return f"<Baseline><Number>{number}</Number>{fields}</Baseline>"


def _task_xml(node: Node, ids: _Numbering, summary: bool) -> str:
    t = node.task
    uid = ids.tasks[t.id]
    milestone = t.kind == "milestone"
    start = _finish(t.early_start) if milestone else _start(t.early_start)
    constraint_at = _finish if t.constraint_type in _FINISH_CONSTRAINTS else _start
    late_start = _finish(t.late_start) if milestone else _start(t.late_start)
    fields = _fields(
        [
            ("UID", uid), ("ID", uid), ("Name", t.name), ("Type", 1), ("IsNull", 0),
            ("WBS", node.outline), ("OutlineNumber", node.outline),
            ("OutlineLevel", node.outline.count(".") + 1), ("Priority", t.priority),
            ("Start", start), ("Finish", _finish(t.early_finish)),
            ("Duration", _duration(0 if summary or milestone else t.duration)),
            ("DurationFormat", 7), ("Milestone", int(milestone)), ("Summary", int(summary)),
            ("Manual", 0), ("Critical", int(t.is_critical)),
            ("EarlyStart", start), ("EarlyFinish", _finish(t.early_finish)),
            ("LateStart", late_start), ("LateFinish", _finish(t.late_finish)),
            ("FreeSlack", _tenths(t.free_float)), ("TotalSlack", _tenths(t.total_float)),
            ("PercentComplete", round(t.percent_complete)),
            ("ActualStart", _start(t.actual_start)), ("ActualFinish", _finish(t.actual_finish)),
            ("ConstraintType", _CONSTRAINTS[t.constraint_type]),
            ("CalendarUID", ids.calendars.get(t.calendar_id, -1) if t.calendar_id else -1),
            ("ConstraintDate", constraint_at(t.constraint_date)),
            ("Deadline", _finish(t.deadline)),
            ("Notes", t.description or None),
        ]
    )  # fmt: skip
    baselines = "".join(
        _baseline_xml(n, b) for n, b in sorted(ids.baselines.get(t.id, []), key=lambda i: i[0])
    )
    return f"<Task>{fields}{_links_xml(ids.predecessors.get(t.id, []), ids)}{baselines}</Task>"


def render_mspdi(data: ExportData) -> Iterator[str]:
    """The MSPDI document in chunks: header and calendars, then one chunk per task."""
    p = data.project
    ids = _Numbering(data)
    finishes = [n.task.early_finish for n in data.nodes if n.task.early_finish is not None]
    finish = max(finishes, default=p.start_date)
    default_uid = ids.calendars.get(p.default_calendar_id) if p.default_calendar_id else None
    calendars = [
        _calendar_xml(c, ids.calendars[c.id], data.exceptions.get(c.id, [])) for c in data.calendars
    ]
    if default_uid is None:
        default_uid = len(calendars) + 1
        standard = Calendar(id=uuid.uuid4(), name="Standard", working_weekdays=0b0011111)
        calendars.append(_calendar_xml(standard, default_uid, []))
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield '<Project xmlns="http://schemas.microsoft.com/project">'
    yield _fields(
        [
            ("SaveVersion", 14), ("Name", p.name), ("Title", p.name),
            ("ScheduleFromStart", 1), ("StartDate", _start(p.start_date)),
            ("FinishDate", _finish(finish)), ("CalendarUID", default_uid),
            ("DefaultStartTime", "08:00:00"), ("DefaultFinishTime", "17:00:00"),
            ("MinutesPerDay", MINUTES_PER_DAY), ("MinutesPerWeek", MINUTES_PER_DAY * 5),
            ("DaysPerMonth", 20), ("DurationFormat", 7), ("StatusDate", _finish(p.status_date)),
        ]
    )  # fmt: skip
    yield f"<Calendars>{''.join(calendars)}</Calendars><Tasks>"
    yield (
        f"<Task><UID>0</UID><ID>0</ID>{_el('Name', p.name)}<Type>1</Type><IsNull>0</IsNull>"
        "<WBS>0</WBS><OutlineNumber>0</OutlineNumber><OutlineLevel>0</OutlineLevel>"
        f"<Start>{_start(p.start_date)}</Start><Finish>{_finish(finish)}</Finish>"
        "<Summary>1</Summary><CalendarUID>-1</CalendarUID></Task>"
    )
    parents = {n.task.wbs_path.rpartition(".")[0] for n in data.nodes}
    for node in data.nodes:
        yield _task_xml(node, ids, summary=node.task.wbs_path in parents)
    yield "</Tasks>"
    yield resources_xml(data.resources, data.assignments, ids.tasks, _el)
    yield "</Project>\n"
