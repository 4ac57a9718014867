"""Monte Carlo's arrangement of each level's edges: slots, for in-place reduction over many
iterations at once.

``schedule()`` (one iteration) folds a level's edges in with one ``ufunc.at``; over a chunk of
iterations that would touch each ``(row, iteration)`` cell through numpy's slow scatter path,
so Monte Carlo rearranges the same edges into slots: slot ``j`` holds the ``j``-th edge of
every node having more than ``j``, nodes by decreasing edge count, so slot ``j`` covers a
prefix of the chain's nodes and each slot is one row gather plus one in-place
``maximum``/``minimum``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ._calendar import IntArray
from ._layout import Layout, PassEdges
from ._tasks import NEG, NOT_STARTED

__all__ = ["Chain", "Slotted", "Sweep", "slotted"]

BoolArray = np.ndarray


@dataclass(frozen=True, slots=True)
class Chain:
    """The plain edges of one level of one pass that bound the same end (start or finish) of
    the node they point into, in slots: ``src[j]`` (rows of the stacked ``(starts; finishes)``
    times) and ``lag2[j]`` (None when all zero) bound the first ``src[j].size`` nodes."""

    pos: IntArray  # position within the level of each bounded node
    rows: IntArray  # the bounded nodes' rows
    prefix: bool  # pos == 0, 1, 2, ...: the chain's nodes lead the level, in order
    src: tuple[IntArray, ...]
    lag2: tuple[IntArray | None, ...]


@dataclass(frozen=True, slots=True)
class Sweep:
    """One level of one pass: its start and finish chains.

    ``floor``: the main chain alone (forward: start bounds, backward: finish bounds) keeps its
    nodes on the right side of the level's base bound (forward: the earliest start,
    backward: the project finish), so the pass skips that bound on those rows. That holds
    with one calendar, no pinned dates, no progress and no leads on those edges (every time
    is then at least the earliest start); backward, also no milestones (a milestone's late
    finish may sit one unit past the project finish, see ``_passes.backward``).
    """

    start: Chain | None
    finish: Chain | None
    floor: bool


@dataclass(frozen=True, slots=True)
class Slotted:
    forward: tuple[Sweep, ...]
    backward: tuple[Sweep, ...]


def slotted(layout: Layout) -> Layout:
    """``layout`` with its edges also arranged in slots (what Monte Carlo's passes use)."""
    b = layout.bounds
    n = b.lo_start.size
    simple = bool(
        (layout.cal == layout.cal[:1]).all()
        and (b.pin_start == NEG).all()
        and (b.pin_finish == NEG).all()
        and (b.state == NOT_STARTED).all()
    )
    early = b.lo_start == b.lo_start.min() if simple and n else np.zeros(n, bool)
    late = np.full(n, simple and bool((b.span > 0).all()))
    forward = _sweeps(layout, layout.forward, early, main=0)
    backward = _sweeps(layout, layout.backward, late, main=1)
    return dataclasses.replace(layout, slots=Slotted(forward, backward))


def _sweeps(layout: Layout, pe: PassEdges, floor_ok: BoolArray, *, main: int) -> tuple[Sweep, ...]:
    n_levels = len(layout.cuts) - 1
    group = np.repeat(np.arange(2 * n_levels), np.diff(pe.at))
    rows = np.asarray(layout.cuts[:-1], np.int64)[group // 2] + pe.pos
    end = rows * 2 + group % 2  # one node's start or finish
    deg = np.bincount(end, minlength=2 * layout.order.size)[end]
    order = _stable_order((group, int(deg.max(initial=0)) - deg, pe.pos))
    g = end[order]
    first = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    slot = np.empty(g.size, np.int64)
    slot[order] = np.arange(g.size) - np.repeat(first, np.diff(np.append(first, g.size)))
    order = order[_stable_order((group[order], slot[order]))]  # keeps -deg within a slot
    group, slot, rows = group[order], slot[order], rows[order]
    lag2 = pe.lag2[order]
    key = group * (int(slot.max(initial=0)) + 1) + slot
    ok = floor_ok[rows] & (lag2 >= 0)
    chains = _chains(key, group, pe.src[order], lag2, pe.pos[order], rows, ok)
    out: list[Sweep] = []
    for k in range(n_levels):
        start, finish = chains.get(2 * k, (None, False)), chains.get(2 * k + 1, (None, False))
        out.append(Sweep(start[0], finish[0], (start, finish)[main][1]))
    return tuple(out)


def _chains(
    key: IntArray,
    group: IntArray,
    src: IntArray,
    lag2: IntArray,
    pos: IntArray,
    rows: IntArray,
    ok: BoolArray,
) -> dict[int, tuple[Chain, bool]]:
    """Chains of edges sorted by (group = level * 2 + chain, slot), keyed by group, each with
    whether all its edges keep the floor (``ok``). Runs of equal ``key`` are the slots; a
    chain's nodes are those of its slot 0, whose ``pos``/``rows`` are slices of the arrays."""
    found: dict[int, tuple[Chain, bool]] = {}
    if not key.size:
        return found
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    ends = np.append(starts[1:], key.size)
    lagged = np.logical_or.reduceat(lag2 != 0, starts).tolist()
    rank = np.arange(key.size) - np.repeat(starts, ends - starts)
    in_order = np.logical_and.reduceat(pos == rank, starts).tolist()
    run_group = group[starts]
    firsts = np.flatnonzero(np.concatenate(([True], run_group[1:] != run_group[:-1])))
    floors = np.logical_and.reduceat(np.logical_and.reduceat(ok, starts), firsts).tolist()
    bounds = np.append(firsts, starts.size).tolist()
    st, en = starts.tolist(), ends.tolist()
    for g, (r0, r1) in enumerate(pairwise(bounds)):
        lo0, hi0 = st[r0], en[r0]
        srcs = tuple(src[st[r] : en[r]] for r in range(r0, r1))
        lags = tuple(lag2[st[r] : en[r]] if lagged[r] else None for r in range(r0, r1))
        made = Chain(pos[lo0:hi0], rows[lo0:hi0], in_order[r0], srcs, lags)
        found[int(run_group[r0])] = (made, floors[g])
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
