"""Counting working days on an engine `Calendar` (weekday mask, holidays, extra working days).

`index(day)` is the number of working days strictly before `day` counted from 0001-01-01 (a
Monday), in O(log #exceptions); a variance between two dates is the difference of their
indexes — for working dates, exactly how many working days one lies after the other.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

import scheduler as engine

# 0001-01-01 has ordinal 1 and is a Monday, so ordinal o falls on weekday (o - 1) % 7.
_FIRST_WEEKDAY_OFFSET = 1


class WorkingDays:
    def __init__(self, calendar: engine.Calendar) -> None:
        mask = calendar.working_weekdays
        self._working = [bool((mask >> i) & 1) for i in range(7)]
        self._per_week = sum(self._working)
        self._prefix = [sum(self._working[:i]) for i in range(8)]
        # Only exceptions that change something: holidays on working weekdays, extra working
        # days on non-working ones (a date in both counts as a holiday, as in the engine's
        # loader, which removes extra days from holidays first).
        self._holidays = sorted(
            d.toordinal() for d in calendar.holidays if self._working[d.weekday()]
        )
        self._extra = sorted(
            d.toordinal()
            for d in calendar.extra_working_days
            if not self._working[d.weekday()] and d not in calendar.holidays
        )

    def index(self, day: date) -> int:
        ordinal = day.toordinal()
        weeks, rest = divmod(ordinal - _FIRST_WEEKDAY_OFFSET, 7)
        count = weeks * self._per_week + self._prefix[rest]
        return count - bisect_left(self._holidays, ordinal) + bisect_left(self._extra, ordinal)

    def between(self, earlier: date, later: date) -> int:
        """Working days from `earlier` to `later` (negative when `later` is before)."""
        return self.index(later) - self.index(earlier)


def default_calendar() -> engine.Calendar:
    """What the engine schedules on when a project has no default calendar: Monday-Friday."""
    return engine.Calendar(id="default", working_weekdays=engine.MON_FRI)


def network_calendar(network: engine.Network) -> engine.Calendar:
    """The project calendar of a loaded network (its default calendar, else Monday-Friday)."""
    if network.default_calendar is not None and network.default_calendar in network.calendars:
        return network.calendars[network.default_calendar]
    return default_calendar()
