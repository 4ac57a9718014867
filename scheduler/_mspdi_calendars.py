"""Calendars of an MSPDI file: weekdays, dated exceptions and base-calendar inheritance."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from calendar import monthrange
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

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
        kind = int(text(exc, "Type") or 1)
        every = max(int(text(exc, "Period") or 1), 1)
        if kind in (1, 7) and every == 1:  # one dated range
            _mark(into, text(period, "FromDate"), text(period, "ToDate"), working)
            continue
        first, last = (
            parse_datetime(text(period, "FromDate")),
            parse_datetime(text(period, "ToDate")),
        )
        name = text(exc, "Name")
        days = (
            None
            if first is None or last is None
            else _recurrence(exc, kind, every, first.date(), last.date())
        )
        if days is None:
            message = f"recurring exception {name!r} with an unknown rule skipped"
            warnings.append(MspdiWarning("calendar", into.name, message))
            continue
        if len(days) == _MAX_OCCURRENCES:
            message = f"recurring exception {name!r} cut at {_MAX_OCCURRENCES} occurrences"
            warnings.append(MspdiWarning("calendar", into.name, message))
        for day in days:
            into.exceptions[day] = working


_MAX_OCCURRENCES = 10_000  # about forty years of a weekday rule; a hostile file stops here
# MSPDI DaysOfWeek bits: 1 = Sunday .. 64 = Saturday; Python weekday 0 = Monday.
_DAY_BIT = {weekday: 1 << (weekday + 1) % 7 for weekday in range(7)}


def _recurrence(
    exc: ET.Element, kind: int, every: int, first: date, last: date
) -> list[date] | None:
    """The days a recurring exception covers: its rule's days from ``first`` through
    ``last``, at most ``Occurrences`` of them (MSPDI ``Type``: 1 or 7 every ``Period`` days,
    6 weekly on ``DaysOfWeek`` every ``Period`` weeks, 4/5 monthly on day ``MonthDay`` or
    the ``MonthPosition``-th ``MonthItem`` every ``Period`` months, 2/3 yearly likewise in
    ``Month``). None for a rule this reader does not know."""
    count = int(text(exc, "Occurrences") or 0)
    limit = min(count, _MAX_OCCURRENCES) if count > 0 else _MAX_OCCURRENCES
    candidates: Iterator[date]
    if kind in (1, 7):
        candidates = (first + timedelta(days=every * k) for k in itertools.count())
    elif kind == 6:
        mask = int(text(exc, "DaysOfWeek") or 0)
        if not mask & 0x7F:
            return None
        sunday = first - timedelta(days=(first.weekday() + 1) % 7)
        candidates = (
            day
            for week in itertools.count(0, every)
            for offset in range(7)
            if mask & _DAY_BIT[(day := sunday + timedelta(days=7 * week + offset)).weekday()]
        )
    elif kind in (2, 3, 4, 5):
        step = 12 if kind in (2, 3) else every
        month0 = int(text(exc, "Month") or 0) + 1 if kind in (2, 3) else first.month
        if not 1 <= month0 <= 12:
            return None
        pick = _month_day(exc, relative=kind in (3, 5))
        if pick is None:
            return None
        start = first.year * 12 + month0 - 1
        if kind == 4 and int(text(exc, "MonthDay") or 0) < first.day:
            start += 1  # the first month whose day comes after the start, then every Period
        months = itertools.takewhile(lambda m: m // 12 <= 9999, itertools.count(start, step))
        candidates = (pick(m // 12, m % 12 + 1) for m in months)
    else:
        return None
    out: list[date] = []
    try:
        for day in candidates:
            if day > last or len(out) == limit:
                break
            if day >= first:
                out.append(day)
    except OverflowError:  # the rule runs past year 9999
        pass
    return out


def _month_day(exc: ET.Element, *, relative: bool) -> Callable[[int, int], date] | None:
    """The day of (year, month) a monthly or yearly rule falls on: day ``MonthDay``
    (clipped to the month's length), or the ``MonthPosition``-th (0..3; 4 = last)
    ``MonthItem`` weekday (3 = Sunday .. 9 = Saturday)."""
    if not relative:
        number = int(text(exc, "MonthDay") or 0)
        if not 1 <= number <= 31:
            return None
        return lambda y, m: date(y, m, min(number, monthrange(y, m)[1]))
    item, position = int(text(exc, "MonthItem") or 0), int(text(exc, "MonthPosition") or 0)
    if not 3 <= item <= 9 or not 0 <= position <= 4:
        return None
    weekday = (item - 4) % 7  # 3 = Sunday -> 6, 4 = Monday -> 0

    def nth(y: int, m: int) -> date:
        if position == 4:
            end = date(y, m, monthrange(y, m)[1])
            return end - timedelta(days=(end.weekday() - weekday) % 7)
        start = date(y, m, 1)
        return start + timedelta(days=(weekday - start.weekday()) % 7 + 7 * position)

    return nth


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
