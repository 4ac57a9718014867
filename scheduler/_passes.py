"""The CPM passes, vectorised over the tasks of a topological level and over iterations.

Every array is ``(rows, K)``, rows being the tasks in the plan's layout order (``_layout``: each
topological level a contiguous block): ``K = 1`` for a plain schedule, ``K = chunk`` in Monte
Carlo, so one implementation serves both and a deterministic simulation reproduces the schedule
exactly.
Times are integers on each task's calendar: ``2k`` = 08:00 of working day ``k``, ``2k + 1`` =
17:00 of it. A task of ``d`` days starting at ``s`` finishes at ``s + 2d - 1``. Spans given to
the passes must be positive wherever the plan's own spans are (Monte Carlo keeps a task with
a duration at one day or more), so levels without milestones skip the milestone handling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._calendar import IntArray
from ._chains import Buffers, empty, main_bounds, merge, other_bounds, scratch_for
from ._compile import NEG, POS, Plan
from ._layout import FS, SF, SS, Side
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


def _candidates(
    plan: Plan, side: Side, start: IntArray, finish: IntArray, span: IntArray, fwd: bool
) -> IntArray:
    """Each edge's bound on its own node, in the own node's calendar times (``span`` indexed
    like the times)."""
    other = side.other_at
    if side.other_start.all():
        base = start[other]
    elif not side.other_start.any():
        base = finish[other]
    else:
        base = np.where(side.other_start[:, None], start[other], finish[other])
    cand = base + side.lag2[:, None] if fwd else base - side.lag2[:, None]
    if side.special.size:
        own_span = span[side.own_at[side.special]]
        cand[side.special] = _convert(plan, side, base[side.special], own_span, fwd)
    return cand


def _convert(plan: Plan, side: Side, base: IntArray, span: IntArray, fwd: bool) -> IntArray:
    """Cross-calendar or elapsed-lag edges (and, under Project's rules, lagged links into
    milestones): go through real dates. ``span``: the own nodes' spans.

    A working-day lag counts on the successor's calendar: forward it is added after moving to
    the successor's calendar, backward it is removed before leaving it. Elapsed lags follow
    ``_elapsed_forward`` / ``_elapsed_backward`` (under Project's rules, ``_project_forward``
    / ``_project_backward``).
    """
    sp = side.special
    edge = side.edge[sp]
    elapsed = plan.e_elapsed[edge]
    lag = plan.e_lag[edge][:, None]
    src, dst = plan.cal[side.other[sp]], plan.cal[side.own[sp]]
    out = np.empty_like(base)
    plain = ~elapsed
    if plain.any():
        b = base[plain]
        b2 = b if fwd else b - 2 * lag[plain]
        moved = _move(plan, src[plain], dst[plain], b2, fwd)
        if not fwd:
            out[plain] = moved
        elif plan.project_rules:
            out[plain] = _project_form(moved + 2 * lag[plain], lag[plain])
        else:
            out[plain] = moved + 2 * lag[plain]
    if elapsed.any():
        e = np.flatnonzero(elapsed)
        # Which end of the successor the link bounds (FF/SF bound its finish).
        fin = ~(side.own_start if fwd else side.other_start)[sp][e]
        own_start = side.own_start[sp][e][:, None]
        args = (plan, src[e], dst[e], base[e], lag[e], fin[:, None])
        if plan.project_rules:
            own_span = span[e]
            out[e] = (
                _project_forward(*args, own_span)
                if fwd
                else _project_backward(*args, own_start, own_span)
            )
        else:
            positive = (plan.bounds.span[side.own[sp][e]] > 0)[:, None]
            out[e] = (
                _elapsed_forward(*args) if fwd else _elapsed_backward(*args, own_start, positive)
            )
    return out


def _project_form(times: IntArray, lag: IntArray) -> IntArray:
    """The form Microsoft Project gives an instant moved by a working lag: forward it ends at
    the close of a working period (17:00), back it lands on the opening of one (08:00). The
    two are the same working moment, so only a milestone, which keeps either, shows it."""
    return np.where(lag > 0, times - 1 + (times & 1), np.where(lag < 0, times + (times & 1), times))


def _lagged_day(plan: Plan, cal: IntArray, days: IntArray, phase: IntArray, back: bool) -> IntArray:
    """The time at ``phase`` (0: 08:00, 1: 17:00) of calendar day ``days`` on ``cal``, or, on a
    day off, the next working morning (``back``: the previous working evening)."""
    k = 2 * _per_cal(plan, cal, days, "count_before")
    working = _per_cal(plan, cal, days, "is_working").astype(bool)
    return np.where(working, k + phase, k - 1 if back else k)


def _project_forward(
    plan: Plan,
    src: IntArray,
    dst: IntArray,
    base: IntArray,
    lag: IntArray,
    fin: np.ndarray,
    span: IntArray,
) -> IntArray:
    """An elapsed lag's bound under Microsoft Project's rules (MPXJ's MicrosoftScheduler).

    A start bound (FS, SS) is the lagged instant, or the next working morning when it falls
    on a day off, as in ``_elapsed_forward``. For a finish bound (FF, SF) Project first takes
    the successor's duration off the predecessor's end, in working time, and adds the lag to
    that start: returned as the finish that start implies.
    """
    day = _per_cal(plan, src, base // 2, "days_of")
    start_bound = _lagged_day(plan, dst, day + lag, base & 1, back=False)
    moved = _move(plan, src, dst, base, True)
    days = (span + 1) // 2
    start = np.where(days > 0, 2 * ((moved + 1) // 2 - days), moved)
    at = _per_cal(plan, dst, start // 2, "days_of") + lag
    finish_bound = _lagged_day(plan, dst, at, start & 1, back=False) + span
    return np.where(fin, finish_bound, start_bound)


def _project_backward(
    plan: Plan,
    src: IntArray,
    dst: IntArray,
    base: IntArray,
    lag: IntArray,
    fin: np.ndarray,
    own_start: np.ndarray,
    span: IntArray,
) -> IntArray:
    """The bound an elapsed lag puts on the predecessor under Microsoft Project's rules.

    Project does not invert its forward rule: it takes the lag off the successor's late date
    (in calendar days) and applies the predecessor's duration around it.
    FS, FF: the predecessor's late finish is the latest working moment at or before the
    successor's late start (FS) or finish (FF) minus the lag.
    SS: the successor's late start, moved to a morning and back by the lag, is the
    predecessor's late start; on a day off, the next working morning (a milestone: the
    previous evening).
    SF: the predecessor's duration is added to the successor's late finish, the lag taken
    off, and the result is the predecessor's late finish.
    """
    day = _per_cal(plan, src, base // 2, "days_of") - lag
    latest = _lagged_day(plan, dst, day, base & 1, back=True)
    morning = base + (base & 1)
    ss_day = _per_cal(plan, src, morning // 2, "days_of") - lag
    k = 2 * _per_cal(plan, dst, ss_day, "count_before")
    working = _per_cal(plan, dst, ss_day, "is_working").astype(bool)
    via_ss = np.where((span > 0) | working, k, k - 1)
    moved = _move(plan, src, dst, base, False)
    days = (span + 1) // 2
    ahead = np.where(days > 0, 2 * ((moved + 1) // 2 + days) - 1, moved)
    sf_day = _per_cal(plan, dst, ahead // 2, "days_of") - lag
    via_sf = finish_to_start(_lagged_day(plan, dst, sf_day, ahead & 1, back=True), span)
    return np.where(own_start, np.where(fin, via_sf, via_ss), latest)


def _per_cal(plan: Plan, which: IntArray, values: IntArray, fn: str) -> IntArray:
    """Apply a ``WorkCalendar`` method row-wise, each row on its own calendar."""
    if len(plan.cals) == 1:
        return np.asarray(getattr(plan.cals[0], fn)(values), values.dtype)
    out = np.empty_like(values)
    for c in np.unique(which).tolist():
        rows = which == c
        out[rows] = getattr(plan.cals[c], fn)(values[rows])
    return out


def _move(plan: Plan, src: IntArray, dst: IntArray, base: IntArray, fwd: bool) -> IntArray:
    """The same calendar instant on another calendar (forward: the earliest working time at
    or after it; backward: the latest at or before it)."""
    day = _per_cal(plan, src, base // 2, "days_of")
    phase = base & 1
    k = 2 * _per_cal(plan, dst, day, "count_before")
    working = _per_cal(plan, dst, day, "is_working").astype(bool)
    return np.where(working, k + phase, k if fwd else k - 1)


def _elapsed_forward(
    plan: Plan, src: IntArray, dst: IntArray, base: IntArray, lag: IntArray, fin: np.ndarray
) -> IntArray:
    """Bound an elapsed lag puts on the successor, counted in calendar days.

    A start bound is the first working moment at or after the lagged instant (a predecessor
    finishing on day d with lag L lets the successor start on the first working day from
    d + L + 1). A finish bound is the end of the first working day on or after the lagged
    *day*: the day the predecessor's end closes (its finish day; for a start at 08:00, the
    day before, or with a lead or no lag the last working day before), plus L. So a bound
    that lands on a weekend finishes the successor on the next working day, as Microsoft
    Project and trueppm-scheduler do, rather than at the working-time instant before it.
    """
    day = _per_cal(plan, src, base // 2, "days_of")
    phase = base & 1
    target = day + lag
    k = 2 * _per_cal(plan, dst, target, "count_before")
    working = _per_cal(plan, dst, target, "is_working").astype(bool)
    start_bound = np.where(working, k + phase, k)
    before = _per_cal(plan, src, np.maximum(base // 2 - 1, 0), "days_of")
    anchor = np.where(phase == 1, day, np.where(lag > 0, day - 1, before))
    finish_bound = 2 * _per_cal(plan, dst, anchor + lag, "count_before") + 1
    return np.where(fin, finish_bound, start_bound)


def _elapsed_backward(
    plan: Plan,
    src: IntArray,
    dst: IntArray,
    base: IntArray,
    lag: IntArray,
    fin: np.ndarray,
    own_start: np.ndarray,
    positive: np.ndarray,
) -> IntArray:
    """The latest time of the predecessor's end that keeps ``_elapsed_forward`` within the
    successor's bound ``base`` (its inverse, so floats are exact).

    A predecessor end with work is a start at 08:00 (even) or a finish at 17:00 (odd); a
    milestone may sit at either, so it takes the later of the two.
    """
    # Start bounds: the forward instant must be at or before the bound's instant.
    day = _per_cal(plan, src, base // 2, "days_of") - lag
    k = 2 * _per_cal(plan, dst, day, "count_before")
    working = _per_cal(plan, dst, day, "is_working").astype(bool)
    latest = np.where(working, k + (base & 1), k - 1)
    via_start = np.where(positive & own_start, latest - (latest & 1), latest)
    # Finish bounds: the anchor day must be on or before the bound's finish day minus L.
    last = _per_cal(plan, src, (base - 1) // 2, "days_of") - lag
    k1 = 2 * _per_cal(plan, dst, last, "count_before")
    odd = np.where(_per_cal(plan, dst, last, "is_working").astype(bool), k1 + 1, k1 - 1)
    even = np.where(
        lag > 0,
        2 * _per_cal(plan, dst, last + 2, "count_before") - 2,
        2 * _per_cal(plan, dst, last + 1, "count_before"),
    )
    via_finish = np.where(positive, np.where(own_start, even, odd), np.maximum(odd, even))
    return np.where(fin, via_finish, via_start)


def forward(
    plan: Plan, span: IntArray, buffers: Buffers | None = None
) -> tuple[IntArray, IntArray, IntArray]:
    """Early start, early finish and start-event times; every array in layout row order.
    With ``buffers`` the results live in them, valid until the next pass using them."""
    lay = plan.layout
    b = lay.bounds
    n, width = span.shape
    dt = span.dtype
    # Stacked (start events; finishes) so that an edge reads either with one row gather.
    times = empty(buffers, "early", (2 * n, width), dt)
    se, ef = times[:n], times[n:]
    es = empty(buffers, "es", span.shape, dt) if b.any_started else se
    lo_start = np.maximum(b.lo_start, np.iinfo(dt).min).astype(dt)[:, None]  # NEG: none
    pins = bool((b.pin_start != NEG).any() or (b.pin_finish != NEG).any())
    fnet = bool((b.lo_finish != NEG).any())
    started = b.state == STARTED
    positive = b.span > 0
    scratch = scratch_for(lay, span, buffers)
    for k, side in enumerate(lay.forward.special):
        a, z = lay.cuts[k], lay.cuts[k + 1]
        sp = span[a:z]
        bound = es[a:z]  # the level's early starts, computed in place
        main_bounds(bound, lay, k, times, lo_start[a:z], scratch, True)
        if fnet:
            np.maximum(bound, finish_to_start(b.lo_finish[a:z][:, None], sp), out=bound)
        got = other_bounds(lay, k, times, scratch, True, z - a)
        if got is not None:
            acc, c = got
            merge(bound, c, finish_to_start(acc, sp if c is None else span[c.rows]), True)
        if side is not None:
            cand = _candidates(plan, side, se, ef, span, True)
            own_finish = ~side.own_start
            if own_finish.any():
                cand[own_finish] = finish_to_start(cand[own_finish], span[side.own_at[own_finish]])
            red = np.maximum.reduceat(cand, side.groups, axis=0)
            bound[side.pos] = np.maximum(bound[side.pos], red)
        # A task starts at 08:00, never at 17:00 (a milestone may sit at either).
        if positive[a:z].all():
            np.add(bound, 1, out=bound)
            np.bitwise_and(bound, -2, out=bound)  # b + (b & 1)
        else:
            bound += (bound & 1) * (sp > 0)
        if pins:
            ps, pf = b.pin_start[a:z][:, None], b.pin_finish[a:z][:, None]
            bound[...] = np.where(ps != NEG, ps, bound)
            bound[...] = np.where(pf != NEG, pf - sp, bound)
        np.add(bound, sp, out=ef[a:z])
        if b.any_started:
            se[a:z] = np.where(started[a:z][:, None], b.act_start[a:z][:, None], bound)
    return es, ef, se


def project_finish(plan: Plan, ef: IntArray, origin: int = 0) -> tuple[IntArray, IntArray]:
    """Latest finish as a bound on each row's calendar (one row ``(1, K)`` when all tasks share
    a calendar, else ``(rows, K)``) and as a day number per column. ``origin`` is what the
    times were shifted by (``_frame``); the bound stays shifted, the day does not."""
    if len(plan.cals) == 1:
        top = ef.max(axis=0)
        return top[None, :], plan.cals[0].days_of((top.astype(np.int64) + origin) // 2)
    if origin:
        raise ValueError("shifted times need a single calendar")
    lay = plan.layout
    key = np.full(ef.shape[1], np.iinfo(np.int64).min, np.int64)
    for c, cal in enumerate(plan.cals):
        rows = lay.cal == c
        if rows.any():
            t = ef[rows].max(axis=0).astype(np.int64)
            key = np.maximum(key, cal.days_of(t // 2) * 2 + (t & 1))
    day, phase = key // 2, key & 1
    per_cal = np.empty((len(plan.cals), ef.shape[1]), np.int64)
    for c, cal in enumerate(plan.cals):
        k = 2 * cal.count_before(day)
        per_cal[c] = np.where(cal.is_working(day), k + phase, k - 1)
    return per_cal[lay.cal], day


def backward(
    plan: Plan,
    span: IntArray,
    es: IntArray,
    ef: IntArray,
    pf: IntArray,
    buffers: Buffers | None = None,
) -> tuple[IntArray, IntArray]:
    """Late start and finish times (row order), given the early ones and the project finish."""
    lay = plan.layout
    b = lay.bounds
    n, _ = span.shape
    dt = span.dtype
    times = empty(buffers, "late", (2 * n, span.shape[1]), dt)  # stacked (starts; finishes)
    ls, lf = times[:n], times[n:]
    hi_finish = np.minimum(b.hi_finish, np.iinfo(dt).max).astype(dt)  # POS fits no int16
    hif = bool((b.hi_finish < POS).any())
    his = bool((b.hi_start < POS).any())
    done = bool((b.state == DONE).any())
    positive = b.span > 0
    scratch = scratch_for(lay, span, buffers)
    for k in range(len(lay.cuts) - 2, -1, -1):
        a, z = lay.cuts[k], lay.cuts[k + 1]
        sp = span[a:z]
        bound = lf[a:z]  # the level's late finishes, computed in place
        main_bounds(bound, lay, k, times, pf if pf.shape[0] == 1 else pf[a:z], scratch, False)
        if hif:
            np.minimum(bound, hi_finish[a:z][:, None], out=bound)
        if his:
            np.minimum(bound, start_to_finish(b.hi_start[a:z][:, None], sp), out=bound)
        got = other_bounds(lay, k, times, scratch, False, z - a)
        if got is not None:
            acc, c = got
            merge(bound, c, start_to_finish(acc, sp if c is None else span[c.rows]), False)
        side = lay.backward.special[k]
        if side is not None:
            cand = _candidates(plan, side, ls, lf, span, False)
            if side.own_start.any():
                own = side.own_start
                cand[own] = start_to_finish(cand[own], span[side.own_at[own]])
            red = np.minimum.reduceat(cand, side.groups, axis=0)
            bound[side.pos] = np.minimum(bound[side.pos], red)
        # A task finishes at 17:00, never at 08:00.
        all_positive = bool(positive[a:z].all())
        if all_positive:
            np.subtract(bound, 1, out=bound)
            np.bitwise_or(bound, 1, out=bound)  # b - 1 + (b & 1)
        else:
            bound -= (1 - (bound & 1)) * (sp > 0)
        # 08:00 of day k + 1 is the same working moment as 17:00 of day k. Like Microsoft
        # Project, show a milestone's late date at the earlier evening, or (the engine's
        # rules) at its early time when it has no float. Both moves keep the working time,
        # so floats are unchanged.
        if not all_positive:
            mile = sp == 0
            if mile.any():
                early = es[a:z]
                same = mile & ((bound + 1) // 2 == (early + 1) // 2) & ~plan.project_rules
                bound[...] = np.where(same, early, bound - (mile & ~same & ((bound & 1) == 0)))
        if done:
            bound[...] = np.where((b.state[a:z] == DONE)[:, None], ef[a:z], bound)
        np.subtract(bound, sp, out=ls[a:z])
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
    sp = np.flatnonzero(special)
    side = Side(edges, own, other, own, other, other_start, own_start, lag2, sp, own, own)
    if fwd:
        cand = _candidates(plan, side, p.se, p.ef, span, True)
        return np.where(own_start[:, None], cand, finish_to_start(cand, span[own]))
    cand = _candidates(plan, side, p.ls, p.lf, span, False)
    return np.where(own_start[:, None], start_to_finish(cand, span[own]), cand)
