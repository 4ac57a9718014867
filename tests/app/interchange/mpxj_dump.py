"""`python tests/app/interchange/mpxj_dump.py FILE...`: what MPXJ's reader sees in each plan
file, as one JSON object per line (MPXJ is the independent reader of our exports).

Per file: the tasks in ID order (name, outline level, parent's position, summary/milestone,
duration in days, constraint, deadline, percent complete, priority, predecessor links with
lag in days) and, per calendar name, its working days over the two years from the project
start. Run in a child process: a JVM starts once per process.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from typing import Any


def _day(value: Any) -> str | None:
    return None if value is None else str(value.toLocalDate())


def _days(duration: Any, props: Any, units: Any) -> float | None:
    if duration is None:
        return None
    return round(float(duration.convertUnits(units.DAYS, props).getDuration()), 4)


def _task(task: Any, props: Any, units: Any, position: dict[int, int]) -> dict[str, Any]:
    parent = task.getParentTask()
    links = []
    for rel in task.getPredecessors():
        lag = rel.getLag()
        links.append(
            {
                "pred": position.get(int(rel.getPredecessorTask().getUniqueID())),
                "type": str(rel.getType()),
                "lag": _days(lag, props, units),
                "elapsed": bool(lag.getUnits().isElapsed()) if lag is not None else False,
            }
        )
    constraint = task.getConstraintType()
    return {
        "name": str(task.getName() or ""),
        "level": int(task.getOutlineLevel() or 0),
        "parent": None if parent is None else position.get(int(parent.getUniqueID())),
        "summary": bool(task.getSummary()),
        "milestone": bool(task.getMilestone()),
        "duration": _days(task.getDuration(), props, units),
        "constraint": None if constraint is None else str(constraint),
        "constraint_date": _day(task.getConstraintDate()),
        "deadline": _day(task.getDeadline()),
        "percent": float(task.getPercentageComplete() or 0),
        "priority": int(task.getPriority().getValue()) if task.getPriority() else 500,
        "links": sorted(links, key=lambda link: (link["pred"] or 0, link["type"])),
    }


def _calendar(cal: Any, start: date, local_date: Any) -> dict[str, Any]:
    working = []
    for offset in range(730):
        day = start + timedelta(days=offset)
        if cal.isWorkingDate(local_date.of(day.year, day.month, day.day)):
            working.append(day.isoformat())
    return {"working": working}


def dump(path: str, reader: Any, units: Any, local_date: Any) -> dict[str, Any]:
    project = reader.read(path)
    props = project.getProjectProperties()
    tasks = [
        t for t in project.getTasks() if t.getUniqueID() is not None and int(t.getID() or 0) > 0
    ]
    tasks = [t for t in tasks if not t.getNull()]
    tasks.sort(key=lambda t: int(t.getID()))
    position = {int(t.getUniqueID()): i for i, t in enumerate(tasks)}
    start = props.getStartDate().toLocalDate()
    start_day = date(start.getYear(), start.getMonthValue(), start.getDayOfMonth())
    calendars = {
        str(cal.getName()): _calendar(cal, start_day, local_date)
        for cal in project.getCalendars()
        if cal.getName() is not None
    }
    default = project.getDefaultCalendar()
    return {
        "tasks": [_task(t, props, units, position) for t in tasks],
        "calendars": calendars,
        "default_calendar": None if default is None else str(default.getName()),
        "start": str(start),
    }


def main(paths: list[str]) -> int:
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM("-Djava.awt.headless=true")
    from java.time import LocalDate
    from org.mpxj import TimeUnit
    from org.mpxj.reader import UniversalProjectReader

    for path in paths:
        print(json.dumps(dump(path, UniversalProjectReader(), TimeUnit, LocalDate)))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
