"""Spearman rank correlation of many rows of small whole numbers with one target, exactly.

Ranks are average ranks (ties share their mean rank). Doubled and centred, every rank is an
integer (``2 * rank - (n + 1)``), so every sum below is a sum of integers: done in float64 while
it stays under 2**53 it is exact, hence the same whatever order numpy or the BLAS adds in. Only
the final square roots and division round.

No element is ranked on its own. For a row, with ``c_v`` the count of value ``v`` and ``s_v``
the sum of the target's doubled centred ranks over the row's elements equal to ``v``, the
row's doubled centred rank of ``v`` follows from the counts, and the covariance is
``sum_v rank_v * s_v``. Both ``c_v`` and ``s_v`` come from one weighted ``bincount`` over a
block of rows: each element weighs ``BIG + t`` with ``BIG`` a power of two above twice any
``|s_v|``, so a bin holds ``BIG * c_v + s_v`` and splits back exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["average_ranks", "spearman"]

FloatArray = NDArray[np.float64]
_EXACT = 2.0**53
_BLOCK_CELLS = 1 << 18  # elements per block of rows: the work buffers stay in cache


def average_ranks(values: NDArray[Any]) -> FloatArray:
    """Average ranks (1-based, ties share their mean rank) of a row of small whole numbers."""
    v = np.asarray(values).astype(np.int64)
    rel = v - int(v.min(initial=0))
    counts = np.bincount(rel)
    avg = np.cumsum(counts) - (counts - 1) / 2.0
    return np.asarray(avg[rel], np.float64)


def spearman(durations: NDArray[Any], target: NDArray[np.int64]) -> FloatArray:
    """Spearman rho of each row of ``durations`` (small whole numbers) with ``target``; 0 where
    either is constant."""
    rows, n = durations.shape
    out = np.zeros(rows)
    if rows == 0 or n == 0:
        return out
    t2 = 2 * average_ranks(target) - (n + 1)  # doubled centred ranks: integers
    t_norm = float(np.sqrt((t2 * t2).sum()))
    if t_norm == 0:
        return out
    big = 2.0 ** int(np.ceil(np.log2(2.0 * n * n + 1)))
    packed = big * n + float(n) * n < _EXACT  # can one bincount carry counts and sums?
    lo = durations.min(axis=1).astype(np.intp)
    width = durations.max(axis=1).astype(np.intp) - lo + 1
    block = max(1, min(rows, _BLOCK_CELLS // n))
    weights = np.tile(t2 + big if packed else t2, block)
    key = np.empty((block, n), np.intp)
    for a in range(0, rows, block):
        b = min(rows, a + block)
        out[a:b] = _block(durations[a:b], lo[a:b], width[a:b], weights, key, big if packed else 0)
    return np.asarray(out / t_norm, np.float64)


def _block(
    x: NDArray[Any],
    lo: NDArray[np.intp],
    width: NDArray[np.intp],
    weights: FloatArray,
    key_buf: NDArray[np.intp],
    big: float,
) -> FloatArray:
    """``cov / |rank(x)|`` per row of one block (the caller divides by the target's norm)."""
    m, n = x.shape
    starts = np.concatenate(([0], np.cumsum(width)[:-1])).astype(np.intp)
    bins = int(width.sum())
    key = key_buf[:m]
    np.add(x, (starts - lo)[:, None], out=key)  # value v of row r -> bin starts[r] + v - lo[r]
    flat = key.ravel()
    summed = np.asarray(np.bincount(flat, weights[: m * n], minlength=bins), np.float64)
    counts: FloatArray
    if big:
        counts = np.rint(summed / big)
        sums = summed - big * counts
    else:
        counts = np.bincount(flat, minlength=bins).astype(np.float64)
        sums = summed
    # Doubled centred average rank of each value within its row: 2 * before + c + 1 - (n + 1).
    cum = np.cumsum(counts)
    row_start = np.repeat(cum[starts] - counts[starts], width)
    rank2 = 2 * (cum - counts - row_start) + counts - n
    cov = np.add.reduceat(rank2 * sums, starts)
    norm = np.sqrt(np.add.reduceat(counts * rank2 * rank2, starts))
    return np.asarray(np.where(norm > 0, cov / np.where(norm > 0, norm, 1.0), 0.0), np.float64)
