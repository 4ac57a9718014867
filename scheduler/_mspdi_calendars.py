"""Calendars of an MSPDI file: weekdays, dated exceptions and base-calendar inheritance."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from ._model import Calendar
from ._mspdi_xml import MspdiFormatError, MspdiWarning, child, children, parse_datetime, text

__all__ = ["ParsedCalendar", "parse_calendars", "step"]


@dataclass(frozen=True, slots=True)
class ParsedCalendar:
    """A calendar resolved against its base: weekday mask plus dated exceptions."""

    uid: str
    name: str
    working_weekdays: int  # bit 0 = Monday, the engine's convention
    exceptions: dict[date, bool]  # date -> working?

    def is_working(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return bool(self.working_weekdays >> day.weekday() & 1)

    def nearest_working(self, day: date, direction: int, *, inclusive: bool) -> date:
        ordinal = day.toordinal() if inclusive else day.toordinal() + direction
        for _ in range(3660):  # ten years of non-working days means a broken calendar
            if self.is_working(date.fromordinal(ordinal)):
                return date.fromordinal(ordinal)
            ordinal += direction
        raise MspdiFormatError(f"calendar {self.uid} has no working day near {day}")

    def to_engine(self) -> Calendar:
        """The engine calendar; exceptions that match the weekday rule are dropped."""
        weekly = {d: bool(self.working_weekdays >> d.weekday() & 1) for d in self.exceptions}
        return Calendar(
            id=self.uid,
            working_weekdays=self.working_weekdays,
            holidays=frozenset(d for d, w in self.exceptions.items() if not w and weekly[d]),
            extra_working_days=frozenset(
                d for d, w in self.exceptions.items() if w and not weekly[d]
            ),
        )


@dataclass(slots=True)
class RawCalendar:
    name: str
    base: str | None
    weekdays: dict[int, bool]  # Python weekday (0 = Monday) -> working
    exceptions: dict[date, bool]


def parse_calendars(root: ET.Element, warnings: list[MspdiWarning]) -> dict[str, ParsedCalendar]:
    """Every calendar in the file, keyed by UID, with base-calendar inheritance applied."""
    raw: dict[str, RawCalendar] = {}
    for cal in children(child(root, "Calendars"), "Calendar"):
        uid = text(cal, "UID") or ""
        base = text(cal, "BaseCalendarUID")
        raw[uid] = RawCalendar(
            name=text(cal, "Name") or uid,
            base=base if base not in (None, "-1", "0", uid) else None,
            weekdays={},
            exceptions={},
        )
        _read_weekdays(cal, raw[uid])
        _read_exceptions(cal, raw[uid], warnings)
    return {uid: _resolve(uid, raw, ()) for uid in raw}


def _read_weekdays(cal: ET.Element, into: RawCalendar) -> None:
    for wd in children(child(cal, "WeekDays"), "WeekDay"):
        day_type = int(text(wd, "DayType") or 0)
        working = text(wd, "DayWorking") == "1"
        if day_type:  # 1 = Sunday .. 7 = Saturday
            into.weekdays[(day_type + 5) % 7] = working
            continue
        period = child(wd, "TimePeriod")
        _mark(into, text(period, "FromDate"), text(period, "ToDate"), working)


def _read_exceptions(cal: ET.Element, into: RawCalendar, warnings: list[MspdiWarning]) -> None:
    if into.exceptions:  # Project already wrote the expanded occurrences as WeekDays.
        return
    for exc in children(child(cal, "Exceptions"), "Exception"):
        period = child(exc, "TimePeriod")
        working = text(exc, "DayWorking") == "1"
        if text(exc, "Type") in (None, "1") and text(exc, "Period") in (None, "1"):
            _mark(into, text(period, "FromDate"), text(period, "ToDate"), working)
        else:
            message = f"recurring exception {text(exc, 'Name')!r} without dated occurrences skipped"
            warnings.append(MspdiWarning("calendar", into.name, message))


def _mark(into: RawCalendar, start: str | None, end: str | None, working: bool) -> None:
    first, last = parse_datetime(start), parse_datetime(end)
    if first is None or last is None:
        return
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        into.exceptions[date.fromordinal(ordinal)] = working


def _resolve(uid: str, raw: dict[str, RawCalendar], seen: tuple[str, ...]) -> ParsedCalendar:
    own = raw[uid]
    if own.base in raw and own.base not in seen:
        base = _resolve(own.base, raw, (*seen, uid))
        mask = base.working_weekdays
        exceptions = {**base.exceptions, **own.exceptions}
    else:
        mask, exceptions = 0b0011111, dict(own.exceptions)
    for weekday, working in own.weekdays.items():
        mask = mask | 1 << weekday if working else mask & ~(1 << weekday)
    return ParsedCalendar(uid, own.name, mask, exceptions)


def step(calendar: ParsedCalendar | None, day: date, direction: int, *, inclusive: bool) -> date:
    """The nearest working day from ``day`` in ``direction`` (``day`` itself if inclusive)."""
    if calendar is None:
        return day if inclusive else date.fromordinal(day.toordinal() + direction)
    return calendar.nearest_working(day, direction, inclusive=inclusive)
