"""Read Microsoft Project XML (MSPDI) into a :class:`Network` plus the dates Project stored.

Project schedules in minutes; the engine schedules in whole working days. The reader
converts at this edge and records every lossy step in :attr:`MspdiProject.warnings`:

- durations and working-time lags: minutes / ``MinutesPerDay`` (LinkLag is in tenths of
  a minute), rounded to whole days; a non-zero duration never rounds below one day;
- elapsed lags (``LagFormat`` 4, 6, 8, 10, 12, 20 and their estimated variants) become
  elapsed-day lags; elapsed *durations* have no engine equivalent and are approximated;
- a start instant at or after the working day's end is the next working day, a finish
  instant at or before the day's start is the previous working day (Project writes a
  late finish of 17:00 as 08:00 the next working day); a milestone's start, finish and
  early dates are the day of its instant (08:00 and 17:00 alike, before the project start
  too: a lead can put it there), its late dates follow the finish rule.

Calendars: weekdays (inherited from a base calendar when a derived one omits them) and
exceptions. Project 2007+ writes every occurrence of a recurring exception as a dated
``WeekDay`` (``DayType`` 0) entry, so those are read when present; otherwise a recurring
``Exception`` is expanded from its rule (daily, weekly, monthly and yearly, by day or by
position; ``_mspdi_calendars._recurrence``), at most 10,000 occurrences each.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ._model import ConstraintType, Dependency, LagUnit, LinkType, Task, TaskKind
from ._mspdi_calendars import parse_calendars as _parse_calendars
from ._mspdi_calendars import step as _step
from ._mspdi_xml import MspdiFormatError, MspdiWarning
from ._mspdi_xml import child as _child
from ._mspdi_xml import children as _children
from ._mspdi_xml import clock as _clock
from ._mspdi_xml import iso_minutes as _iso_minutes
from ._mspdi_xml import parse_datetime as _parse_datetime
from ._mspdi_xml import text as _text
from ._network import Network

__all__ = [
    "ExpectedDates", "MspdiFormatError", "MspdiProject", "MspdiWarning", "read_mspdi",
    "read_mspdi_tree",
]  # fmt: skip

_LINK_TYPES = {0: LinkType.FF, 1: LinkType.FS, 2: LinkType.SF, 3: LinkType.SS}
_CONSTRAINTS = {
    0: ConstraintType.ASAP,
    1: ConstraintType.ALAP,
    2: ConstraintType.MSO,
    3: ConstraintType.MFO,
    4: ConstraintType.SNET,
    5: ConstraintType.SNLT,
    6: ConstraintType.FNET,
    7: ConstraintType.FNLT,
}
_START_CONSTRAINTS = {ConstraintType.MSO, ConstraintType.SNET, ConstraintType.SNLT}
# Elapsed lag formats (em, eh, ed, ew, emo, e%) and their "estimated" (+32) variants.
_ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20} | {f + 32 for f in (4, 6, 8, 10, 12, 20)}
_PERCENT_FORMATS = {19, 20, 51, 52}
_ELAPSED_DURATION_FORMATS = {4, 6, 8, 10, 12} | {f + 32 for f in (4, 6, 8, 10, 12)}


@dataclass(frozen=True, slots=True)
class ExpectedDates:
    """The schedule Microsoft Project stored for one task, in engine day units.

    Dates follow the engine's convention (inclusive finish day); slack is in working
    days at the project's ``MinutesPerDay``. A field is ``None`` when the file lacks it.
    """

    start: date | None
    finish: date | None
    early_start: date | None
    early_finish: date | None
    late_start: date | None
    late_finish: date | None
    total_slack: int | None
    free_slack: int | None
    critical: bool | None


@dataclass(frozen=True, slots=True)
class MspdiProject:
    """A parsed MSPDI file: the engine input and Project's own results.

    Attributes:
        name: The project name (or the file stem).
        network: Tasks keyed by Project's task UID (as a string).
        expected: Project's stored dates and slack for every task in ``network``.
        minutes_per_day: Project's working minutes per day used for unit conversion.
        warnings: Every lossy or skipped conversion, one message each.
    """

    name: str
    network: Network
    expected: dict[str, ExpectedDates]
    minutes_per_day: int
    warnings: tuple[MspdiWarning, ...]


def read_mspdi(path: str | Path) -> MspdiProject:
    """Parse a Microsoft Project XML file into a :class:`MspdiProject`.

    Raises:
        MspdiFormatError: The root element is not an MSPDI ``Project`` or the project
            start date is missing.
    """
    path = Path(path)
    return read_mspdi_tree(ET.parse(path).getroot(), path.stem)


def read_mspdi_tree(root: ET.Element, name: str) -> MspdiProject:
    """Read an already parsed MSPDI document (``name`` stands in for a missing project name).

    The caller chooses the XML parser: the API parses uploads with a hardened one.

    Raises:
        MspdiFormatError: The root element is not an MSPDI ``Project`` or the project
            start date is missing.
    """
    if not root.tag.endswith("Project"):
        raise MspdiFormatError(f"{name}: root element {root.tag!r} is not an MSPDI Project")
    return _Reader(root, name).read()


class _Reader:
    """One pass over a parsed MSPDI tree; holds the project-wide conversion settings."""

    def __init__(self, root: ET.Element, stem: str) -> None:
        self.root = root
        self.name = _text(root, "Name") or stem
        self.warnings: list[MspdiWarning] = []
        self.durations: dict[str, int] = {}
        self.minutes_per_day = int(_text(root, "MinutesPerDay") or 480)
        self.day_start = _clock(_text(root, "DefaultStartTime"), time(8))
        self.day_end = _clock(_text(root, "DefaultFinishTime"), time(17))
        start = _parse_datetime(_text(root, "StartDate"))
        if start is None:
            raise MspdiFormatError(f"{stem}: no StartDate")
        self.calendars = _parse_calendars(root, self.warnings)
        default_uid = _text(root, "CalendarUID")
        self.default_calendar = default_uid if default_uid in self.calendars else None
        self.start = self._start_day(start, self.default_calendar)
        if self.start != start.date():
            self._warn(
                "project", "", f"start {start:%Y-%m-%d %H:%M} read as the working day {self.start}"
            )
        if _text(root, "ScheduleFromStart") == "0":
            self._warn("project", "", "scheduled from its finish in Project; read from its start")

    def _status_date(self) -> date | None:
        raw = _text(self.root, "StatusDate")
        day = self._date(raw, start=False, cal=None)
        given = _parse_datetime(raw)
        if day is not None and given is not None and given.date() != day:
            self._warn("project", "", f"status date {given:%Y-%m-%d %H:%M} read as {day}")
        return day

    def _warn(self, subject: str, ref: str, message: str) -> None:
        self.warnings.append(MspdiWarning(subject, ref, message))

    def read(self) -> MspdiProject:
        rows = self._task_rows()
        parents = {parent for _, parent in rows if parent is not None}
        tasks = [self._task(row, parent, parents) for row, parent in rows]
        ids = {t.id for t in tasks}
        self.durations = {t.id: t.duration for t in tasks}
        links = [link for row, _ in rows for link in self._links(row, ids)]
        kinds = {t.id: t.kind for t in tasks}
        cal_of = {t.id: t.calendar or self.default_calendar for t in tasks}
        expected = {
            uid: self._expected(row, kinds[uid], cal_of[uid])
            for row, _ in rows
            if (uid := _text(row, "UID") or "") in ids
        }
        network = Network(
            start=self.start,
            tasks=tasks,
            dependencies=links,
            calendars={uid: c.to_engine() for uid, c in self.calendars.items()},
            default_calendar=self.default_calendar,
            status_date=self._status_date(),
        )
        return MspdiProject(
            self.name, network, expected, self.minutes_per_day, tuple(self.warnings)
        )

    def _task_rows(self) -> list[tuple[ET.Element, str | None]]:
        """Real task rows in outline order, each with its parent UID.

        The outline-level-0 row is Project's project summary task, not a task; blank
        (``IsNull``) rows carry nothing. The parent is the nearest earlier row one
        outline level up, which is exactly how Project's WBS indentation works.
        """
        rows = _children(_child(self.root, "Tasks"), "Task")
        rows.sort(key=lambda t: int(_text(t, "ID") or 0))
        stack: list[tuple[int, str]] = []
        result: list[tuple[ET.Element, str | None]] = []
        for row in rows:
            level = int(_text(row, "OutlineLevel") or 1)
            if _text(row, "IsNull") == "1" or level == 0:
                continue
            if _text(row, "Active") == "0":
                self._warn("task", _text(row, "UID") or "", "inactive in Project; read as active")
            while stack and stack[-1][0] >= level:
                stack.pop()
            uid = _text(row, "UID") or ""
            result.append((row, stack[-1][1] if stack else None))
            stack.append((level, uid))
        return result

    def _task(self, row: ET.Element, parent: str | None, parents: set[str]) -> Task:
        uid = _text(row, "UID") or ""
        cal_uid = _text(row, "CalendarUID")
        calendar = cal_uid if cal_uid in self.calendars else None
        if uid in parents:  # a "Summary" row whose children were all blank is a plain task
            kind, duration = TaskKind.SUMMARY, 0
        else:
            duration = self._duration(row, uid)
            kind = TaskKind.MILESTONE if duration == 0 else TaskKind.TASK
        constraint, cdate = self._constraint(row, uid)
        if kind == TaskKind.SUMMARY and constraint != ConstraintType.ASAP:
            # The engine places a summary only by its children; Project does the same
            # for everything but a rarely used summary constraint.
            self._warn("task", uid, "constraint on a summary task dropped")
            constraint, cdate = ConstraintType.ASAP, None
        if _text(row, "Manual") == "1":
            self._warn("task", uid, "manually scheduled in Project; read as automatic")
        return Task(
            id=uid,
            duration=duration,
            kind=kind,
            parent=parent,
            calendar=calendar,
            constraint_type=constraint,
            constraint_date=cdate,
            deadline=self._date(_text(row, "Deadline"), start=False, cal=None),
            actual_start=self._date(_text(row, "ActualStart"), start=True, cal=calendar),
            actual_finish=self._date(_text(row, "ActualFinish"), start=False, cal=calendar),
            name=_text(row, "Name") or "",
        )

    def _constraint(self, row: ET.Element, uid: str) -> tuple[ConstraintType, date | None]:
        kind = _CONSTRAINTS.get(int(_text(row, "ConstraintType") or 0), ConstraintType.ASAP)
        if kind in (ConstraintType.ASAP, ConstraintType.ALAP):
            return kind, None
        raw = _text(row, "ConstraintDate")
        when = self._date(raw, start=kind in _START_CONSTRAINTS, cal=None)
        if when is None:
            self._warn("task", uid, f"{kind} constraint without a date dropped")
            return ConstraintType.ASAP, None
        given = _parse_datetime(raw)
        if given is not None and given.date() != when:
            self._warn(
                "task",
                uid,
                f"{kind} constraint date {given:%Y-%m-%d %H:%M} read as the working day {when}",
            )
        return kind, when

    def _duration(self, row: ET.Element, uid: str) -> int:
        minutes = _iso_minutes(_text(row, "Duration") or "PT0H0M0S")
        fmt = int(_text(row, "DurationFormat") or 7)
        if fmt in _ELAPSED_DURATION_FORMATS:
            # Elapsed time runs through nights and weekends; the engine counts working
            # days, so take the share of the elapsed span the task's week works.
            cal = self.calendars.get(_text(row, "CalendarUID") or self.default_calendar or "")
            week = bin(cal.working_weekdays).count("1") if cal else 5
            days = minutes / 1440 * week / 7
            whole = max(1, round(days)) if minutes > 0 else 0
            self._warn(
                "task", uid, f"elapsed duration {minutes / 1440:g}ed read as {whole} working days"
            )
            return whole
        days = minutes / self.minutes_per_day
        whole = max(1, round(days)) if minutes > 0 else 0
        if whole != days:
            self._warn("task", uid, f"duration {days:g} days rounded to {whole}")
        return whole

    def _links(self, row: ET.Element, ids: set[str]) -> list[Dependency]:
        succ = _text(row, "UID") or ""
        links = []
        for link in _children(row, "PredecessorLink"):
            pred = _text(link, "PredecessorUID") or ""
            if pred not in ids or _text(link, "CrossProject") == "1":
                self._warn("link", f"{pred}->{succ}", "predecessor not in this project; skipped")
                continue
            fmt = int(_text(link, "LagFormat") or 7)
            tenths = float(_text(link, "LinkLag") or 0)
            elapsed = fmt in _ELAPSED_FORMATS and fmt not in _PERCENT_FORMATS
            if fmt in _PERCENT_FORMATS:
                # LinkLag holds tenths of a percent of the predecessor's duration.
                days = tenths / 1000 * self.durations.get(pred, 0)
                self._warn(
                    "link",
                    f"{pred}->{succ}",
                    f"lag of {tenths / 10:g}% of the predecessor read as {round(days)} "
                    "working days",
                )
            else:
                days = tenths / (14400 if elapsed else self.minutes_per_day * 10)
            if round(days) != days and fmt not in _PERCENT_FORMATS:
                self._warn("link", f"{pred}->{succ}", f"lag {days:g} days rounded to {round(days)}")
            links.append(
                Dependency(
                    predecessor=pred,
                    successor=succ,
                    type=_LINK_TYPES.get(int(_text(link, "Type") or 1), LinkType.FS),
                    lag=round(days),
                    lag_unit=LagUnit.ELAPSED_DAYS if elapsed else LagUnit.WORKING_DAYS,
                )
            )
        return links

    def _expected(self, row: ET.Element, kind: TaskKind, cal: str | None) -> ExpectedDates:
        milestone = kind == TaskKind.MILESTONE

        def start(tag: str) -> date | None:
            if milestone and not tag.startswith("Late"):
                return self._milestone_day(_text(row, tag))
            return self._date(_text(row, tag), start=not milestone, cal=cal, milestone=milestone)

        def finish(tag: str) -> date | None:
            if milestone and not tag.startswith("Late"):
                return self._milestone_day(_text(row, tag))
            return self._date(_text(row, tag), start=False, cal=cal, milestone=milestone)

        critical = _text(row, "Critical")
        return ExpectedDates(
            start=start("Start"),
            finish=finish("Finish"),
            early_start=start("EarlyStart"),
            early_finish=finish("EarlyFinish"),
            late_start=start("LateStart"),
            late_finish=finish("LateFinish"),
            total_slack=self._slack(_text(row, "TotalSlack")),
            free_slack=self._slack(_text(row, "FreeSlack")),
            critical=None if critical is None else critical == "1",
        )

    def _slack(self, value: str | None) -> int | None:
        return None if value is None else round(float(value) / (self.minutes_per_day * 10))

    def _date(
        self, value: str | None, *, start: bool, cal: str | None, milestone: bool = False
    ) -> date | None:
        """Turn a Project instant into an engine day (see the module docstring)."""
        moment = _parse_datetime(value)
        if moment is None:
            return None
        calendar = self.calendars.get(cal or self.default_calendar or "")
        if start:
            return self._start_day(moment, cal)
        day = moment.date()
        if moment.time() <= self.day_start:
            day = _step(calendar, day, -1, inclusive=False)
        elif calendar is not None:
            day = _step(calendar, day, -1, inclusive=True)
        return day

    def _milestone_day(self, value: str | None) -> date | None:
        moment = _parse_datetime(value)
        return None if moment is None else moment.date()

    def _start_day(self, moment: datetime, cal: str | None) -> date:
        calendar = self.calendars.get(cal or self.default_calendar or "")
        if moment.time() >= self.day_end:
            return _step(calendar, moment.date(), +1, inclusive=False)
        return _step(calendar, moment.date(), +1, inclusive=True) if calendar else moment.date()
