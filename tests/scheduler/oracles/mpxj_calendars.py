"""MPXJ's reading of MSPDI calendars as an oracle for recurring exceptions.

`python tests/scheduler/oracles/mpxj_calendars.py FILE FIRST LAST` prints, as JSON, each
calendar's UID mapped to one character per day from FIRST to LAST (ISO dates): "1" where
MPXJ says the day is working, "0" where not. One JVM per call.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta

HOURS = (
    "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime>"
    "</WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime>"
    "</WorkingTime></WorkingTimes>"
)
WEEK = "".join(
    f"<WeekDay><DayType>{d}</DayType><DayWorking>{int(d not in (1, 7))}</DayWorking>"
    f"{'' if d in (1, 7) else HOURS}</WeekDay>"
    for d in range(1, 8)
)


def random_rule(rng: random.Random, first: date) -> str:
    """The rule elements of one random recurring exception (no period, no count)."""
    kind = rng.choice((2, 3, 4, 5, 6, 7))
    if kind == 7:
        return f"<Type>7</Type><Period>{rng.randint(2, 9)}</Period>"
    if kind == 6:
        days = rng.randint(1, 127)
        return f"<Type>6</Type><Period>{rng.randint(1, 4)}</Period><DaysOfWeek>{days}</DaysOfWeek>"
    month = f"<Month>{rng.randint(0, 11)}</Month>" if kind in (2, 3) else ""
    period = f"<Period>{rng.randint(1, 3)}</Period>" if kind in (4, 5) else ""
    if kind in (2, 4):
        return f"<Type>{kind}</Type>{period}{month}<MonthDay>{rng.randint(1, 31)}</MonthDay>"
    item, position = rng.randint(3, 9), rng.randint(0, 4)
    return (
        f"<Type>{kind}</Type>{period}{month}<MonthItem>{item}</MonthItem>"
        f"<MonthPosition>{position}</MonthPosition>"
    )


def calendars_xml(exceptions: list[tuple[date, date, int, str, bool]]) -> str:
    """An MSPDI document with one Monday-Friday calendar per recurring exception
    (first day, last day, occurrences, rule elements, working)."""
    rows = []
    for uid, (first, last, count, rule, working) in enumerate(exceptions, start=1):
        rows.append(
            f"<Calendar><UID>{uid}</UID><Name>C{uid}</Name><IsBaseCalendar>1</IsBaseCalendar>"
            f"<WeekDays>{WEEK}</WeekDays><Exceptions><Exception>"
            "<EnteredByOccurrences>1</EnteredByOccurrences>"
            f"<TimePeriod><FromDate>{first}T00:00:00</FromDate><ToDate>{last}T23:59:00</ToDate>"
            f"</TimePeriod><Occurrences>{count}</Occurrences><Name>R{uid}</Name>{rule}"
            f"<DayWorking>{int(working)}</DayWorking>{HOURS if working else ''}</Exception>"
            "</Exceptions></Calendar>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Project xmlns="http://schemas.microsoft.com/project"><Name>Calendars</Name>'
        "<StartDate>2027-01-04T08:00:00</StartDate><CalendarUID>1</CalendarUID>"
        f"<Calendars>{''.join(rows)}</Calendars><Tasks><Task><UID>0</UID><ID>0</ID>"
        "<Name>Calendars</Name><OutlineLevel>0</OutlineLevel></Task></Tasks></Project>"
    )


def main(path: str, first: str, last: str) -> int:
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM("-Djava.awt.headless=true")
    from java.time import LocalDate
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(path)
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    out = {}
    for cal in project.getCalendars():
        flags = (cal.isWorkingDate(LocalDate.of(d.year, d.month, d.day)) for d in days)
        out[str(cal.getUniqueID())] = "".join("1" if f else "0" for f in flags)
    print(json.dumps(out))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
