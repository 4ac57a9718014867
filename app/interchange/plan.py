"""What an import writes, read from an MSPDI document: the `ImportPlan` and its report.

The engine's reader (`scheduler.read_mspdi_tree`) turns Project's minutes into the engine's
working days with the day-boundary rules that make our dates match Project's; this module
adds what the engine does not need and a project does: names, notes, priorities, progress,
baselines, calendar names, and the report of everything approximated or skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from app.interchange.errors import MalformedFile
from app.models.enums import SchedulingRules
from scheduler import Calendar as EngineCalendar
from scheduler import (
    CyclicDependencyError,
    MspdiFormatError,
    MspdiProject,
    ScheduleInputError,
    read_mspdi_tree,
)
from scheduler import Task as EngineTask
from scheduler._mspdi_xml import child, children, clock, iso_minutes, parse_datetime, text

MAX_NAME = 500
MAX_NOTES = 20000
MAX_CALENDAR_NAME = 200


@dataclass(frozen=True)
class ReportEntry:
    """One thing approximated, dropped or skipped: `subject` (task, link, calendar, project,
    resource, assignment, baseline), the file's own reference (a UID) and what happened."""

    subject: str
    ref: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"subject": self.subject, "ref": self.ref, "message": self.message}


@dataclass(frozen=True)
class PlanCalendar:
    uid: str
    name: str
    working_weekdays: int
    # Inclusive (first, last, is_working) ranges, sorted, never overlapping.
    exceptions: tuple[tuple[date, date, bool], ...]


@dataclass(frozen=True)
class PlanTask:
    """One task row; `engine` carries the scheduling inputs exactly as the engine reads them."""

    uid: str
    engine: EngineTask
    notes: str
    priority: int
    percent_complete: float


@dataclass(frozen=True)
class PlanBaselineTask:
    uid: str
    start: date | None
    finish: date | None
    duration: int


@dataclass(frozen=True)
class PlanResource:
    uid: str
    name: str
    kind: str  # work, material, cost
    initials: str
    material_label: str
    max_units: float
    availability: tuple[tuple[date, float], ...]
    standard_rate: float  # per hour
    overtime_rate: float
    cost_per_use: float
    labels: tuple[str, ...]


@dataclass(frozen=True)
class PlanAssignment:
    task_uid: str
    resource_uid: str
    units: float
    work: float | None  # hours, None: duration x units x 8
    cost: float | None


@dataclass(frozen=True)
class PlanBaseline:
    number: int  # 0 = "Baseline", 1..10 = "Baseline1".."Baseline10"
    tasks: tuple[PlanBaselineTask, ...]

    @property
    def name(self) -> str:
        return "Baseline" if self.number == 0 else f"Baseline{self.number}"


@dataclass
class ImportPlan:
    name: str
    start: date
    status_date: date | None
    default_calendar: str | None
    calendars: list[PlanCalendar]
    tasks: list[PlanTask]  # outline order: every parent before its children
    links: list[tuple[str, str, str, int, str]]  # (pred uid, succ uid, type, lag, lag unit)
    baselines: list[PlanBaseline]
    resources: list[PlanResource] = field(default_factory=list)
    assignments: list[PlanAssignment] = field(default_factory=list)
    warnings: list[ReportEntry] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    rules: SchedulingRules = SchedulingRules.MS_PROJECT

    def counts(self) -> dict[str, int]:
        return {
            "tasks": len(self.tasks),
            "summaries": sum(1 for t in self.tasks if t.engine.kind == "summary"),
            "milestones": sum(1 for t in self.tasks if t.engine.kind == "milestone"),
            "dependencies": len(self.links),
            "calendars": len(self.calendars),
            "calendar_exceptions": sum(len(c.exceptions) for c in self.calendars),
            "baselines": len(self.baselines),
            "baseline_tasks": sum(len(b.tasks) for b in self.baselines),
            "resources": len(self.resources),
            "assignments": len(self.assignments),
        }

    def report(self) -> dict[str, Any]:
        """The JSON kept with the import: counts per kind, skipped counts, every warning."""
        return {
            "counts": self.counts(),
            "skipped": dict(sorted(self.skipped.items())),
            "warnings": [w.as_json() for w in self.warnings],
            "scheduling_rules": self.rules.value,
        }


def _ranges(days: frozenset[date], working: bool) -> list[tuple[date, date, bool]]:
    """Consecutive dates folded into inclusive ranges."""
    out: list[tuple[date, date, bool]] = []
    for day in sorted(days):
        if out and out[-1][1] + timedelta(days=1) == day:
            out[-1] = (out[-1][0], day, working)
        else:
            out.append((day, day, working))
    return out


def _calendar(uid: str, name: str, cal: EngineCalendar) -> PlanCalendar:
    spans = _ranges(cal.holidays, False) + _ranges(cal.extra_working_days, True)
    return PlanCalendar(uid, name, cal.working_weekdays, tuple(sorted(spans)))


class _Extras:
    """The fields beyond the engine's, read from the same document."""

    def __init__(self, root: ET.Element, project: MspdiProject) -> None:
        self.root = root
        self.project = project
        self.day_start = clock(text(root, "DefaultStartTime"), time(8))
        self.day_end = clock(text(root, "DefaultFinishTime"), time(17))
        self.warnings = [ReportEntry(w.subject, w.ref, w.message) for w in project.warnings]
        self.skipped: Counter[str] = Counter()
        kept = {t.id for t in project.network.tasks}
        self.rows = {
            uid: row
            for row in children(child(root, "Tasks"), "Task")
            if (uid := text(row, "UID") or "") in kept
        }

    def warn(self, subject: str, ref: str, message: str) -> None:
        self.warnings.append(ReportEntry(subject, ref, message))

    def task(self, engine: EngineTask) -> PlanTask:
        row = self.rows[engine.id]
        name = engine.name.strip() or f"Task {engine.id}"
        if len(name) > MAX_NAME:
            self.warn("task", engine.id, f"name cut to {MAX_NAME} characters")
            name = name[:MAX_NAME]
        notes = text(row, "Notes") or ""
        if len(notes) > MAX_NOTES:
            self.warn("task", engine.id, f"notes cut to {MAX_NOTES} characters")
            notes = notes[:MAX_NOTES]
        priority = _number(text(row, "Priority"), 500)
        if not 0 <= priority <= 1000:
            self.warn("task", engine.id, f"priority {priority:g} clamped to 0..1000")
        percent = _number(text(row, "PercentComplete"), 0)
        if not 0 <= percent <= 100:
            self.warn("task", engine.id, f"percent complete {percent:g} clamped to 0..100")
        return PlanTask(
            uid=engine.id,
            engine=replace(engine, name=name),
            notes=notes,
            priority=int(min(max(priority, 0), 1000)),
            percent_complete=float(min(max(percent, 0), 100)),
        )

    def calendars(self) -> list[PlanCalendar]:
        """Base calendars, and any calendar a task or the project uses; resource calendars
        (until resources are imported) are skipped and counted."""
        used = {t.calendar for t in self.project.network.tasks if t.calendar}
        used |= {self.project.network.default_calendar or ""}
        plans = []
        for cal in children(child(self.root, "Calendars"), "Calendar"):
            uid = text(cal, "UID") or ""
            engine = self.project.network.calendars.get(uid)
            if engine is None:
                continue
            if text(cal, "IsBaseCalendar") == "0" and uid not in used:
                self.skipped["resource_calendars"] += 1
                continue
            name = (text(cal, "Name") or f"Calendar {uid}").strip()[:MAX_CALENDAR_NAME]
            plans.append(_calendar(uid, name or f"Calendar {uid}", engine))
        return plans

    def baselines(self, kept: set[str]) -> list[PlanBaseline]:
        by_number: dict[int, list[PlanBaselineTask]] = {}
        per_day = self.project.minutes_per_day
        for uid, row in self.rows.items():
            if uid not in kept:
                continue
            for base in children(row, "Baseline"):
                number = int(_number(text(base, "Number"), 0))
                if not 0 <= number <= 10:
                    self.warn("baseline", uid, f"baseline number {number} is not 0..10; skipped")
                    continue
                minutes = iso_minutes(text(base, "Duration") or "PT0H0M0S")
                by_number.setdefault(number, []).append(
                    PlanBaselineTask(
                        uid=uid,
                        start=self._day(text(base, "Start"), start=True),
                        finish=self._day(text(base, "Finish"), start=False),
                        duration=round(minutes / per_day),
                    )
                )
        return [PlanBaseline(n, tuple(by_number[n])) for n in sorted(by_number)]

    def _day(self, value: str | None, *, start: bool) -> date | None:
        moment = _moment(value)
        if moment is None:
            return None
        if start and moment.time() >= self.day_end:
            return moment.date() + timedelta(days=1)
        if not start and moment.time() <= self.day_start:
            return moment.date() - timedelta(days=1)
        return moment.date()

    def resources(self) -> list[PlanResource]:
        """The file's resources (not the null resource 0 Project always writes). Rates are
        per hour; a cost per use in the file is in cents. Resource calendars are not
        imported (counted as skipped): the resource works on Monday to Friday."""
        out = []
        kinds = {"0": "material", "1": "work", "2": "cost"}
        for r in children(child(self.root, "Resources"), "Resource"):
            uid = text(r, "UID") or "0"
            if uid == "0" or text(r, "IsNull") == "1":
                continue
            name = (text(r, "Name") or f"Resource {uid}").strip()[:200] or f"Resource {uid}"
            units = max(_number(text(r, "MaxUnits"), 1), 0)
            group = (text(r, "Group") or "").strip()
            out.append(
                PlanResource(
                    uid=uid,
                    name=name,
                    kind=kinds.get(text(r, "Type") or "1", "work"),
                    initials=(text(r, "Initials") or "").strip()[:30],
                    material_label=(text(r, "MaterialLabel") or "").strip()[:30],
                    max_units=units,
                    availability=self._availability(r, uid, units),
                    standard_rate=max(_number(text(r, "StandardRate"), 0), 0),
                    overtime_rate=max(_number(text(r, "OvertimeRate"), 0), 0),
                    cost_per_use=max(_number(text(r, "CostPerUse"), 0), 0) / 100,
                    labels=tuple(g.strip()[:100] for g in group.split(",") if g.strip()),
                )
            )
        return out

    def _availability(
        self, r: ET.Element, uid: str, units: float
    ) -> tuple[tuple[date, float], ...]:
        """Project's availability periods ("from, to, units") as dated changes of max units:
        the period's units from its first day, back to max units after its last."""
        changes: dict[date, float] = {}
        periods = children(child(r, "AvailabilityPeriods"), "AvailabilityPeriod")
        spans: list[tuple[date, date | None, float]] = []
        for period in periods:
            start = _moment(text(period, "AvailableFrom"))
            end = _moment(text(period, "AvailableTo"))
            if start is None:
                continue
            amount = max(_number(text(period, "AvailableUnits"), units), 0)
            spans.append((start.date(), end.date() if end else None, amount))
        for first, last, amount in sorted(spans, key=lambda span: span[0]):
            changes[first] = amount
            if last is not None and last.year < 2049:
                changes.setdefault(last + timedelta(days=1), units)
        if len(changes) > 500:
            self.warn("resource", uid, "more than 500 availability changes; the first 500 kept")
        return tuple(sorted(changes.items()))[:500]

    def assignments(
        self, tasks: dict[str, PlanTask], resources: dict[str, PlanResource]
    ) -> list[PlanAssignment]:
        """Assignments of kept resources to kept leaf tasks; work in hours is kept only where
        it is not the task's duration x units x 8 (else it follows the duration)."""
        out: list[PlanAssignment] = []
        seen: set[tuple[str, str]] = set()
        for a in children(child(self.root, "Assignments"), "Assignment"):
            task_uid, resource_uid = text(a, "TaskUID") or "", text(a, "ResourceUID") or ""
            if resource_uid.startswith("-") or resource_uid not in resources:
                continue
            task = tasks.get(task_uid)
            ref = f"task {task_uid}, resource {resource_uid}"
            if task is None or str(task.engine.kind) != "task":
                self.warn("assignment", ref, "not on a leaf task with work; skipped")
                self.skipped["assignments"] += 1
                continue
            units = _number(text(a, "Units"), 1)
            if units <= 0 or (task_uid, resource_uid) in seen:
                self.warn("assignment", ref, "units of 0 or a second assignment; skipped")
                self.skipped["assignments"] += 1
                continue
            seen.add((task_uid, resource_uid))
            hours = iso_minutes(text(a, "Work") or "PT0H0M0S") / 60
            derived = task.engine.duration * units * 8
            work = round(hours, 4) if abs(hours - derived) > 0.01 else None
            cost = (
                _number(text(a, "Cost"), 0) / 100
                if resources[resource_uid].kind == "cost"
                else None
            )
            out.append(PlanAssignment(task_uid, resource_uid, units, work, cost))
        return out


def _number(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise MalformedFile(f"{value!r} is not a number") from None


def _moment(value: str | None) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        raise MalformedFile(f"{value!r} is not a date and time") from None


def plan_from_mspdi(
    root: ET.Element, fallback_name: str, rules: SchedulingRules = SchedulingRules.MS_PROJECT
) -> ImportPlan:
    """Read a parsed MSPDI document; a file that is not a readable plan is `MalformedFile`.
    `rules`: the date rules the imported project will be scheduled by."""
    try:
        project = read_mspdi_tree(root, fallback_name)
    except MspdiFormatError as exc:
        raise MalformedFile(str(exc), element=root.tag.rsplit("}", 1)[-1]) from None
    except CyclicDependencyError as exc:
        raise MalformedFile("the links form a cycle: task UIDs " + " -> ".join(exc.cycle)) from None
    except ScheduleInputError as exc:
        problems = "; ".join(map(str, exc.problems))
        raise MalformedFile(f"the plan is not schedulable: {problems}") from None
    except ValueError as exc:  # a date, number or duration the reader could not parse
        raise MalformedFile(f"unreadable value: {exc}") from None
    extras = _Extras(root, project)
    tasks = [extras.task(t) for t in project.network.tasks]
    kept = {t.uid for t in tasks}
    links = [
        (d.predecessor, d.successor, str(d.type), d.lag, str(d.lag_unit))
        for d in project.network.dependencies
    ]
    calendars = extras.calendars()
    known = {c.uid for c in calendars}
    default = (
        project.network.default_calendar if project.network.default_calendar in known else None
    )
    baselines = extras.baselines(kept)
    resources = extras.resources()
    assignments = extras.assignments({t.uid: t for t in tasks}, {r.uid: r for r in resources})
    if text(root, "StatusDate") is None and any(t.percent_complete for t in tasks):
        extras.warn("project", "", "progress without a status date; progress is as of today")
    return ImportPlan(
        name=(project.name or fallback_name).strip()[:200] or fallback_name,
        start=project.network.start,
        status_date=project.network.status_date,
        default_calendar=default,
        calendars=calendars,
        tasks=tasks,
        links=links,
        baselines=baselines,
        resources=resources,
        assignments=assignments,
        warnings=extras.warnings,
        skipped=extras.skipped,
        rules=rules,
    )
