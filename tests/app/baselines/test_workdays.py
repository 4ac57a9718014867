"""Working-day counting against a day-by-day count, on calendars with exceptions."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

import scheduler as engine
from app.baselines.workdays import WorkingDays

DAY = dt.timedelta(days=1)
BASE = dt.date(2026, 1, 1)


def _count(calendar: engine.Calendar, start: dt.date, end: dt.date) -> int:
    """Working days in [start, end), one day at a time."""
    total, day = 0, start
    while day < end:
        weekly = bool((calendar.working_weekdays >> day.weekday()) & 1)
        if day in calendar.holidays:
            pass
        elif weekly or day in calendar.extra_working_days:
            total += 1
        day += DAY
    return total


def test_known_values() -> None:
    calendar = engine.Calendar("c", holidays=frozenset({dt.date(2026, 1, 14)}))
    days = WorkingDays(calendar)
    assert days.between(dt.date(2026, 1, 12), dt.date(2026, 1, 15)) == 2  # Wed 14 is off
    assert days.between(dt.date(2026, 1, 15), dt.date(2026, 1, 19)) == 2  # weekend
    assert days.between(dt.date(2026, 1, 19), dt.date(2026, 1, 15)) == -2
    assert days.between(dt.date(2026, 1, 9), dt.date(2026, 1, 9)) == 0


@given(
    mask=st.integers(1, 127),
    holidays=st.sets(st.integers(0, 120), max_size=15),
    extra=st.sets(st.integers(0, 120), max_size=15),
    a=st.integers(0, 150),
    b=st.integers(0, 150),
)
def test_matches_a_day_by_day_count(
    mask: int, holidays: set[int], extra: set[int], a: int, b: int
) -> None:
    calendar = engine.Calendar(
        "c",
        working_weekdays=mask,
        holidays=frozenset(BASE + i * DAY for i in holidays),
        extra_working_days=frozenset(BASE + i * DAY for i in extra - holidays),
    )
    start, end = sorted((BASE + a * DAY, BASE + b * DAY))
    days = WorkingDays(calendar)
    assert days.between(start, end) == _count(calendar, start, end)
    assert days.between(end, start) == -_count(calendar, start, end)
