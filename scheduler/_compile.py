"""Compile a validated Network into flat integer arrays the passes run on.

Summary tasks are not scheduled: links to or from a summary become links to or from each of its
leaf descendants. Progress is folded in here too: edges into completed tasks, and start-to-start
edges into started tasks, no longer constrain anything (retained logic for the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter

import numpy as np

from ._calendar import IntArray, WorkCalendar
from ._graph import levels_of
from ._model import Calendar, Dependency, LagUnit, LinkType, Task, TaskKind
from ._network import Network
from ._tasks import TaskBounds, task_bounds
from ._validate import LinkArrays

__all__ = [
    "FF", "FS", "NEG", "POS", "SF", "SS", "Chain", "Plan", "Side", "Sweep", "compile_network",
]  # fmt: skip

NEG = -(2**30)
POS = 2**30
FS, SS, FF, SF = 0, 1, 2, 3
_TYPE = {LinkType.FS: FS, LinkType.SS: SS, LinkType.FF: FF, LinkType.SF: SF}
BoolArray = np.ndarray
_PRED = attrgetter("predecessor")
_SUCC = attrgetter("successor")


@dataclass(frozen=True, slots=True)
class Side:
    """The edges one level of one pass reads, grouped by the node whose bound they set."""

    edge: IntArray  # expanded edge ids
    own: IntArray  # node being computed
    other: IntArray  # node already final
    other_start: BoolArray  # read the other node's start (else its finish)
    own_start: BoolArray  # bound the own node's start (else its finish)
    lag2: IntArray  # 2 * working-day lag; elapsed lags are applied in the conversion
    special: IntArray  # positions needing a calendar conversion
    groups: IntArray  # reduceat starts
    pos: IntArray  # position within the level's nodes of each group's node


@dataclass(frozen=True, slots=True)
class Chain:
    """The plain edges of one level of one pass that bound the same end (start or finish) of
    the node they point into, arranged in slots for in-place reduction.

    Slot ``j`` holds the ``j``-th such edge of every node that has more than ``j`` of them;
    nodes are ordered by decreasing edge count, so slot ``j`` covers a prefix of ``node``.
    Edges read rows of the stacked ``(starts; finishes)`` time array: ``src < n`` is the
    other node's start, ``src >= n`` its finish.
    """

    pos: IntArray  # position within the level's nodes of each bounded node
    node: IntArray  # the bounded nodes
    prefix: bool  # pos == 0, 1, 2, ...: the chain's nodes lead the level, in order
    src: tuple[IntArray, ...]  # per slot, rows of the stacked times to read
    lag2: tuple[IntArray | None, ...]  # per slot, 2 * working-day lag, None when all zero


@dataclass(frozen=True, slots=True)
class Sweep:
    """What one level of one pass reads: plain edges by the end they bound, and the edges
    needing a calendar conversion (elapsed lags, links across calendars)."""

    start: Chain | None
    finish: Chain | None
    special: Side | None


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
    levels: tuple[IntArray, ...]  # forward order within each level
    back_levels: tuple[IntArray, ...]  # the same levels, in the backward pass's order
    forward: tuple[Sweep, ...]
    backward: tuple[Sweep, ...]
    summary_leaves: dict[str, IntArray]


def compile_network(network: Network) -> Plan:
    """Turn ``network`` into a ``Plan``; raises ``CyclicDependencyError`` on a cycle."""
    leaves = tuple(t for t in network.tasks if t.kind is not TaskKind.SUMMARY)
    ids = tuple(t.id for t in leaves)
    index = {tid: i for i, tid in enumerate(ids)}
    summary_leaves = _summary_leaves(network.tasks, index)
    cals, cal = _calendars(network, leaves)
    deps = network.dependencies
    known: LinkArrays | None = getattr(network, "_link_arrays", None)
    if known is not None and not summary_leaves:  # leaves are all tasks, in order
        pred, succ, link = known.pred, known.succ, np.arange(len(deps), dtype=np.int64)
        e_type, e_lag = known.kind, known.lag
    else:
        pred, succ, link = _expand(deps, index, summary_leaves)
        e_type = np.fromiter(
            map(_TYPE.__getitem__, map(attrgetter("type"), deps)), np.int64, len(deps)
        )[link]
        e_lag = np.fromiter(map(attrgetter("lag"), deps), np.int64, len(deps))[link]
    elapsed = map(LagUnit.ELAPSED_DAYS.__eq__, map(attrgetter("lag_unit"), deps))
    e_elapsed = np.fromiter(elapsed, bool, len(deps))[link]
    bounds = task_bounds(network, leaves, cals, cal, summary_leaves)
    level = levels_of(len(ids), pred, succ, ids)
    state = bounds.state
    fwd = (state[succ] != 2) & ~((e_type == SS) & (state[succ] == 1))
    bwd = fwd & (state[pred] == 0) | fwd & (state[pred] == 1) & ((e_type == FS) | (e_type == FF))
    special = (cal[pred] != cal[succ]) | e_elapsed
    edges = _Edges(pred, succ, e_type, e_lag, e_elapsed, special)
    levels, at = _levels(level, edges, fwd, forward=True)
    back_levels, back_at = _levels(level, edges, bwd, forward=False)
    forward = _sweeps(levels, level, at, edges, fwd, forward=True)
    backward = _sweeps(back_levels, level, back_at, edges, bwd, forward=False)
    return Plan(
        network, ids, index, leaves, cals, cal, bounds, pred, succ, e_type, e_lag,
        e_elapsed, link, fwd, bwd, levels, back_levels, forward, backward, summary_leaves,
    )  # fmt: skip


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
    if all(t.calendar is None for t in leaves):
        return cals, np.zeros(len(leaves), np.int64)
    cal = [0 if t.calendar is None else position[t.calendar] for t in leaves]
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


@dataclass(frozen=True, slots=True)
class _Edges:
    pred: IntArray
    succ: IntArray
    type: IntArray
    lag: IntArray
    elapsed: BoolArray
    special: BoolArray


def _roles(
    e: _Edges, ids: IntArray, forward: bool
) -> tuple[IntArray, IntArray, BoolArray, BoolArray]:
    """Own node, other node, "reads the other's start", "bounds the own start" per edge."""
    t = e.type[ids]
    if forward:
        own, other = e.succ[ids], e.pred[ids]
        return own, other, (t == SS) | (t == SF), (t == FS) | (t == SS)
    return e.pred[ids], e.succ[ids], (t == FS) | (t == SS), (t == SS) | (t == SF)


def _levels(
    level: IntArray, e: _Edges, mask: BoolArray, *, forward: bool
) -> tuple[tuple[IntArray, ...], IntArray]:
    """Nodes of each topological level, and each node's position within its level.

    Within a level, the nodes that the pass's most common plain edges bound (forward: at their
    start, backward: at their finish) come first, by decreasing number of such edges, so the
    pass reduces them in place (a prefix of the level).
    """
    n = level.size
    ids = np.flatnonzero(mask & ~e.special)
    own, _, _, own_start = _roles(e, ids, forward)
    deg = np.bincount(own[own_start if forward else ~own_start], minlength=n)
    order = np.lexsort((np.arange(n), -deg, deg == 0, level))
    cuts = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    at = np.empty(n, np.int64)
    at[order] = np.arange(n) - np.repeat(cuts[:-1], np.diff(cuts))
    return tuple(order[cuts[k] : cuts[k + 1]] for k in range(len(cuts) - 1)), at


def _sweeps(
    levels: tuple[IntArray, ...],
    level: IntArray,
    at: IntArray,
    e: _Edges,
    mask: BoolArray,
    *,
    forward: bool,
) -> tuple[Sweep, ...]:
    """Per level, the pass's plain edges as slotted chains and its special edges as a Side."""
    n, n_levels = level.size, len(levels)
    ids = np.flatnonzero(mask & ~e.special)
    own, other, other_start, own_start = _roles(e, ids, forward)
    src = other + n * ~other_start
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
    special = _sides(levels, level, at, e, mask & e.special, forward=forward)
    # Boundaries of every (level, chain, slot) run, and per run: has a lag; per chain (its
    # slot-0 run): whether its nodes are the level's first ones in order.
    found: dict[int, list[tuple[int, int, bool, bool]]] = {}
    if ids.size:
        key = (lv * 2 + chain) * (int(slot.max()) + 1) + slot
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        ends = np.append(starts[1:], key.size)
        lagged = np.logical_or.reduceat(lag2 != 0, starts)
        rank = np.arange(key.size) - np.repeat(starts, ends - starts)
        in_order = np.logical_and.reduceat(at[own] == rank, starts)
        runs = zip(
            (lv[starts] * 2 + chain[starts]).tolist(), starts.tolist(), ends.tolist(),
            lagged.tolist(), in_order.tolist(), strict=True,
        )  # fmt: skip
        for group, lo, hi, lag_any, ordered in runs:
            found.setdefault(group, []).append((lo, hi, lag_any, ordered))
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
            chains.append(Chain(at[node], node, ordered, srcs, lags))
        out.append(Sweep(chains[0], chains[1], special[k]))
    return tuple(out)


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
    levels: tuple[IntArray, ...],
    level: IntArray,
    at: IntArray,
    e: _Edges,
    mask: BoolArray,
    *,
    forward: bool,
) -> tuple[Side | None, ...]:
    """Per level, the pass's edges sorted by the node they bound (for ``reduceat``)."""
    ids = np.flatnonzero(mask)
    if ids.size == 0:
        return (None,) * len(levels)
    own = (e.succ if forward else e.pred)[ids]
    ids = ids[np.lexsort((own, level[own]))]
    own, other, other_start, own_start = _roles(e, ids, forward)
    cuts = np.searchsorted(level[own], np.arange(len(levels) + 1))
    out: list[Side | None] = []
    for k in range(len(levels)):
        a, b = int(cuts[k]), int(cuts[k + 1])
        if a == b:
            out.append(None)
            continue
        o = own[a:b]
        groups = np.flatnonzero(np.concatenate(([True], o[1:] != o[:-1])))
        sl = ids[a:b]
        lag2 = np.where(e.elapsed[sl], 0, 2 * e.lag[sl])
        out.append(
            Side(sl, o, other[a:b], other_start[a:b], own_start[a:b], lag2,
                 np.flatnonzero(e.special[sl]), groups, at[o[groups]])
        )  # fmt: skip
    return tuple(out)
