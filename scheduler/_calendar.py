"""Working-day arithmetic for one calendar, vectorised with numpy.

Days are proleptic Gregorian day numbers (``date.toordinal()``). A calendar's working days are
numbered 0, 1, 2, ... from day number 1, so ``count_before(day)`` is the ordinal of the first
working day on or after ``day``. The engine's time axis is built on these ordinals: time
``2k`` is the start (08:00) of working day ``k`` and time ``2k + 1`` its end (17:00).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

import numpy as np
from numpy.typing import NDArray

from ._errors import SchedulerError
from ._model import Calendar

__all__ = ["IntArray", "WorkCalendar"]

IntArray = NDArray[np.int64]

_MIN_DAY = date.min.toordinal()
_MAX_DAY = date.max.toordinal()


class WorkCalendar:
    """Counts and finds working days of a ``Calendar`` in O(log #exceptions) per day."""

    def __init__(self, calendar: Calendar) -> None:
        self.id = calendar.id
        self._base = np.array([(calendar.working_weekdays >> i) & 1 for i in range(7)], bool)
        self._week = int(self._base.sum())
        self._prefix = np.concatenate(([0], np.cumsum(self._base))).astype(np.int64)
        self._positions = [i for i in range(7) if self._base[i]]
        # Only exceptions that change something matter: holidays on working weekdays and extra
        # working days on non-working weekdays.
        hol = [d.toordinal() for d in calendar.holidays if self._base[d.weekday()]]
        ext = [d.toordinal() for d in calendar.extra_working_days if not self._base[d.weekday()]]
        self._hol_list = sorted(hol)
        self._ext_list = sorted(ext)
        self._hol = np.array(self._hol_list, np.int64)
        self._ext = np.array(self._ext_list, np.int64)
        self._table_lo = 0
        self._table: IntArray = np.zeros(0, np.int64)

    # --- vectorised -------------------------------------------------------------------------
    def count_before(self, days: IntArray) -> IntArray:
        """Number of working days strictly before each day (the ordinal of the next one)."""
        rel = days - 1
        base = (rel // 7) * self._week + self._prefix[rel % 7]
        return base - np.searchsorted(self._hol, days) + np.searchsorted(self._ext, days)

    def is_working(self, days: IntArray) -> NDArray[np.bool_]:
        """Whether each day is a working day."""
        working = self._base[(days - 1) % 7]
        if self._hol.size:
            idx = np.minimum(np.searchsorted(self._hol, days), self._hol.size - 1)
            working &= self._hol[idx] != days
        if self._ext.size:
            idx = np.minimum(np.searchsorted(self._ext, days), self._ext.size - 1)
            working |= self._ext[idx] == days
        return working

    def days_of(self, ordinals: IntArray) -> IntArray:
        """Day number of each working-day ordinal."""
        if ordinals.size == 0:
            return np.zeros(ordinals.shape, np.int64)
        lo, hi = int(ordinals.min()), int(ordinals.max())
        if lo < self._table_lo or hi >= self._table_lo + self._table.size:
            self._extend(lo, hi)
        return self._table[ordinals - self._table_lo]

    def _extend(self, lo: int, hi: int) -> None:
        # Grow with a margin so that a sequence of slightly wider requests rebuilds rarely.
        if self._table.size:
            lo = min(lo, self._table_lo)
            hi = max(hi, self._table_lo + self._table.size - 1)
        margin = 64 + (hi - lo) // 4
        first = self.day_of(lo - margin)
        last = self.day_of(hi + margin)
        days = np.arange(first, last + 1, dtype=np.int64)
        self._table = days[self.is_working(days)]
        self._table_lo = lo - margin

    # --- scalar -----------------------------------------------------------------------------
    def cb(self, day: int) -> int:
        """Scalar ``count_before``."""
        rel = day - 1
        base = (rel // 7) * self._week + int(self._prefix[rel % 7])
        return base - bisect_left(self._hol_list, day) + bisect_left(self._ext_list, day)

    def working(self, day: int) -> bool:
        """Scalar ``is_working``."""
        return self.cb(day + 1) > self.cb(day)

    def day_of(self, ordinal: int) -> int:
        """Day number of one working-day ordinal (binary search around the weekly estimate)."""
        week, rest = divmod(ordinal, self._week)
        guess = week * 7 + self._positions[rest] + 1
        slack = 7 * (len(self._hol_list) + len(self._ext_list) + 2)
        lo, hi = guess - slack, guess + slack
        while lo < hi:  # smallest day whose count through it exceeds the ordinal
            mid = (lo + hi) // 2
            if self.cb(mid + 1) > ordinal:
                hi = mid
            else:
                lo = mid + 1
        if not _MIN_DAY <= lo <= _MAX_DAY:
            raise SchedulerError("the schedule runs outside the dates Python can represent")
        return lo

    # --- dates <-> times --------------------------------------------------------------------
    def earliest(self, day: int, phase: int) -> int:
        """Earliest time at or after ``phase`` (0 = 08:00, 1 = 17:00) of ``day``."""
        k = self.cb(day)
        return 2 * k + phase if self.working(day) else 2 * k

    def latest(self, day: int, phase: int) -> int:
        """Latest time at or before ``phase`` of ``day``."""
        k = self.cb(day)
        return 2 * k + phase if self.working(day) else 2 * k - 1

    def date_of_time(self, time: int) -> date:
        """The calendar date shown for a time (the day whose 08:00 or 17:00 it is)."""
        return date.fromordinal(self.day_of(time // 2))


def working_days(calendar: Calendar, first: date, last: date) -> int:
    """Working days of ``calendar`` from ``first`` to ``last``, both included (0 when
    ``last`` is before ``first``): what Microsoft Project shows as a summary task's duration
    between its rolled-up start and finish."""
    if last < first:
        return 0
    work = WorkCalendar(calendar)
    return work.cb(last.toordinal() + 1) - work.cb(first.toordinal())
