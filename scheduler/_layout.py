"""The passes' row layout and, per topological level, the edges each pass reads.

The passes hold times as ``(rows, K)`` arrays whose rows are the tasks sorted by topological
level, so a level is a contiguous block of rows: a pass reads a level's spans and writes its
times through slices (views), never gathering or scattering the level's own rows. Within a
level, tasks bounded at their start by the most plain forward edges come first, so the forward
pass reduces those edges straight into the level's rows. Edges are stored as row numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ._calendar import IntArray
from ._tasks import NEG, NOT_STARTED, TaskBounds

__all__ = ["FF", "FS", "SF", "SS", "Chain", "Edges", "Layout", "Side", "Sweep", "build_layout"]

FS, SS, FF, SF = 0, 1, 2, 3
BoolArray = np.ndarray


@dataclass(frozen=True, slots=True)
class Edges:
    """Expanded edges over leaf task numbers."""

    pred: IntArray
    succ: IntArray
    type: IntArray
    lag: IntArray
    elapsed: BoolArray
    special: BoolArray  # needs a calendar conversion (elapsed lag or calendars differ)


@dataclass(frozen=True, slots=True)
class Side:
    """The edges one level of one pass reads, grouped by the node whose bound they set.

    ``own``/``other`` are task numbers (for calendars and plan data); ``own_at``/``other_at``
    index the time and span arrays the pass is given (rows in a pass, tasks in ``edge_bounds``).
    """

    edge: IntArray  # expanded edge ids
    own: IntArray  # node being computed
    other: IntArray  # node already final
    own_at: IntArray
    other_at: IntArray
    other_start: BoolArray  # read the other node's start (else its finish)
    own_start: BoolArray  # bound the own node's start (else its finish)
    lag2: IntArray  # 2 * working-day lag; elapsed lags are applied in the conversion
    special: IntArray  # positions needing a calendar conversion
    groups: IntArray  # reduceat starts
    pos: IntArray  # position within the level of each group's node


@dataclass(frozen=True, slots=True)
class Chain:
    """The plain edges of one level of one pass that bound the same end (start or finish) of
    the node they point into, arranged in slots for in-place reduction.

    Slot ``j`` holds the ``j``-th such edge of every node that has more than ``j`` of them;
    nodes are ordered by decreasing edge count, so slot ``j`` covers a prefix of ``rows``.
    Edges read rows of the stacked ``(starts; finishes)`` time array: ``src < n`` is the
    other node's start, ``src >= n`` its finish.
    """

    pos: IntArray  # position within the level of each bounded node
    rows: IntArray  # the bounded nodes' rows
    prefix: bool  # pos == 0, 1, 2, ...: the chain's nodes lead the level, in order
    src: tuple[IntArray, ...]  # per slot, rows of the stacked times to read
    lag2: tuple[IntArray | None, ...]  # per slot, 2 * working-day lag, None when all zero


@dataclass(frozen=True, slots=True)
class Sweep:
    """What one level of one pass reads: plain edges by the end they bound, and the edges
    needing a calendar conversion (elapsed lags, links across calendars).

    ``floor``: the main chain alone (forward: start bounds, backward: finish bounds) keeps its
    nodes on the right side of the level's base bound (forward: the earliest start,
    backward: the project finish), so the pass skips that bound on those rows.
    """

    start: Chain | None
    finish: Chain | None
    special: Side | None
    floor: bool


@dataclass(frozen=True, slots=True)
class Layout:
    """Rows in level order, the plan's bounds in that order, and both passes' sweeps."""

    order: IntArray  # task of each row
    row: IntArray  # row of each task
    cuts: tuple[int, ...]  # level k is rows cuts[k] : cuts[k + 1]
    bounds: TaskBounds  # the plan's bounds, in row order
    cal: IntArray  # calendar of each row
    forward: tuple[Sweep, ...]
    backward: tuple[Sweep, ...]


def build_layout(
    level: IntArray, e: Edges, fwd: BoolArray, bwd: BoolArray, bounds: TaskBounds, cal: IntArray
) -> Layout:
    """Order the rows and build both passes' sweeps (``fwd``/``bwd``: edges each pass uses)."""
    n = level.size
    order, cuts, at = _order(level, e, fwd)
    row = np.empty(n, np.int64)
    row[order] = np.arange(n)
    rb = _permuted(bounds, order)
    # Floors can be skipped only where every time is comparable and bounded by the logic
    # alone: one calendar, no pinned dates and no progress (see Sweep).
    simple = bool(
        (cal == cal[:1]).all()
        and (bounds.pin_start == NEG).all()
        and (bounds.pin_finish == NEG).all()
        and (bounds.state == NOT_STARTED).all()
    )
    early_floor = rb.lo_start == rb.lo_start.min() if simple and n else np.zeros(n, bool)
    late_floor = simple and bool((bounds.span > 0).all())
    forward = _sweeps(cuts, level, at, row, e, fwd, early_floor, forward=True)
    backward = _sweeps(cuts, level, at, row, e, bwd, np.full(n, late_floor), forward=False)
    return Layout(order, row, cuts, rb, cal[order], forward, backward)


def _permuted(bounds: TaskBounds, order: IntArray) -> TaskBounds:
    """The same bounds with every per-task array in row order."""
    moved: dict[str, Any] = {}
    for f in fields(TaskBounds):
        value = getattr(bounds, f.name)
        moved[f.name] = value[order] if isinstance(value, np.ndarray) else value
    return TaskBounds(**moved)


def _roles(
    e: Edges, ids: IntArray, forward: bool
) -> tuple[IntArray, IntArray, BoolArray, BoolArray]:
    """Own node, other node, "reads the other's start", "bounds the own start" per edge."""
    t = e.type[ids]
    if forward:
        own, other = e.succ[ids], e.pred[ids]
        return own, other, (t == SS) | (t == SF), (t == FS) | (t == SS)
    return e.pred[ids], e.succ[ids], (t == FS) | (t == SS), (t == SS) | (t == SF)


def _order(
    level: IntArray, e: Edges, mask: BoolArray
) -> tuple[IntArray, tuple[int, ...], IntArray]:
    """Tasks in row order, level boundaries, and each task's position within its level.

    Within a level, tasks bounded at their start by plain forward edges come first, by
    decreasing number of such edges, so the forward pass reduces them in place.
    """
    n = level.size
    ids = np.flatnonzero(mask & ~e.special)
    own, _, _, own_start = _roles(e, ids, True)
    deg = np.bincount(own[own_start], minlength=n)
    order = np.lexsort((np.arange(n), -deg, deg == 0, level))
    cuts = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    at = np.empty(n, np.int64)
    at[order] = np.arange(n) - np.repeat(cuts[:-1], np.diff(cuts))
    return order, tuple(cuts.tolist()), at


def _sweeps(
    cuts: tuple[int, ...],
    level: IntArray,
    at: IntArray,
    row: IntArray,
    e: Edges,
    mask: BoolArray,
    floor_ok: BoolArray,
    *,
    forward: bool,
) -> tuple[Sweep, ...]:
    """Per level, the pass's plain edges as slotted chains and its special edges as a Side."""
    n, n_levels = level.size, len(cuts) - 1
    ids = np.flatnonzero(mask & ~e.special)
    own, other, other_start, own_start = _roles(e, ids, forward)
    src = row[other] + n * ~other_start
    chain = (~own_start).astype(np.int64)  # 0: bounds the own start, 1: the own finish
    lv = level[own]
    group = own * 2 + chain
    deg = np.bincount(group, minlength=2 * n)[group]
    order = _stable_order((lv * 2 + chain, int(deg.max(initial=0)) - deg, at[own]))
    g = group[order]
    first = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    slot = np.empty(ids.size, np.int64)
    slot[order] = np.arange(g.size) - np.repeat(first, np.diff(np.append(first, g.size)))
    order = order[_stable_order((lv[order] * 2 + chain[order], slot[order]))]  # keeps -deg
    src, lag2, own, slot = src[order], 2 * e.lag[ids][order], own[order], slot[order]
    lv, chain = lv[order], chain[order]
    special = _sides(n_levels, level, at, row, e, mask & e.special, forward=forward)
    found = _runs(lv, chain, slot, lag2, at[own])
    main = 0 if forward else 1  # the chain bounding the end the pass computes first
    out: list[Sweep] = []
    for k in range(n_levels):
        chains: list[Chain | None] = []
        for c in (0, 1):
            slots = found.get(2 * k + c)
            if slots is None:
                chains.append(None)
                continue
            lo0, hi0, _, ordered = slots[0]
            node = own[lo0:hi0]
            srcs = tuple(src[lo:hi] for lo, hi, _, _ in slots)
            lags = tuple(lag2[lo:hi] if any_ else None for lo, hi, any_, _ in slots)
            chains.append(Chain(at[node], row[node], ordered, srcs, lags))
        m = chains[main]
        floor = m is not None and bool(floor_ok[m.rows].all())
        floor = floor and all(lag is None or bool((lag >= 0).all()) for lag in m.lag2)  # type: ignore[union-attr]
        out.append(Sweep(chains[0], chains[1], special[k], floor))
    return tuple(out)


def _runs(
    lv: IntArray, chain: IntArray, slot: IntArray, lag2: IntArray, at_own: IntArray
) -> dict[int, list[tuple[int, int, bool, bool]]]:
    """Boundaries of every (level, chain, slot) run of the sorted edges, keyed by level * 2 +
    chain: (start, end, has a lag, the run's nodes lead the level in order)."""
    found: dict[int, list[tuple[int, int, bool, bool]]] = {}
    if not lv.size:
        return found
    key = (lv * 2 + chain) * (int(slot.max()) + 1) + slot
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    ends = np.append(starts[1:], key.size)
    lagged = np.logical_or.reduceat(lag2 != 0, starts)
    rank = np.arange(key.size) - np.repeat(starts, ends - starts)
    in_order = np.logical_and.reduceat(at_own == rank, starts)
    runs = zip(
        (lv[starts] * 2 + chain[starts]).tolist(), starts.tolist(), ends.tolist(),
        lagged.tolist(), in_order.tolist(), strict=True,
    )  # fmt: skip
    for group, lo, hi, lag_any, ordered in runs:
        found.setdefault(group, []).append((lo, hi, lag_any, ordered))
    return found


def _stable_order(keys: tuple[IntArray, ...]) -> IntArray:
    """Stable ascending order by non-negative ``keys`` (most significant first), through one
    combined integer key when it fits in 62 bits, else ``lexsort``."""
    span = [int(k.max(initial=0)) + 1 for k in keys]
    if sum(x.bit_length() for x in span) > 62:
        return np.lexsort(keys[::-1])
    combined = np.zeros(keys[0].size, np.int64)
    for k, width in zip(keys, span, strict=True):
        combined = combined * width + k
    return np.argsort(combined, kind="stable")


def _sides(
    n_levels: int,
    level: IntArray,
    at: IntArray,
    row: IntArray,
    e: Edges,
    mask: BoolArray,
    *,
    forward: bool,
) -> tuple[Side | None, ...]:
    """Per level, the pass's edges sorted by the node they bound (for ``reduceat``)."""
    ids = np.flatnonzero(mask)
    if ids.size == 0:
        return (None,) * n_levels
    own = (e.succ if forward else e.pred)[ids]
    ids = ids[np.lexsort((own, level[own]))]
    own, other, other_start, own_start = _roles(e, ids, forward)
    cuts = np.searchsorted(level[own], np.arange(n_levels + 1))
    out: list[Side | None] = []
    for k in range(n_levels):
        a, b = int(cuts[k]), int(cuts[k + 1])
        if a == b:
            out.append(None)
            continue
        o = own[a:b]
        groups = np.flatnonzero(np.concatenate(([True], o[1:] != o[:-1])))
        sl = ids[a:b]
        lag2 = np.where(e.elapsed[sl], 0, 2 * e.lag[sl])
        out.append(
            Side(sl, o, other[a:b], row[o], row[other[a:b]], other_start[a:b], own_start[a:b],
                 lag2, np.flatnonzero(e.special[sl]), groups, at[o[groups]])
        )  # fmt: skip
    return tuple(out)
