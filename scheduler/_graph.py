"""Graph structure of the expanded network: topological levels (vectorised Kahn) and cycles."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

from ._calendar import IntArray
from ._errors import CyclicDependencyError

__all__ = ["levels_of", "ragged_ranges"]


def ragged_ranges(starts: IntArray, ends: IntArray) -> IntArray:
    """Concatenation of ``range(s, e)`` for each pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(total, dtype=np.int64)


def levels_of(n: int, pred: IntArray, succ: IntArray, ids: Sequence[str]) -> IntArray:
    """Longest-path depth of every node; raises ``CyclicDependencyError`` on a cycle.

    Kahn's algorithm one frontier at a time, so each step is a handful of numpy calls over the
    frontier's out-edges rather than a Python loop over nodes. A node reached by several of
    the frontier's edges is kept once by a scatter (last write wins), not by sorting.
    """
    indeg = np.bincount(succ, minlength=n).astype(np.int64)
    by_pred = np.argsort(pred, kind="stable")
    heads = succ[by_pred]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(pred, minlength=n)))).astype(np.int64)
    level = np.full(n, -1, np.int64)
    owner = np.empty(n, np.int64)
    frontier = np.flatnonzero(indeg == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        targets = heads[ragged_ranges(ptr[frontier], ptr[frontier + 1])]
        np.subtract.at(indeg, targets, 1)
        ready = targets[indeg[targets] == 0]
        place = np.arange(ready.size)
        owner[ready] = place
        frontier = ready[owner[ready] == place]
        depth += 1
    if (level < 0).any():
        raise CyclicDependencyError(_one_cycle(level < 0, pred, succ, ids))
    return level


def _one_cycle(
    stuck: np.ndarray, pred: IntArray, succ: IntArray, ids: Sequence[str]
) -> tuple[str, ...]:
    # Only reached on bad input, so networkx's clarity beats speed here.
    keep = stuck[pred] & stuck[succ]
    graph = nx.DiGraph()
    graph.add_edges_from(zip(pred[keep].tolist(), succ[keep].tolist(), strict=True))
    cycle = nx.find_cycle(graph)
    return tuple(ids[u] for u, _ in cycle)
