"""Input validation: collect every problem of a network so that one error can list them all."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import compress, repeat
from operator import attrgetter, itemgetter, not_
from typing import TYPE_CHECKING

import numpy as np

from ._calendar import IntArray
from ._errors import InputProblem
from ._model import (
    Calendar,
    ConstraintType,
    DateRules,
    Dependency,
    Distribution,
    LagUnit,
    LinkType,
    RiskEvent,
    Task,
    TaskKind,
)

if TYPE_CHECKING:
    from ._network import Network

__all__ = ["LinkArrays", "network_problems", "risk_problems"]

_PRED, _SUCC = attrgetter("predecessor"), attrgetter("successor")
_LAG, _TYPE, _UNIT = attrgetter("lag"), attrgetter("type"), attrgetter("lag_unit")
# Enum members keyed by identity: a lookup by ``id`` hashes an int in C, where the members'
# own (Python-level) hash would run per link, and a plain string equal to a member misses.
_KIND_OF_ID = {id(t): i for i, t in enumerate(LinkType)}
_ELAPSED_OF_ID = {id(LagUnit.WORKING_DAYS): False, id(LagUnit.ELAPSED_DAYS): True}
_DATED = frozenset(ConstraintType) - {ConstraintType.ASAP, ConstraintType.ALAP}
_ENUMS = (("kind", TaskKind), ("constraint_type", ConstraintType), ("distribution", Distribution))
_VALUES: dict[type, frozenset[str]] = {
    e: frozenset(m.value for m in e)
    for e in (TaskKind, ConstraintType, Distribution, LinkType, LagUnit)
}
_DATES = ("constraint_date", "deadline", "actual_start", "actual_finish", "leveled_start")
_ID, _PARENT, _DURATION = attrgetter("id"), attrgetter("parent"), attrgetter("duration")
_DISTRIBUTION, _KIND_OF = attrgetter("distribution"), attrgetter("kind")
_CONSTRAINT = attrgetter("constraint_type")
_FIELDS = attrgetter(
    "kind", "parent", "calendar", "constraint_type", "constraint_date", "deadline",
    "actual_start", "actual_finish", "percent_complete", "remaining_duration", "optimistic",
    "most_likely", "pessimistic", "leveled_start",
)  # fmt: skip
_PLAIN = (TaskKind.TASK, None, None, ConstraintType.ASAP) + (None,) * 10


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_num(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class LinkArrays:
    """What validating a sound network found out, reused when compiling it: per link the task
    numbers (position in ``network.tasks``) of its ends, its type code (FS, SS, FF, SF = 0..3),
    lag and whether the lag is elapsed; per task its duration and whether it is plain (no
    parent, calendar, constraint, dates, progress or estimates); and the number of each id."""

    pred: IntArray
    succ: IntArray
    kind: IntArray
    lag: IntArray
    elapsed: np.ndarray
    number: dict[str, int]
    plain: np.ndarray | None = None
    duration: IntArray | None = None


def network_problems(
    network: Network, arrays: list[LinkArrays] | None = None
) -> list[InputProblem]:
    """Every problem in ``network``, in a stable order (network, calendars, tasks, links).

    When ``arrays`` is given and the links are sound, their ``LinkArrays`` is appended to it.
    """
    out: list[InputProblem] = []
    if not isinstance(network.start, date):
        out.append(InputProblem(None, "start", "project start must be a date"))
    if not isinstance(network.rules, DateRules):
        out.append(InputProblem(None, "rules", "rules must be a DateRules member"))
    cal_ids = set(network.calendars)
    if network.default_calendar is not None and network.default_calendar not in cal_ids:
        out.append(
            InputProblem(None, "default_calendar", f"unknown calendar {network.default_calendar!r}")
        )
    for key, cal in network.calendars.items():
        out.extend(_calendar_problems(key, cal))
    ids = list(map(_ID, network.tasks))
    tasks = dict(zip(ids, network.tasks, strict=True))
    if len(tasks) != len(ids) or set(map(type, ids)) != {str} or "" in tasks:
        out.extend(_duplicate_ids(network.tasks))
    children = set(map(_PARENT, network.tasks)) - {None}
    # Most tasks of a big network are plain. When every column has the right types, a plain
    # task is one whose optional fields equal one tuple: a C comparison per task.
    durations = list(map(_DURATION, network.tasks))
    typed = (
        set(map(type, durations)) <= {int}
        and min(durations, default=0) >= 0
        and set(map(type, map(_KIND_OF, network.tasks))) <= {TaskKind}
        and set(map(type, map(_CONSTRAINT, network.tasks))) <= {ConstraintType}
        and set(map(type, map(_DISTRIBUTION, network.tasks))) <= {Distribution}
    )
    plain = list(
        map(_PLAIN.__eq__, map(_FIELDS, network.tasks)) if typed else map(_is_plain, network.tasks)
    )
    # Only the others are looked at one by one (a summary is never plain).
    for task in compress(network.tasks, map(not_, plain)):
        out.extend(_task_problems(task, tasks, cal_ids, network.status_date))
        if task.kind is TaskKind.SUMMARY and task.id not in children:
            out.append(InputProblem(task.id, "kind", "summary task has no children"))
    if children:  # without parents there is no WBS to loop
        out.extend(_wbs_cycles(tasks))
    out.extend(_link_problems(network.dependencies, tasks, arrays, bool(children)))
    if arrays:
        flags = np.array(plain, bool)
        known = np.array(durations, np.int64) if typed else None
        arrays[0] = dataclasses.replace(arrays[0], plain=flags, duration=known)
    return out


def _calendar_problems(key: str, cal: Calendar) -> list[InputProblem]:
    out: list[InputProblem] = []
    if cal.id != key:
        out.append(
            InputProblem(None, f"calendars[{key!r}]", f"keyed {key!r} but has id {cal.id!r}")
        )
    mask = cal.working_weekdays
    if not _is_int(mask) or not 1 <= mask <= 0b1111111:
        out.append(
            InputProblem(
                None, f"calendars[{key!r}].working_weekdays", "needs 1..7 working weekdays"
            )
        )
    both = cal.holidays & cal.extra_working_days
    if both:
        first = min(both).isoformat()
        out.append(
            InputProblem(
                None, f"calendars[{key!r}]", f"{first} is both a holiday and a working day"
            )
        )
    return out


def _duplicate_ids(tasks: Sequence[Task]) -> list[InputProblem]:
    seen: set[str] = set()
    out: list[InputProblem] = []
    for task in tasks:
        if not isinstance(task.id, str) or not task.id:
            out.append(InputProblem(None, "id", "task id must be a non-empty string"))
        elif task.id in seen:
            out.append(InputProblem(task.id, "id", "duplicate task id"))
        seen.add(task.id)
    return out


def _is_plain(task: Task) -> bool:
    return (
        task.kind is TaskKind.TASK
        and type(task.duration) is int
        and task.duration >= 0
        and task.parent is None
        and task.calendar is None
        and task.constraint_type is ConstraintType.ASAP
        and task.constraint_date is None
        and task.deadline is None
        and task.actual_start is None
        and task.actual_finish is None
        and task.percent_complete is None
        and task.remaining_duration is None
        and task.optimistic is None
        and task.most_likely is None
        and task.pessimistic is None
        and isinstance(task.distribution, Distribution)
    )


def _task_problems(
    task: Task, tasks: Mapping[str, Task], cal_ids: set[str], status: date | None
) -> list[InputProblem]:
    out: list[InputProblem] = []

    def add(field: str, message: str) -> None:
        out.append(InputProblem(task.id, field, message))

    for name, enum in _ENUMS:
        value = getattr(task, name)
        if not isinstance(value, enum):
            add(name, f"{value!r} is not a {enum.__name__} ({', '.join(sorted(_VALUES[enum]))})")
    for name in _DATES:
        value = getattr(task, name)
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            add(name, "must be a date")
    if not _is_int(task.duration) or task.duration < 0:
        add("duration", "must be a whole number of working days >= 0")
    elif task.kind is TaskKind.MILESTONE and task.duration != 0:
        add("duration", "a milestone has duration 0")
    if task.parent is not None:
        parent = tasks.get(task.parent)
        if parent is None:
            add("parent", f"unknown parent {task.parent!r}")
        elif parent.kind is not TaskKind.SUMMARY:
            add("parent", f"parent {task.parent!r} is not a summary task")
    if task.calendar is not None and task.calendar not in cal_ids:
        add("calendar", f"unknown calendar {task.calendar!r}")
    if task.constraint_type in _DATED and task.constraint_date is None:
        add("constraint_date", f"{task.constraint_type.value} needs a constraint date")
    if task.kind is TaskKind.SUMMARY and task.constraint_type is not ConstraintType.ASAP:
        add("constraint_type", "constraints on summary tasks are not supported")
    out.extend(_progress_problems(task, status))
    out.extend(_estimate_problems(task))
    return out


def _progress_problems(task: Task, status: date | None) -> list[InputProblem]:
    out: list[InputProblem] = []
    pct = task.percent_complete
    if pct is not None and (not _is_num(pct) or not 0 <= pct <= 100):
        out.append(InputProblem(task.id, "percent_complete", "must be between 0 and 100"))
    rem = task.remaining_duration
    if rem is not None and (not _is_int(rem) or rem < 0):
        out.append(InputProblem(task.id, "remaining_duration", "must be a whole number >= 0"))
    start, finish = task.actual_start, task.actual_finish
    if finish is not None and start is None:
        out.append(InputProblem(task.id, "actual_finish", "an actual finish needs an actual start"))
    if start is not None and finish is not None and finish < start:
        out.append(InputProblem(task.id, "actual_finish", "is before the actual start"))
    for name, value in (("actual_start", start), ("actual_finish", finish)):
        if value is not None and status is not None and value > status:
            out.append(InputProblem(task.id, name, "is after the status date"))
    return out


def _estimate_problems(task: Task) -> list[InputProblem]:
    three = (task.optimistic, task.most_likely, task.pessimistic)
    given = [v for v in three if v is not None]
    if not given:
        return []
    if len(given) != 3:
        return [InputProblem(task.id, "estimates", "give optimistic, most_likely and pessimistic")]
    if not all(_is_num(v) for v in given):
        return [InputProblem(task.id, "estimates", "estimates must be numbers")]
    lo, mid, hi = (float(v) for v in given)
    if lo < 0:
        return [InputProblem(task.id, "optimistic", "must be >= 0")]
    if not lo <= mid <= hi:
        return [InputProblem(task.id, "estimates", "need optimistic <= most_likely <= pessimistic")]
    return []


def _wbs_cycles(tasks: Mapping[str, Task]) -> list[InputProblem]:
    out: list[InputProblem] = []
    for task in tasks.values():
        seen = {task.id}
        parent = task.parent
        while parent is not None and parent in tasks:
            if parent in seen:
                out.append(InputProblem(task.id, "parent", "the WBS parents form a cycle"))
                break
            seen.add(parent)
            parent = tasks[parent].parent
    return out


def _ancestors(task_id: str, tasks: Mapping[str, Task]) -> set[str]:
    found: set[str] = set()
    parent = tasks[task_id].parent
    while parent is not None and parent in tasks and parent not in found:
        found.add(parent)
        parent = tasks[parent].parent
    return found


def _numbers(ends: list[object], number: dict[str, int]) -> IntArray:
    """Task number of each link end, -1 when unknown. One ``itemgetter`` call looks them all up
    in a C loop; any unknown (or unhashable) end sends it to the per-end path."""
    n = len(ends)
    if n > 1:
        try:
            return np.fromiter(itemgetter(*ends)(number), np.int64, n)
        except (KeyError, TypeError):
            pass
    known = (number.get(e, -1) if isinstance(e, str) else -1 for e in ends)
    return np.fromiter(known, np.int64, n)


def _suspect_links(
    links: Sequence[Dependency],
    tasks: Mapping[str, Task],
    arrays: list[LinkArrays] | None,
    wbs: bool,
) -> list[int]:
    """Indices of links that may have a problem, found with array operations."""
    if not links:
        return []
    number = dict(zip(tasks, range(len(tasks)), strict=True))
    n = len(links)
    pred = _numbers(list(map(_PRED, links)), number)
    succ = _numbers(list(map(_SUCC, links)), number)
    bad = (pred < 0) | (succ < 0) | (pred == succ)
    lags = list(map(_LAG, links))
    types = list(map(_TYPE, links))
    units = list(map(_UNIT, links))
    kind = np.fromiter(map(_KIND_OF_ID.get, map(id, types), repeat(-1)), np.int64, n)
    bad |= kind < 0  # not a LinkType member
    unit = np.fromiter(map(_ELAPSED_OF_ID.get, map(id, units), repeat(2)), np.int8, n)
    bad |= unit == 2  # not a LagUnit member
    # Lags: a type check through a set of types (a C loop); per link only when one is off.
    if set(map(type, lags)) != {int}:
        bad |= np.fromiter((type(v) is not int for v in lags), bool, n)
    pair = (pred * (len(number) + 1) + succ) * 4 + kind
    ordered = np.sort(pair)
    if (ordered[1:] == ordered[:-1]).any():  # rare: find which links repeat an earlier one
        _, first = np.unique(pair, return_index=True)
        dup = np.ones(len(links), bool)
        dup[first] = False
        bad |= dup
    if arrays is not None and not bad.any():
        lag = np.array(lags, np.int64)
        arrays.append(LinkArrays(pred, succ, kind, lag, unit.astype(bool), number))
    if wbs:
        return list(range(len(links)))
    return np.flatnonzero(bad).tolist()


def _link_problems(
    links: Sequence[Dependency],
    tasks: Mapping[str, Task],
    arrays: list[LinkArrays] | None,
    wbs: bool,
) -> list[InputProblem]:
    out: list[InputProblem] = []
    pairs: set[tuple[str, str, LinkType]] = set()
    suspects = _suspect_links(links, tasks, arrays, wbs)
    if not suspects:
        return out
    # Duplicates are relative to earlier links, so rescan from the first suspect's pairs.
    for link in links[: suspects[0]]:
        pairs.add((link.predecessor, link.successor, link.type))
    for link in links[suspects[0] :]:
        pred, succ = link.predecessor, link.successor
        where = f"link {pred!r} -> {succ!r}"

        def add(field: str, message: str, where: str = where, succ: str = succ) -> None:
            out.append(InputProblem(succ if succ in tasks else None, field, f"{where}: {message}"))

        if not isinstance(link.type, LinkType):
            add("type", f"{link.type!r} is not a LinkType (FF, FS, SF, SS)")
        if not isinstance(link.lag_unit, LagUnit):
            add("lag_unit", f"{link.lag_unit!r} is not a LagUnit (elapsed_days, working_days)")
        if pred not in tasks:
            add("predecessor", f"unknown predecessor {pred!r}")
        if succ not in tasks:
            add("successor", f"unknown successor {succ!r}")
        if pred == succ:
            add("predecessor", "a task cannot depend on itself")
        elif (pred, succ, link.type) in pairs:
            add("predecessor", f"duplicate {link.type.value} link between the same two tasks")
        elif (
            pred in tasks
            and succ in tasks
            and (pred in _ancestors(succ, tasks) or succ in _ancestors(pred, tasks))
        ):
            add("predecessor", "a summary cannot be linked to its own subtask")
        pairs.add((pred, succ, link.type))
        if not _is_int(link.lag):
            add("lag", "lag must be a whole number of days")
    return out


def risk_problems(risks: Sequence[RiskEvent], task_ids: set[str]) -> list[InputProblem]:
    """Problems in the risk events given to a simulation."""
    out: list[InputProblem] = []
    for risk in risks:
        field = f"risks[{risk.id!r}]"
        if not _is_num(risk.probability) or not 0 <= risk.probability <= 1:
            out.append(InputProblem(None, field, "probability must be between 0 and 1"))
        if not _is_num(risk.impact):
            out.append(InputProblem(None, field, "impact must be a number of working days"))
        out.extend(
            InputProblem(t, field, f"unknown task {t!r}")
            for t in risk.task_ids
            if t not in task_ids
        )
    return out
