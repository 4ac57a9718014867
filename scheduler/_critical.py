"""Critical paths: chains of critical tasks joined by driving links."""

from __future__ import annotations

import numpy as np

from ._calendar import IntArray

__all__ = ["critical_paths"]

_LIMIT = 100


def critical_paths(
    pred: IntArray,
    succ: IntArray,
    critical: np.ndarray,
    finish: IntArray,
    weight: IntArray,
    rank: IntArray,
) -> list[list[int]]:
    """Critical chains, primary first; ``pred``/``succ`` are the driving links.

    The primary path ends at the latest-finishing critical task and, walking back, always takes
    the predecessor with the heaviest chain behind it. Other paths follow in a stable order,
    at most ``_LIMIT`` in all, because a network full of ties can have exponentially many.
    """
    keep = critical[pred] & critical[succ]
    pairs = sorted(set(zip(pred[keep].tolist(), succ[keep].tolist(), strict=True)))
    preds: dict[int, list[int]] = {}
    has_succ: set[int] = set()
    for p, s in pairs:
        preds.setdefault(s, []).append(p)
        has_succ.add(p)
    nodes = np.flatnonzero(critical).tolist()
    if not nodes:
        return []
    best = _heaviest(nodes, preds, rank, weight)
    ends = sorted((v for v in nodes if v not in has_succ), key=lambda v: (-int(finish[v]), v))
    primary = _walk_back(ends[0], preds, best)
    paths = [primary]
    seen = {tuple(primary)}
    for end in ends:
        for path in _all_back(end, preds, _LIMIT - len(paths) + 1):
            if tuple(path) not in seen and len(paths) < _LIMIT:
                seen.add(tuple(path))
                paths.append(path)
        if len(paths) >= _LIMIT:
            break
    return paths


def _heaviest(
    nodes: list[int], preds: dict[int, list[int]], rank: IntArray, weight: IntArray
) -> dict[int, int]:
    # ``rank`` is the topological level, so every predecessor is done before its successors.
    best: dict[int, int] = {}
    for v in sorted(nodes, key=lambda v: (int(rank[v]), v)):
        before = [best[p] for p in preds.get(v, ()) if p in best]
        best[v] = int(weight[v]) + max(before, default=0)
    return best


def _walk_back(end: int, preds: dict[int, list[int]], best: dict[int, int]) -> list[int]:
    path = [end]
    seen = {end}
    while True:
        options = [p for p in preds.get(path[-1], ()) if p not in seen]
        if not options:
            break
        nxt = max(options, key=lambda p: (best.get(p, 0), -p))
        path.append(nxt)
        seen.add(nxt)
    return path[::-1]


def _all_back(end: int, preds: dict[int, list[int]], limit: int) -> list[list[int]]:
    """Up to ``limit`` chains ending at ``end``, depth first. Driving links of an acyclic
    network are acyclic, so no membership test is needed; each explored node records the
    entry it extends, and a chain is read back only when it reaches a task with no driver."""
    out: list[list[int]] = []
    nodes, parent = [end], [-1]
    stack = [0]
    while stack and len(out) < limit:
        i = stack.pop()
        options = preds.get(nodes[i], ())
        if not options:
            path = []
            while i >= 0:
                path.append(nodes[i])
                i = parent[i]
            out.append(path)
            continue
        for p in reversed(options):
            nodes.append(p)
            parent.append(i)
            stack.append(len(nodes) - 1)
    return out
