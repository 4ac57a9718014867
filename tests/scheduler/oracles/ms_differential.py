"""MPXJ's MicrosoftScheduler (an independent Microsoft Project-style CPM) as a differential
oracle: random networks written as MSPDI, scheduled by it and by our engine, compared day by
day with the same instant-to-day rules the Project oracle uses.

`python tests/scheduler/ms_differential.py SOURCE TARGET ...` (pairs) schedules each SOURCE
with MicrosoftScheduler and writes the result as MSPDI to TARGET; `read_mspdi(TARGET).expected`
then holds its dates. One JVM serves all pairs.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta

START = date(2027, 1, 4)  # a Monday
_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}


@dataclass(frozen=True)
class Flavour:
    """Which features a random network may use."""

    types: tuple[str, ...] = ("FS", "SS", "FF")
    milestones: bool = False
    elapsed: bool = False
    leads: bool = False


def network_xml(seed: int, flavour: Flavour, tasks: int = 30) -> str:
    """A random MSPDI network: tasks 1..n, each linked from up to 3 earlier tasks."""
    rng = random.Random(seed)
    rows = []
    for uid in range(1, tasks + 1):
        zero = flavour.milestones and rng.random() < 0.2
        days = 0 if zero else rng.randint(1, 6)
        links = []
        for pred in rng.sample(range(1, uid), min(uid - 1, rng.randint(0, 3))):
            kind = rng.choice(flavour.types)
            lag = rng.randint(-2 if flavour.leads else 0, 3)
            elapsed = flavour.elapsed and rng.random() < 0.5
            tenths = lag * (14400 if elapsed else 4800)
            links.append(
                f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID>"
                f"<Type>{_TYPES[kind]}</Type><LinkLag>{tenths}</LinkLag>"
                f"<LagFormat>{8 if elapsed else 7}</LagFormat></PredecessorLink>"
            )
        rows.append(
            f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>T{uid}</Name><OutlineLevel>1</OutlineLevel>"
            f"<Duration>PT{days * 8}H0M0S</Duration><DurationFormat>7</DurationFormat>"
            f"<ActualDuration>PT0H0M0S</ActualDuration><RemainingDuration>PT{days * 8}H0M0S"
            "</RemainingDuration><PercentComplete>0</PercentComplete>"
            f"<Milestone>{int(zero)}</Milestone><ConstraintType>0</ConstraintType>"
            f"{''.join(links)}</Task>"
        )
    week = "".join(
        f"<WeekDay><DayType>{d}</DayType><DayWorking>{int(d not in (1, 7))}</DayWorking>"
        + (
            ""
            if d in (1, 7)
            else "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00"
            "</ToTime></WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00"
            "</ToTime></WorkingTime></WorkingTimes>"
        )
        + "</WeekDay>"
        for d in range(1, 8)
    )
    holiday = START + timedelta(days=10)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Project xmlns="http://schemas.microsoft.com/project"><Name>Random</Name>'
        f"<StartDate>{START}T08:00:00</StartDate><CalendarUID>1</CalendarUID>"
        "<DefaultStartTime>08:00:00</DefaultStartTime><DefaultFinishTime>17:00:00"
        "</DefaultFinishTime><MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400"
        "</MinutesPerWeek><DaysPerMonth>20</DaysPerMonth>"
        "<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>"
        f"<BaseCalendarUID>-1</BaseCalendarUID><WeekDays>{week}</WeekDays><Exceptions>"
        f"<Exception><TimePeriod><FromDate>{holiday}T00:00:00</FromDate><ToDate>{holiday}"
        "T23:59:00</ToDate></TimePeriod><Occurrences>1</Occurrences><Name>Holiday</Name>"
        "<Type>1</Type><DayWorking>0</DayWorking></Exception></Exceptions></Calendar></Calendars>"
        "<Tasks><Task><UID>0</UID><ID>0</ID><Name>Random</Name><OutlineLevel>0</OutlineLevel>"
        f"</Task>{''.join(rows)}</Tasks></Project>"
    )


def main(paths: list[str]) -> int:
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM("-Djava.awt.headless=true")
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    for source, target in zip(paths[::2], paths[1::2], strict=True):
        project = UniversalProjectReader().read(source)
        MicrosoftScheduler().schedule(project, project.getProjectProperties().getStartDate())
        MSPDIWriter().write(project, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
