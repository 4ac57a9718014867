"""The passes' row layout and, per topological level, the edges each pass reads.

The passes hold times as ``(rows, K)`` arrays whose rows are the tasks sorted by topological
level, so a level is a contiguous block of rows: a pass reads a level's spans and writes its
times through slices (views), never gathering or scattering the level's own rows. Within a
level, tasks bounded at their start by the most plain forward edges come first (the order
Monte Carlo's slotted reduction wants, ``_slots``). Edges are stored as row numbers, grouped
per level by the end of the node they bound, so ``schedule()`` folds each group in with one
``ufunc.at``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ._calendar import IntArray
from ._tasks import TaskBounds

__all__ = ["FF", "FS", "SF", "SS", "Edges", "Layout", "PassEdges", "Side", "build_layout"]

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
class PassEdges:
    """One pass's plain edges, grouped: group ``2 * k + c`` holds level ``k``'s edges that bound
    the start (``c = 0``) or the finish (``c = 1``) of the node they point into, as entries
    ``at[g] : at[g + 1]`` of the arrays; and per level the edges needing a conversion."""

    src: IntArray  # row of the stacked (starts; finishes) times each edge reads
    pos: IntArray  # position within its level of the node each edge bounds
    lag2: IntArray  # 2 * working-day lag
    at: tuple[int, ...]  # group boundaries
    lagged: tuple[bool, ...]  # per group: some lag is not zero
    special: tuple[Side | None, ...]  # per level

    def group(self, g: int) -> tuple[IntArray, IntArray, IntArray | None] | None:
        """(src, pos, lag2 or None when all zero) of group ``g``, None when it is empty."""
        lo, hi = self.at[g], self.at[g + 1]
        if lo == hi:
            return None
        return self.src[lo:hi], self.pos[lo:hi], self.lag2[lo:hi] if self.lagged[g] else None


@dataclass(frozen=True, slots=True)
class Layout:
    """Rows in level order, the plan's bounds in that order, and both passes' edges.

    ``slots`` is set only on the copy Monte Carlo makes (``_slots.slotted``): per pass and
    level, the edges arranged for in-place reduction over many iterations.
    """

    order: IntArray  # task of each row
    row: IntArray  # row of each task
    cuts: tuple[int, ...]  # level k is rows cuts[k] : cuts[k + 1]
    bounds: TaskBounds  # the plan's bounds, in row order
    cal: IntArray  # calendar of each row
    forward: PassEdges
    backward: PassEdges
    slots: Any = None  # _slots.Slotted, when made


def build_layout(
    level: IntArray, e: Edges, fwd: BoolArray, bwd: BoolArray, bounds: TaskBounds, cal: IntArray
) -> Layout:
    """Order the rows and group both passes' edges (``fwd``/``bwd``: edges each pass uses)."""
    n = level.size
    order, cuts, at = _order(level, e, fwd)
    row = np.empty(n, np.int64)
    row[order] = np.arange(n)
    forward = _pass_edges(cuts, level, at, row, e, fwd, forward=True)
    backward = _pass_edges(cuts, level, at, row, e, bwd, forward=False)
    return Layout(order, row, cuts, _permuted(bounds, order), cal[order], forward, backward)


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


def _pass_edges(
    cuts: tuple[int, ...],
    level: IntArray,
    at: IntArray,
    row: IntArray,
    e: Edges,
    mask: BoolArray,
    *,
    forward: bool,
) -> PassEdges:
    """The pass's plain edges grouped by (level, end bounded), in edge order within a group."""
    n, n_levels = level.size, len(cuts) - 1
    ids = np.flatnonzero(mask & ~e.special)
    own, other, other_start, own_start = _roles(e, ids, forward)
    group = level[own] * 2 + ~own_start
    order = np.argsort(group, kind="stable")
    ids, own, other, other_start = ids[order], own[order], other[order], other_start[order]
    bounds = np.searchsorted(group[order], np.arange(2 * n_levels + 1))
    lag2 = 2 * e.lag[ids]
    has_lag = np.concatenate(([0], np.cumsum(lag2 != 0)))[bounds]
    special = _sides(n_levels, level, at, row, e, mask & e.special, forward=forward)
    return PassEdges(
        row[other] + n * ~other_start, at[own], lag2, tuple(bounds.tolist()),
        tuple((np.diff(has_lag) > 0).tolist()), special,
    )  # fmt: skip


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
