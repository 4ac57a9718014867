"""Compile a validated Network into flat integer arrays the passes run on.

Summary tasks are not scheduled: links to or from a summary become links to or from each of its
leaf descendants. Progress is folded in here too: edges into completed tasks, and start-to-start
edges into started tasks, no longer constrain anything (retained logic for the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat
from operator import attrgetter

import numpy as np

from ._calendar import IntArray, WorkCalendar
from ._graph import levels_of
from ._layout import FF, FS, SF, SS, Edges, Layout, build_layout
from ._model import (
    Calendar,
    ConstraintType,
    DateRules,
    Dependency,
    LagUnit,
    LinkType,
    Task,
    TaskKind,
)
from ._network import Network
from ._tasks import NEG, POS, TaskBounds, task_bounds
from ._validate import LinkArrays

__all__ = ["FF", "FS", "NEG", "POS", "SF", "SS", "Plan", "compile_network"]

_TYPE = {LinkType.FS: FS, LinkType.SS: SS, LinkType.FF: FF, LinkType.SF: SF}
BoolArray = np.ndarray
_PRED = attrgetter("predecessor")
_SUCC = attrgetter("successor")
_ID, _KIND, _CALENDAR = attrgetter("id"), attrgetter("kind"), attrgetter("calendar")
_UNIT = attrgetter("lag_unit")


@dataclass(frozen=True, slots=True)
class Plan:
    """A network as arrays over its leaf tasks and expanded edges."""

    network: Network
    ids: tuple[str, ...]
    index: dict[str, int]
    tasks: tuple[Task, ...]
    cals: tuple[WorkCalendar, ...]
    cal: IntArray
    bounds: TaskBounds
    e_pred: IntArray
    e_succ: IntArray
    e_type: IntArray
    e_lag: IntArray
    e_elapsed: BoolArray
    e_link: IntArray
    e_fwd: BoolArray
    e_bwd: BoolArray
    layout: Layout  # the passes' rows (tasks in level order) and per-level sweeps
    summary_leaves: dict[str, IntArray]
    project_rules: bool = False  # Microsoft Project's date rules (``DateRules.MS_PROJECT``)

    @property
    def levels(self) -> tuple[IntArray, ...]:
        """Tasks of each topological level, in row order."""
        order, cuts = self.layout.order, self.layout.cuts
        return tuple(order[a:b] for a, b in pairwise(cuts))


def compile_network(network: Network) -> Plan:
    """Turn ``network`` into a ``Plan``; raises ``CyclicDependencyError`` on a cycle."""
    # Per-task work goes through map/attrgetter (C loops): at 100k tasks a Python-level loop
    # per field costs tens of milliseconds.
    tasks = network.tasks
    if list(map(_KIND, tasks)).count(TaskKind.SUMMARY):
        leaves = tuple(t for t in tasks if t.kind is not TaskKind.SUMMARY)
    else:
        leaves = tuple(tasks)
    ids = tuple(map(_ID, leaves))
    deps = network.dependencies
    # What validation already worked out, when it applies (leaves are all tasks, in order).
    known: LinkArrays | None = getattr(network, "_link_arrays", None)
    if known is not None and len(leaves) < len(tasks):
        known = None
    index = dict(zip(ids, range(len(ids)), strict=True)) if known is None else known.number
    summary_leaves = _summary_leaves(tasks, index) if len(leaves) < len(tasks) else {}
    cals, cal = _calendars(network, leaves)
    if known is not None:
        pred, succ, link = known.pred, known.succ, np.arange(len(deps), dtype=np.int64)
        e_type, e_lag, e_elapsed = known.kind, known.lag, known.elapsed
    else:
        pred, succ, link = _expand(deps, index, summary_leaves)
        e_type = np.fromiter(
            map(_TYPE.__getitem__, map(attrgetter("type"), deps)), np.int64, len(deps)
        )[link]
        e_lag = np.fromiter(map(attrgetter("lag"), deps), np.int64, len(deps))[link]
        units = list(map(_UNIT, deps))
        e_elapsed = np.zeros(link.size, bool)
        if units.count(LagUnit.ELAPSED_DAYS):
            e_elapsed = np.fromiter(map(LagUnit.ELAPSED_DAYS.__eq__, units), bool, len(deps))
            e_elapsed = e_elapsed[link]
    project_rules = network.rules is DateRules.MS_PROJECT
    floor = _project_floor(leaves, succ, e_type) if project_rules else None
    bounds = task_bounds(network, leaves, cals, cal, summary_leaves, known, floor)
    level = levels_of(len(ids), pred, succ, ids)
    state = bounds.state
    fwd = (state[succ] != 2) & ~((e_type == SS) & (state[succ] == 1))
    bwd = fwd & (state[pred] == 0) | fwd & (state[pred] == 1) & ((e_type == FS) | (e_type == FF))
    special = (cal[pred] != cal[succ]) | e_elapsed
    if project_rules:
        # Project writes a lagged instant in its own form (see ``_passes._project_form``),
        # which only a milestone successor keeps: those links take the converted path.
        special |= (e_lag != 0) & (bounds.span[succ] == 0)
    edges = Edges(pred, succ, e_type, e_lag, e_elapsed, special)
    layout = build_layout(level, edges, fwd, bwd, bounds, cal)
    return Plan(
        network, ids, index, leaves, cals, cal, bounds, pred, succ, e_type, e_lag,
        e_elapsed, link, fwd, bwd, layout, summary_leaves, project_rules,
    )  # fmt: skip


_FROM_CONSTRAINT = (ConstraintType.SNET, ConstraintType.FNET)


def _project_floor(leaves: Sequence[Task], succ: IntArray, e_type: IntArray) -> BoolArray:
    """Under Microsoft Project's rules, the tasks the project start bounds: those without
    predecessors (unless an SNET or FNET date places them) and those with an FF predecessor.
    A lead or an SF link may place any other task before the project start."""
    n = len(leaves)
    has_pred = np.bincount(succ, minlength=n) > 0
    has_ff = np.bincount(succ[e_type == FF], minlength=n) > 0
    placed = np.fromiter(
        (t.constraint_type in _FROM_CONSTRAINT and t.constraint_date is not None for t in leaves),
        bool,
        n,
    )
    floor: BoolArray = (~has_pred & ~placed) | has_ff
    return floor


def _summary_leaves(tasks: Sequence[Task], index: dict[str, int]) -> dict[str, IntArray]:
    children: dict[str, list[str]] = {}
    for task in tasks:
        if task.parent is not None:
            children.setdefault(task.parent, []).append(task.id)
    out: dict[str, IntArray] = {}
    for task in tasks:
        if task.kind is TaskKind.SUMMARY:
            found: list[int] = []
            stack = list(children.get(task.id, ()))
            while stack:
                child = stack.pop()
                if child in index:
                    found.append(index[child])
                stack.extend(children.get(child, ()))
            out[task.id] = np.array(sorted(found), np.int64)
    return out


def _calendars(
    network: Network, leaves: Sequence[Task]
) -> tuple[tuple[WorkCalendar, ...], IntArray]:
    default_id = network.default_calendar
    default = network.calendars[default_id] if default_id else Calendar("standard")
    others = [c for k, c in network.calendars.items() if k != default_id]
    cals = tuple(WorkCalendar(c) for c in (default, *others))
    position = {c.id: i for i, c in enumerate(cals)}
    named = list(map(_CALENDAR, leaves))
    if named.count(None) == len(named):
        return cals, np.zeros(len(leaves), np.int64)
    cal = [0 if c is None else position[c] for c in named]
    return cals, np.array(cal, np.int64)


def _expand(
    deps: Sequence[Dependency], index: dict[str, int], summary_leaves: dict[str, IntArray]
) -> tuple[IntArray, IntArray, IntArray]:
    """Expanded (pred, succ, link id) arrays; summary ends fan out to their leaves."""
    pred = np.fromiter(map(index.get, map(_PRED, deps), repeat(-1)), np.int64, len(deps))
    succ = np.fromiter(map(index.get, map(_SUCC, deps), repeat(-1)), np.int64, len(deps))
    link = np.arange(len(deps), dtype=np.int64)
    plain = (pred >= 0) & (succ >= 0)
    if plain.all():
        return pred, succ, link
    ps, ss, ls = [pred[plain]], [succ[plain]], [link[plain]]
    for i in np.flatnonzero(~plain).tolist():
        d = deps[i]
        p = summary_leaves.get(d.predecessor, np.array([pred[i]], np.int64))
        s = summary_leaves.get(d.successor, np.array([succ[i]], np.int64))
        ps.append(np.repeat(p, s.size))
        ss.append(np.tile(s, p.size))
        ls.append(np.full(p.size * s.size, i, np.int64))
    pred, succ, link = np.concatenate(ps), np.concatenate(ss), np.concatenate(ls)
    order = np.argsort(link, kind="stable")
    return pred[order], succ[order], link[order]
