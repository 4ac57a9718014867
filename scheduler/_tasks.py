"""Per-task bounds on the time axis: durations, constraints, deadlines and progress.

Times are on each task's own calendar (see ``_calendar``). Constraint dates map to the time
Microsoft Project would use: start constraints at 08:00, finish constraints and deadlines at
17:00, snapped to working time in the direction that keeps the constraint's meaning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress
from operator import attrgetter, not_
from typing import TYPE_CHECKING

import numpy as np

from ._calendar import IntArray, WorkCalendar
from ._model import ConstraintType as C
from ._model import Task

if TYPE_CHECKING:
    from ._network import Network
    from ._validate import LinkArrays

__all__ = ["DONE", "NOT_STARTED", "STARTED", "TaskBounds", "remaining_of", "task_bounds"]

NEG = -(2**30)
POS = 2**30
NOT_STARTED, STARTED, DONE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class TaskBounds:
    """Arrays over leaf tasks. ``NEG``/``POS`` mean "no bound"; spans are finish - start times."""

    dur: IntArray  # working days still to schedule (remaining ones for started tasks)
    span: IntArray
    state: IntArray
    lo_start: IntArray
    lo_finish: IntArray
    pin_start: IntArray
    pin_finish: IntArray
    hi_start: IntArray
    hi_finish: IntArray
    act_start: IntArray  # time of the actual start of a started task
    alap: np.ndarray
    start_time: IntArray  # project start per task calendar
    any_started: bool


def span_of(dur: IntArray) -> IntArray:
    """Finish time minus start time for whole-day durations (0 for milestones)."""
    return np.where(dur > 0, 2 * dur - 1, 0)


def remaining_of(task: Task) -> int:
    """Remaining working days of a started, unfinished task."""
    if task.remaining_duration is not None:
        return task.remaining_duration
    if task.percent_complete is not None:
        return math.ceil(task.duration * (1 - task.percent_complete / 100) - 1e-9)
    return task.duration


_SPECIAL_FIELDS = attrgetter("constraint_type", "deadline", "actual_start", "leveled_start")
_ORDINARY = (C.ASAP, None, None, None)  # no constraint, deadline, progress or leveling
_DURATION, _ACTUAL_START = attrgetter("duration"), attrgetter("actual_start")


def task_bounds(
    network: Network,
    leaves: Sequence[Task],
    cals: Sequence[WorkCalendar],
    cal: IntArray,
    summary_leaves: dict[str, IntArray],
    known: LinkArrays | None = None,
    floor: np.ndarray | None = None,
) -> TaskBounds:
    """Compute every task's bounds; only constrained or progressed tasks take the slow loop.
    ``known``: what validation found (durations, plain tasks), when the leaves are all tasks.
    ``floor``: the tasks the project start bounds (None: every task)."""
    n = len(leaves)
    if known is not None and known.duration is not None:
        dur = known.duration
    else:
        dur = np.fromiter(map(_DURATION, leaves), np.int64, n)
    start_day = network.start.toordinal()
    start_time = np.array([2 * c.cb(start_day) for c in cals], np.int64)[cal]
    lo_start = start_time.copy() if floor is None else np.where(floor, start_time, NEG)
    status = network.status_date
    if status is not None:
        after = status.toordinal() + 1
        lo_start = np.maximum(lo_start, np.array([2 * c.cb(after) for c in cals], np.int64)[cal])
    b = TaskBounds(
        dur, span_of(dur), np.zeros(n, np.int64), lo_start, np.full(n, NEG, np.int64),
        np.full(n, NEG, np.int64), np.full(n, NEG, np.int64), np.full(n, POS, np.int64),
        np.full(n, POS, np.int64), np.full(n, NEG, np.int64), np.zeros(n, bool), start_time,
        list(map(_ACTUAL_START, leaves)).count(None) < n,
    )  # fmt: skip
    # Plain tasks (validation) and then ordinary ones (one tuple compared per task in a C loop)
    # have nothing to apply; only the others take the Python path.
    plain = known.plain if known is not None and known.plain is not None else np.zeros(n, bool)
    rest = np.flatnonzero(~plain).tolist()
    ordinary = map(_ORDINARY.__eq__, map(_SPECIAL_FIELDS, map(leaves.__getitem__, rest)))
    for i in compress(rest, map(not_, ordinary)):
        _apply(b, i, leaves[i], cals[int(cal[i])], status)
    if not summary_leaves:
        return b
    deadlines = {t.id: t.deadline for t in network.tasks if t.id in summary_leaves}
    for tid, idx in summary_leaves.items():
        deadline = deadlines[tid]
        if deadline is not None:
            for i in idx.tolist():
                c = cals[int(cal[i])]
                b.hi_finish[i] = min(b.hi_finish[i], c.latest(deadline.toordinal(), 1))
    return b


def _apply(b: TaskBounds, i: int, task: Task, c: WorkCalendar, status: date | None) -> None:
    if task.deadline is not None and task.actual_finish is None:
        b.hi_finish[i] = c.latest(task.deadline.toordinal(), 1)
    if task.actual_start is not None:
        _progress(b, i, task, c, status)
        return
    if task.constraint_type is C.ALAP:
        b.alap[i] = True
    if task.leveled_start is not None:
        b.lo_start[i] = max(b.lo_start[i], c.earliest(task.leveled_start.toordinal(), 0))
    if task.constraint_date is None:
        return
    day, kind = task.constraint_date.toordinal(), task.constraint_type
    if kind is C.SNET:
        b.lo_start[i] = max(b.lo_start[i], c.earliest(day, 0))
    elif kind is C.FNET:
        b.lo_finish[i] = c.earliest(day, 1)
    elif kind is C.SNLT:
        b.hi_start[i] = c.latest(day, 0)
    elif kind is C.FNLT:
        b.hi_finish[i] = min(b.hi_finish[i], c.latest(day, 1))
    elif kind is C.MSO:
        b.pin_start[i] = b.hi_start[i] = c.earliest(day, 0)
    elif kind is C.MFO:
        b.pin_finish[i] = c.latest(day, 1)
        b.hi_finish[i] = min(b.hi_finish[i], b.pin_finish[i])


def _progress(b: TaskBounds, i: int, task: Task, c: WorkCalendar, status: date | None) -> None:
    assert task.actual_start is not None
    act = c.earliest(task.actual_start.toordinal(), 0)
    b.act_start[i] = act
    if task.actual_finish is not None:
        b.state[i] = DONE
        b.pin_start[i] = act
        b.span[i] = max(0, c.latest(task.actual_finish.toordinal(), 1) - act)
        b.dur[i] = (int(b.span[i]) + 1) // 2
        return
    b.state[i] = STARTED
    rem = remaining_of(task)
    b.dur[i] = rem
    b.span[i] = 2 * rem - 1 if rem > 0 else 0
    if status is not None:
        b.lo_start[i] = c.earliest((status + timedelta(days=1)).toordinal(), 0)
    else:
        # Without a status date, assume the work done so far followed the plan.
        b.lo_start[i] = act + 2 * max(0, task.duration - rem)
