"""``schedule()``: the critical path method over a network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ._calendar import IntArray
from ._compile import Plan, compile_network
from ._critical import critical_paths
from ._network import Network
from ._passes import Pass, backward, edge_bounds, forward, project_finish, work
from ._result import ScheduleResult, TaskResult, TaskTable
from ._tasks import DONE, STARTED

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
    es, ef, se = forward(plan, span)
    pf, fday = project_finish(plan, ef)
    ls, lf = backward(plan, span, es, ef, pf)
    p = Pass(es, ef, ls, lf, se)
    tf = (work(ls) - work(es))[:, 0]
    edges = np.flatnonzero(plan.e_fwd)
    bound = edge_bounds(plan, p, span, edges, True)[:, 0]
    slack = work(es[plan.e_succ[edges], 0]) - work(bound)
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
    table = TaskTable(tuple(t.id for t in network.tasks), _maker(s, driving))
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


def _maker(s: Solved, driving: np.ndarray) -> TaskResultMaker:
    return TaskResultMaker(s, driving)


class TaskResultMaker:
    """Builds one ``TaskResult`` from the arrays (leaf tasks) or by roll-up (summaries)."""

    def __init__(self, s: Solved, driving: np.ndarray) -> None:
        self._s = s
        # Driving links sorted by successor; each task's slice is found when it is read.
        pred = s.plan.e_pred[s.edges][driving]
        succ = s.plan.e_succ[s.edges][driving]
        order = np.argsort(succ, kind="stable")
        self._pred, self._succ = pred[order], succ[order]

    def _drivers(self, i: int) -> tuple[str, ...]:
        lo, hi = np.searchsorted(self._succ, [i, i + 1])
        return tuple(sorted({self._s.plan.ids[p] for p in self._pred[lo:hi].tolist()}))

    def __call__(self, task_id: str) -> TaskResult:
        s = self._s
        i = s.plan.index.get(task_id)
        if i is None:
            return self._summary(task_id)
        d = {k: date.fromordinal(int(v[i])) for k, v in s.days.items()}
        task = s.plan.tasks[i]
        if task.actual_start is not None:
            d["es"] = d["ls"] = d["start"] = task.actual_start
        if task.actual_finish is not None:
            d["ef"] = d["lf"] = d["finish"] = task.actual_finish
        drivers = self._drivers(i)
        return TaskResult(
            task_id, d["es"], d["ef"], d["ls"], d["lf"], int(s.tf[i]), int(s.ff[i]),
            bool(s.critical[i]), drivers, d["start"], d["finish"],
        )  # fmt: skip

    def _summary(self, task_id: str) -> TaskResult:
        plan = self._s.plan
        kids = [self(plan.ids[i]) for i in plan.summary_leaves[task_id].tolist()]
        tf = min(k.total_float for k in kids)
        # Free float of a summary: the slack of its own outgoing links, else its total float.
        own = [i for i, d in enumerate(plan.network.dependencies) if d.predecessor == task_id]
        mine = np.isin(plan.e_link[self._s.edges], own)
        ff = min(tf, int(self._s.slack[mine].min(initial=tf)))
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
