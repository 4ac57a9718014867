"""How the passes fold a level's plain edges into its bounds.

A level's plain edges come in two chains: the main one bounds the end the pass computes
(forward: starts, backward: finishes), the other one the opposite end (converted by the
caller). With one iteration (``schedule()``) each chain is one gather and one ``ufunc.at``
over the layout's grouped edges. Over a chunk of iterations (Monte Carlo) the slotted
arrangement of ``_slots`` is used instead: per slot one row gather and one in-place
``maximum``/``minimum``, with the forward main chain reduced straight into the level's rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._calendar import IntArray
from ._layout import Layout
from ._slots import Chain
from ._tasks import NEG, POS

__all__ = ["Buffers", "empty", "main_bounds", "merge", "other_bounds", "scratch_for"]


class Buffers:
    """Work arrays kept from one chunk to the next (one set per thread): a fresh multi-MB
    array per chunk and pass would have its pages faulted in again every time."""

    def __init__(self) -> None:
        self._arrays: dict[str, IntArray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: np.dtype[Any]) -> IntArray:
        """An uninitialised array of that shape and type, the same one as last time if it fits."""
        found = self._arrays.get(name)
        if found is None or found.shape != shape or found.dtype != dtype:
            found = self._arrays[name] = np.empty(shape, dtype)
        return found


def empty(
    buffers: Buffers | None, name: str, shape: tuple[int, ...], dtype: np.dtype[Any]
) -> IntArray:
    """``np.empty``, or the named buffer when there are buffers."""
    return np.empty(shape, dtype) if buffers is None else buffers.get(name, shape, dtype)


def scratch_for(layout: Layout, span: IntArray, buffers: Buffers | None = None) -> IntArray | None:
    """A gather buffer as tall as the largest level (slotted passes only)."""
    if layout.slots is None:
        return None
    cuts = np.asarray(layout.cuts)
    shape = (int(np.diff(cuts).max(initial=0)), span.shape[1])
    return empty(buffers, "scratch", shape, span.dtype)


def main_bounds(
    bound: IntArray,
    layout: Layout,
    k: int,
    times: IntArray,
    base: IntArray,
    scratch: IntArray | None,
    fwd: bool,
) -> None:
    """Fill level ``k``'s ``bound`` from ``base`` (forward: the earliest starts, one per row;
    backward: the project finish, one row or one per row) and the level's main chain."""
    if layout.slots is None:
        bound[...] = base
        group = (layout.forward if fwd else layout.backward).group(2 * k + (0 if fwd else 1))
        if group is not None:
            _fold_at(bound, group, times, fwd)
        return
    assert scratch is not None
    sweep = (layout.slots.forward if fwd else layout.slots.backward)[k]
    c = sweep.start if fwd else sweep.finish
    if c is None:
        bound[...] = base
        return
    op = np.maximum if fwd else np.minimum
    m = c.pos.size
    per_row = base.shape[0] > 1
    if c.prefix:
        _reduce(c, times, fwd, scratch, bound[:m])
        bound[m:] = base[m:] if per_row else base
        if not sweep.floor:
            op(bound[:m], base[:m] if per_row else base, out=bound[:m])
        return
    acc = _reduce(c, times, fwd, scratch)
    if not sweep.floor:
        op(acc, base[c.pos] if per_row else base, out=acc)
    if m < bound.shape[0]:  # rows without such an edge keep the base bound
        bound[...] = base
    bound[c.pos] = acc


def other_bounds(
    layout: Layout, k: int, times: IntArray, scratch: IntArray | None, fwd: bool, size: int
) -> tuple[IntArray, Chain | None] | None:
    """Level ``k``'s other chain folded per node: forward, the max of the finish bounds;
    backward, the min of the start bounds. Returns the values and the slotted chain they
    belong to, or (with ``schedule()``'s grouped edges) values for every row of the level,
    rows without such an edge holding a value no bound can lose to, and None."""
    if layout.slots is None:
        group = (layout.forward if fwd else layout.backward).group(2 * k + (1 if fwd else 0))
        if group is None:
            return None
        if times.dtype.itemsize < 4:
            raise ValueError("grouped edges need times of 32 bits or more")
        acc = np.full((size, times.shape[1]), NEG if fwd else POS, times.dtype)
        _fold_at(acc, group, times, fwd)
        return acc, None
    assert scratch is not None
    sweep = (layout.slots.forward if fwd else layout.slots.backward)[k]
    c = sweep.finish if fwd else sweep.start
    return None if c is None else (_reduce(c, times, fwd, scratch), c)


def merge(bound: IntArray, chain: Chain | None, cand: IntArray, fwd: bool) -> None:
    """Fold ``cand`` (from ``other_bounds``, converted) into the level's ``bound``."""
    op = np.maximum if fwd else np.minimum
    if chain is None:
        op(bound, cand, out=bound)
    elif chain.prefix:
        head = bound[: chain.pos.size]
        op(head, cand, out=head)
    else:
        bound[chain.pos] = op(bound[chain.pos], cand)


def _fold_at(
    target: IntArray, group: tuple[IntArray, IntArray, IntArray | None], times: IntArray, fwd: bool
) -> None:
    src, pos, lag = group
    cand = times.take(src, axis=0)
    if lag is not None:
        cand += (lag if fwd else -lag).astype(cand.dtype)[:, None]
    op = np.maximum if fwd else np.minimum
    if target.shape[1] == 1:  # 1-D views take numpy's fast path
        op.at(target[:, 0], pos, cand[:, 0])
    else:
        op.at(target, pos, cand)


def _reduce(
    chain: Chain, times: IntArray, fwd: bool, scratch: IntArray, out: IntArray | None = None
) -> IntArray:
    """Max (forward) or min (backward) of a chain's edge bounds per node, slot by slot in place,
    into ``out`` (the chain's nodes' rows, in order) or a new array.

    ``times`` stacks starts over finishes, so each slot is one row gather whatever mix of
    link types it holds. Gathers go through ``scratch`` (a gather into rows of ``times``
    itself would make numpy copy the whole source first).
    """
    op = np.maximum if fwd else np.minimum
    acc = out
    for j, (src, lag) in enumerate(zip(chain.src, chain.lag2, strict=True)):
        if j == 0 and out is None:
            other = acc = times.take(src, axis=0)
        else:
            other = scratch[: src.size]
            np.take(times, src, axis=0, out=other, mode="clip")
        if lag is not None:
            other += (lag if fwd else -lag).astype(other.dtype)[:, None]
        if j == 0:
            if out is not None:
                out[...] = other
            continue
        assert acc is not None
        head = acc[: src.size]
        op(head, other, out=head)
    assert acc is not None
    return acc
