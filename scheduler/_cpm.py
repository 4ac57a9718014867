"""``schedule()``: the critical path method over a network."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np

from ._calendar import IntArray
from ._compile import Plan, compile_network
from ._critical import critical_paths
from ._network import Network
from ._passes import Pass, backward, edge_bounds, forward, project_finish, work
from ._result import ScheduleResult, TaskResult, TaskTable
from ._tasks import DONE, NOT_STARTED, STARTED

__all__ = ["Solved", "schedule", "solve"]


@dataclass(frozen=True, slots=True)
class Solved:
    """A plan with its pass results and the per-task analysis, all as arrays (K = 1)."""

    plan: Plan
    times: Pass
    pf: IntArray  # project finish bound per task
    finish_day: int
    tf: IntArray
    ff: IntArray
    edges: IntArray  # forward edges
    slack: IntArray  # per forward edge, working days
    critical: np.ndarray
    days: dict[str, IntArray]  # day numbers of es/ef/ls/lf/start/finish


def solve(network: Network, critical_threshold: int = 0, plan: Plan | None = None) -> Solved:
    """Run both passes and the float analysis."""
    plan = compile_network(network) if plan is None else plan
    span = plan.bounds.span[:, None]
    es, ef, se, ls, lf, pf, fday = _passes(plan)
    p = Pass(es, ef, ls, lf, se)
    tf = (work(ls) - work(es))[:, 0]
    edges = np.flatnonzero(plan.e_fwd)
    bound = edge_bounds(plan, p, span, edges, True)[:, 0]
    slack = work(es[plan.e_succ[edges], 0]) - work(bound)
    # An elapsed lag can absorb non-working days, so its slack is how far the predecessor's
    # end may move before the successor's early date moves: the backward conversion applied
    # to the successor's early times, not the forward bound's distance in working time.
    lapse = plan.e_elapsed[edges] & (plan.bounds.state[plan.e_pred[edges]] == NOT_STARTED)
    if lapse.any():
        early = Pass(es, ef, es, ef, se)
        latest = edge_bounds(plan, early, span, edges[lapse], False)[:, 0]
        slack[lapse] = work(latest) - work(ef[plan.e_pred[edges[lapse]], 0])
    ff = (work(pf) - work(ef))[:, 0].copy()
    np.minimum.at(ff, plan.e_pred[edges], slack)
    ff = np.clip(ff, 0, np.maximum(tf, 0))
    done = plan.bounds.state == DONE
    tf = np.where(done, 0, tf)
    critical = (tf <= critical_threshold) & ~done
    sched = np.where(plan.bounds.alap, es[:, 0] + 2 * ff, es[:, 0])
    sched_f = sched + plan.bounds.span
    started = plan.bounds.state == STARTED
    sched = np.where(started, plan.bounds.act_start, sched)
    days = _days(plan, {"es": es[:, 0], "ef": ef[:, 0], "ls": ls[:, 0], "lf": lf[:, 0]})
    days |= _days(plan, {"start": sched, "finish": sched_f})
    return Solved(plan, p, pf[:, 0], int(fday[0]), tf, ff, edges, slack, critical, days)


def _passes(plan: Plan) -> tuple[IntArray, ...]:
    """Both passes on the layout's rows, returned in task order (``K = 1``)."""
    lay = plan.layout
    span = lay.bounds.span[:, None]
    es, ef, se = forward(plan, span)
    pf, fday = project_finish(plan, ef)
    ls, lf = backward(plan, span, es, ef, pf)
    row = lay.row
    whole_pf = np.broadcast_to(pf, ef.shape)
    return (*(x[row] for x in (es, ef, se, ls, lf, whole_pf)), fday)


def _days(plan: Plan, times: dict[str, IntArray]) -> dict[str, IntArray]:
    if len(plan.cals) == 1:
        return {k: plan.cals[0].days_of(v // 2) for k, v in times.items()}
    out = {k: np.empty_like(v) for k, v in times.items()}
    for c, cal in enumerate(plan.cals):
        rows = plan.cal == c
        for k, v in times.items():
            out[k][rows] = cal.days_of(v[rows] // 2)
    return out


def schedule(network: Network, *, critical_threshold: int = 0) -> ScheduleResult:
    """Schedule ``network`` by the critical path method.

    Raises ``CyclicDependencyError`` if the links form a cycle. Input problems are reported
    when the ``Network`` is built.
    """
    from ._derive import explainer  # the explanation layer sits on top of this module

    s = solve(network, critical_threshold)
    plan = s.plan
    driving = s.slack == 0
    paths = critical_paths(
        plan.e_pred[s.edges][driving], plan.e_succ[s.edges][driving], s.critical,
        s.times.ef[:, 0], plan.bounds.dur, _rank(plan),
    )  # fmt: skip
    ids = plan.ids
    late = s.slack < 0
    violations = tuple(
        (ids[p], ids[q], -int(k))
        for p, q, k in zip(
            plan.e_pred[s.edges][late].tolist(), plan.e_succ[s.edges][late].tolist(),
            s.slack[late].tolist(), strict=True,
        )
    )  # fmt: skip
    maker = TaskResultMaker(s, driving)
    ids_all = plan.ids if not plan.summary_leaves else tuple(map(_ID, network.tasks))
    table = TaskTable(ids_all, maker.leaves, frozenset(plan.summary_leaves), maker.summary)
    return ScheduleResult(
        tasks=table,
        project_start=network.start,
        project_finish=date.fromordinal(s.finish_day),
        critical_path=tuple(ids[i] for i in paths[0]) if paths else (),
        critical_paths=tuple(tuple(ids[i] for i in p) for p in paths),
        violations=violations,
        _explain=explainer(s),
    )


def _rank(plan: Plan) -> IntArray:
    rank = np.empty(len(plan.ids), np.int64)
    for k, nodes in enumerate(plan.levels):
        rank[nodes] = k
    return rank


_EPOCH = date(1970, 1, 1).toordinal()
_ID = attrgetter("id")


def _date_columns(columns: list[IntArray]) -> list[list[date]]:
    """``dates_of`` for several columns of day numbers: one ``date`` per day of their range,
    shared by every task on that day, gathered as an object array (a pointer copy each)."""
    if not columns[0].size:
        return [[] for _ in columns]
    lo = min(int(c.min()) for c in columns)
    hi = max(int(c.max()) for c in columns)
    if hi - lo > 4 * columns[0].size:  # sparse dates: convert each value instead
        return [dates_of(c) for c in columns]
    table = np.array(dates_of(np.arange(lo, hi + 1)), dtype=object)
    return [list(table[c - lo].tolist()) for c in columns]


def dates_of(days: IntArray) -> list[date]:
    """``date`` objects for day numbers, converted at C speed through ``datetime64``."""
    return list((np.asarray(days, np.int64) - _EPOCH).astype("datetime64[D]").tolist())


class TaskResultMaker:
    """Builds ``TaskResult`` objects from the arrays (leaf tasks) or by roll-up (summaries).

    Leaf results are built all at once from columns: dates through ``datetime64``, floats
    and flags through ``tolist``, driving predecessors in one pass over the driving links.
    """

    def __init__(self, s: Solved, driving: np.ndarray) -> None:
        self._s = s
        self._driving = driving
        self._leaves: dict[str, TaskResult] | None = None
        self._outgoing: dict[str, int] | None = None

    def _summary_slack(self) -> dict[str, int]:
        """The least slack over each summary's own outgoing links, in one pass over the edges
        (built once: per summary, a scan of every link made 100 summaries of a 10k-task plan
        cost 0.3 s)."""
        if self._outgoing is None:
            s, plan = self._s, self._s.plan
            deps = plan.network.dependencies
            link = plan.e_link[s.edges].tolist()
            least: dict[str, int] = {}
            for i, slack in zip(link, s.slack.tolist(), strict=True):
                pred = deps[i].predecessor
                if pred in plan.summary_leaves and slack < least.get(pred, slack + 1):
                    least[pred] = int(slack)
            self._outgoing = least
        return self._outgoing

    def _columns(self) -> tuple[list[Any], ...]:
        s, plan = self._s, self._s.plan
        d = s.days
        es, ef, ls, lf, start, finish = _date_columns(
            [d["es"], d["ef"], d["ls"], d["lf"], d["start"], d["finish"]]
        )
        cols: tuple[list[Any], ...] = (
            es, ef, ls, lf, s.tf.tolist(), s.ff.tolist(), s.critical.tolist(), self._drivers(),
            start, finish,
        )  # fmt: skip
        es, ef, ls, lf, _, _, _, _, start, finish = cols
        for i in np.flatnonzero(plan.bounds.state != NOT_STARTED).tolist():
            task = plan.tasks[i]
            if task.actual_start is not None:
                es[i] = ls[i] = start[i] = task.actual_start
            if task.actual_finish is not None:
                ef[i] = lf[i] = finish[i] = task.actual_finish
        return cols

    def _drivers(self) -> list[tuple[str, ...]]:
        """Driving predecessor ids per task, through an object array: a task driven by one
        link gets that predecessor's shared 1-tuple (one gather and scatter for all of them),
        one driven by several a sorted tuple of the distinct ids, others ()."""
        s = self._s
        ids = s.plan.ids
        n = len(ids)
        pred = s.plan.e_pred[s.edges][self._driving]
        succ = s.plan.e_succ[s.edges][self._driving]
        out = np.empty(n, object)
        out.fill(())
        one = np.bincount(succ, minlength=n)[succ] == 1
        if one.any():
            alone = np.fromiter(zip(ids), dtype=object, count=n)  # zip of one: 1-tuples
            out[succ[one]] = alone[pred[one]]
        several: dict[int, set[str]] = {}
        for p, q in zip(pred[~one].tolist(), succ[~one].tolist(), strict=True):
            several.setdefault(q, set()).add(ids[p])
        for q, found in several.items():
            out[q] = tuple(sorted(found))
        return list(out.tolist())

    def leaves(self) -> dict[str, TaskResult]:
        """Every leaf task's result, keyed by task id (built once)."""
        if self._leaves is None:
            ids = self._s.plan.ids
            # tuple.__new__ builds each named tuple in C, without its Python-level __new__;
            # the collector is paused meanwhile (columns included), as it would rescan every
            # new tuple many times.
            paused = gc.isenabled()
            gc.disable()
            try:
                rows = zip(ids, *self._columns(), strict=True)
                made = map(tuple.__new__, repeat(TaskResult), rows)
                self._leaves = dict(zip(ids, made, strict=True))
            finally:
                if paused:
                    gc.enable()
        return self._leaves

    def summary(self, task_id: str) -> TaskResult:
        plan = self._s.plan
        leaves = self.leaves()
        kids = [leaves[plan.ids[i]] for i in plan.summary_leaves[task_id].tolist()]
        tf = min(k.total_float for k in kids)
        # Free float of a summary: the slack of its own outgoing links, else its total float.
        ff = min(tf, self._summary_slack().get(task_id, tf))
        return TaskResult(
            task_id,
            min(k.early_start for k in kids),
            max(k.early_finish for k in kids),
            min(k.late_start for k in kids),
            max(k.late_finish for k in kids),
            tf,
            max(ff, 0),
            any(k.is_critical for k in kids),
            (),
            min(k.start for k in kids),
            max(k.finish for k in kids),
        )
