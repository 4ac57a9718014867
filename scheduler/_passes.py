"""The CPM passes, vectorised over the tasks of a topological level and over iterations.

Every array is ``(tasks, K)``: ``K = 1`` for a plain schedule, ``K = chunk`` in Monte Carlo, so
one implementation serves both and a deterministic simulation reproduces the schedule exactly.
Times are integers on each task's calendar: ``2k`` = 08:00 of working day ``k``, ``2k + 1`` =
17:00 of it. A task of ``d`` days starting at ``s`` finishes at ``s + 2d - 1``. Spans given to
the passes must be positive wherever the plan's own spans are (Monte Carlo keeps a task with
a duration at one day or more), so levels without milestones skip the milestone handling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._calendar import IntArray
from ._compile import FS, NEG, POS, SF, SS, Chain, Plan, Side
from ._tasks import DONE, STARTED

__all__ = [
    "Pass",
    "backward",
    "edge_bounds",
    "finish_to_start",
    "forward",
    "project_finish",
    "start_to_finish",
    "work",
]


@dataclass(frozen=True, slots=True)
class Pass:
    """Results of a pass pair: early and late start/finish times, ``(tasks, K)`` each."""

    es: IntArray
    ef: IntArray
    ls: IntArray
    lf: IntArray
    se: IntArray  # time of the start event (the actual start for started tasks)


def work(times: IntArray) -> IntArray:
    """Working days elapsed at each time (17:00 of day k and 08:00 of day k + 1 coincide)."""
    return (times + 1) // 2


def finish_to_start(bound: IntArray, span: IntArray) -> IntArray:
    """Start bound of a task from a bound on its finish.

    A task finishing at 08:00 of day k has really finished at 17:00 of day k - 1 (no working
    time lies between), so a morning finish bound moves back to the previous evening first.
    """
    return bound - (1 - (bound & 1)) * (span > 0) - span


def start_to_finish(bound: IntArray, span: IntArray) -> IntArray:
    """Finish bound of a task from a bound on its start (an evening start means next morning)."""
    return bound + (bound & 1) * (span > 0) + span


def _candidates(plan: Plan, side: Side, start: IntArray, finish: IntArray, fwd: bool) -> IntArray:
    """Each edge's bound on its own node, in the own node's calendar times."""
    other = side.other
    if side.other_start.all():
        base = start[other]
    elif not side.other_start.any():
        base = finish[other]
    else:
        base = np.where(side.other_start[:, None], start[other], finish[other])
    cand = base + side.lag2[:, None] if fwd else base - side.lag2[:, None]
    if side.special.size:
        cand[side.special] = _convert(plan, side, base[side.special], fwd)
    return cand


def _convert(plan: Plan, side: Side, base: IntArray, fwd: bool) -> IntArray:
    """Cross-calendar or elapsed-lag edges: go through real dates.

    A working-day lag counts on the successor's calendar: forward it is added after moving to
    the successor's calendar, backward it is removed before leaving it.
    """
    sp = side.special
    edge = side.edge[sp]
    elapsed = plan.e_elapsed[edge][:, None]
    lag = plan.e_lag[edge][:, None]
    src, dst = plan.cal[side.other[sp]], plan.cal[side.own[sp]]
    if not fwd:
        base = base - np.where(elapsed, 0, 2 * lag)
    day = np.empty_like(base)
    for c in np.unique(src).tolist():
        rows = src == c
        day[rows] = plan.cals[c].days_of(base[rows] // 2)
    day += np.where(elapsed, lag if fwd else -lag, 0)
    phase = base & 1
    out = np.empty_like(base)
    for c in np.unique(dst).tolist():
        rows = dst == c
        cal = plan.cals[c]
        k = 2 * cal.count_before(day[rows])
        off = 0 if fwd else -1
        out[rows] = np.where(cal.is_working(day[rows]), k + phase[rows], k + off)
    return out + np.where(elapsed, 0, 2 * lag) if fwd else out


def _reduce(chain: Chain, times: IntArray, fwd: bool) -> IntArray:
    """Max (forward) or min (backward) of a chain's edge bounds per node, slot by slot in place.

    ``times`` stacks starts over finishes, so each slot is one row gather whatever mix of
    link types it holds.
    """
    op = np.maximum if fwd else np.minimum
    acc = times[chain.src[0]]
    lag = chain.lag2[0]
    if lag is not None:
        acc += (lag if fwd else -lag).astype(acc.dtype)[:, None]
    for src, lag in zip(chain.src[1:], chain.lag2[1:], strict=True):
        other = times[src]
        if lag is not None:
            other += (lag if fwd else -lag).astype(acc.dtype)[:, None]
        head = acc[: src.size]
        op(head, other, out=head)
    return acc


def _merge(bound: IntArray, chain: Chain, cand: IntArray, fwd: bool) -> None:
    op = np.maximum if fwd else np.minimum
    if chain.prefix:
        head = bound[: chain.pos.size]
        op(head, cand, out=head)
    else:
        bound[chain.pos] = op(bound[chain.pos], cand)


def forward(plan: Plan, span: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Early start, early finish and start-event times."""
    b = plan.bounds
    n, width = span.shape
    dt = span.dtype
    # Stacked (start events; finishes) so that an edge reads either with one row gather.
    times = np.empty((2 * n, width), dt)
    se, ef = times[:n], times[n:]
    es = np.empty(span.shape, dt) if b.any_started else se
    lo_start = b.lo_start.astype(dt)
    pins = bool((b.pin_start != NEG).any() or (b.pin_finish != NEG).any())
    fnet = bool((b.lo_finish != NEG).any())
    started = b.state == STARTED
    positive = b.span > 0
    for nodes, sweep in zip(plan.levels, plan.forward, strict=True):
        sp = span[nodes]
        all_positive = bool(positive[nodes].all())
        bound = np.repeat(lo_start[nodes][:, None], width, axis=1)
        if fnet:
            bound = np.maximum(bound, finish_to_start(b.lo_finish[nodes][:, None], sp))
        if sweep.start is not None:
            _merge(bound, sweep.start, _reduce(sweep.start, times, True), True)
        if sweep.finish is not None:
            c = sweep.finish
            _merge(bound, c, finish_to_start(_reduce(c, times, True), span[c.node]), True)
        side = sweep.special
        if side is not None:
            cand = _candidates(plan, side, se, ef, True)
            own_finish = ~side.own_start
            if own_finish.any():
                cand[own_finish] = finish_to_start(cand[own_finish], span[side.own[own_finish]])
            red = np.maximum.reduceat(cand, side.groups, axis=0)
            bound[side.pos] = np.maximum(bound[side.pos], red)
        # A task starts at 08:00, never at 17:00 (a milestone may sit at either).
        bound += (bound & 1) if all_positive else (bound & 1) * (sp > 0)
        if pins:
            ps, pf = b.pin_start[nodes][:, None], b.pin_finish[nodes][:, None]
            bound = np.where(ps != NEG, ps, bound)
            bound = np.where(pf != NEG, pf - sp, bound)
        es[nodes] = bound
        ef[nodes] = bound + sp
        if b.any_started:
            se[nodes] = np.where(started[nodes][:, None], b.act_start[nodes][:, None], bound)
    return es, ef, se


def project_finish(plan: Plan, ef: IntArray) -> tuple[IntArray, IntArray]:
    """Latest finish as a bound per task (on its calendar) and as a day number per column."""
    if len(plan.cals) == 1:
        top = ef.max(axis=0)
        return np.broadcast_to(top, ef.shape), plan.cals[0].days_of(top // 2)
    key = np.full(ef.shape[1], np.iinfo(np.int64).min, np.int64)
    for c, cal in enumerate(plan.cals):
        rows = plan.cal == c
        if rows.any():
            t = ef[rows].max(axis=0)
            key = np.maximum(key, cal.days_of(t // 2) * 2 + (t & 1))
    day, phase = key // 2, key & 1
    per_cal = np.empty((len(plan.cals), ef.shape[1]), np.int64)
    for c, cal in enumerate(plan.cals):
        k = 2 * cal.count_before(day)
        per_cal[c] = np.where(cal.is_working(day), k + phase, k - 1)
    return per_cal[plan.cal], day


def backward(
    plan: Plan, span: IntArray, es: IntArray, ef: IntArray, pf: IntArray
) -> tuple[IntArray, IntArray]:
    """Late start and finish times, given the early ones and the project finish bound."""
    b = plan.bounds
    n, _ = span.shape
    dt = span.dtype
    times = np.empty((2 * n, span.shape[1]), dt)  # stacked (late starts; late finishes)
    ls, lf = times[:n], times[n:]
    hi_finish = b.hi_finish.astype(dt)
    his = bool((b.hi_start < POS).any())
    done = bool((b.state == DONE).any())
    positive = b.span > 0
    for nodes, sweep in zip(reversed(plan.back_levels), reversed(plan.backward), strict=True):
        sp = span[nodes]
        all_positive = bool(positive[nodes].all())
        bound = np.minimum(pf[nodes], hi_finish[nodes][:, None])
        if his:
            bound = np.minimum(bound, start_to_finish(b.hi_start[nodes][:, None], sp))
        if sweep.finish is not None:
            _merge(bound, sweep.finish, _reduce(sweep.finish, times, False), False)
        if sweep.start is not None:
            c = sweep.start
            _merge(bound, c, start_to_finish(_reduce(c, times, False), span[c.node]), False)
        side = sweep.special
        if side is not None:
            cand = _candidates(plan, side, ls, lf, False)
            if side.own_start.any():
                own = side.own_start
                cand[own] = start_to_finish(cand[own], span[side.own[own]])
            red = np.minimum.reduceat(cand, side.groups, axis=0)
            bound[side.pos] = np.minimum(bound[side.pos], red)
        # A task finishes at 17:00, never at 08:00.
        bound -= (1 - (bound & 1)) if all_positive else (1 - (bound & 1)) * (sp > 0)
        # 08:00 of day k + 1 is the same working moment as 17:00 of day k. Like Microsoft
        # Project, show a milestone's late date at the earlier evening, or at its early time
        # when it has no float. Both moves keep the working time, so floats are unchanged.
        mile = sp == 0
        if not all_positive and mile.any():
            early = es[nodes]
            same = mile & ((bound + 1) // 2 == (early + 1) // 2)
            bound = np.where(same, early, bound - (mile & ~same & ((bound & 1) == 0)))
        if done:
            bound = np.where((b.state[nodes] == DONE)[:, None], ef[nodes], bound)
        lf[nodes] = bound
        ls[nodes] = bound - sp
    return ls, lf


def edge_bounds(plan: Plan, p: Pass, span: IntArray, edges: IntArray, fwd: bool) -> IntArray:
    """Bound each edge puts on its successor's start (forward) or predecessor's finish."""
    kind = plan.e_type[edges]
    own, other = (plan.e_succ, plan.e_pred) if fwd else (plan.e_pred, plan.e_succ)
    own, other = own[edges], other[edges]
    if fwd:
        other_start, own_start = (kind == SS) | (kind == SF), (kind == FS) | (kind == SS)
    else:
        other_start, own_start = (kind == FS) | (kind == SS), (kind == SS) | (kind == SF)
    special = (plan.cal[own] != plan.cal[other]) | plan.e_elapsed[edges]
    lag2 = np.where(plan.e_elapsed[edges], 0, 2 * plan.e_lag[edges])
    side = Side(edges, own, other, other_start, own_start, lag2, np.flatnonzero(special), own, own)
    if fwd:
        cand = _candidates(plan, side, p.se, p.ef, True)
        return np.where(own_start[:, None], cand, finish_to_start(cand, span[own]))
    cand = _candidates(plan, side, p.ls, p.lf, False)
    return np.where(own_start[:, None], start_to_finish(cand, span[own]), cand)
