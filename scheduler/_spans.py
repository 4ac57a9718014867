"""What varies between Monte Carlo iterations: sampled durations and risk events, as spans.

``SpanModel`` turns random quantile slices into the spans the passes read, in the layout's row
order; ``Draws`` deals the slices out, in fixed blocks so chunking never changes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ._calendar import IntArray
from ._compile import Plan
from ._model import RiskEvent, TaskKind
from ._sampling import GRID, Estimates, normal_cdf
from ._tasks import NOT_STARTED, span_of

__all__ = ["Draws", "SpanModel"]


class SpanModel:
    """What varies between iterations: sampled tasks and risk events, as spans on the time axis.

    Passes read spans (finish - start times, ``2d - 1`` for ``d`` days); a sampled task's
    span comes straight from a table of its rounded quantiles, so a draw is one gather.
    """

    def __init__(self, plan: Plan, risks: Sequence[RiskEvent]) -> None:
        # Everything here is over the layout's rows (the order the passes take).
        lay = plan.layout
        b = lay.bounds
        open_ = b.state == NOT_STARTED
        in_rows = [plan.tasks[i] for i in lay.order.tolist()]
        est = [
            i for i, t in enumerate(in_rows)
            if t.optimistic is not None and open_[i] and t.kind is TaskKind.TASK
        ]  # fmt: skip
        tasks = [in_rows[i] for i in est]
        self.sampled = np.array(est, np.int64)
        self.est = Estimates.build(
            np.array([float(t.optimistic or 0) for t in tasks]),
            np.array([float(t.most_likely or 0) for t in tasks]),
            np.array([float(t.pessimistic or 0) for t in tasks]),
            [t.distribution for t in tasks],
        )
        self.prob = np.array([r.probability for r in risks], np.float64)
        row = lay.row.tolist()
        hits = [
            (j, row[plan.index[t]])
            for j, r in enumerate(risks) for t in r.task_ids if t in plan.index
        ]  # fmt: skip
        hits = [(j, i) for j, i in hits if open_[i]]
        self.hit_risk = np.array([j for j, _ in hits], np.int64)
        self.hit_task = np.array([i for _, i in hits], np.int64)
        self.impact = np.array([risks[j].impact for j, _ in hits], np.float64)
        self.base = b.dur.astype(np.float64)
        self.floor = (b.dur >= 1).astype(np.int64)  # a task keeps at least one day
        self.varying = np.union1d(self.sampled, self.hit_task).astype(np.int64)
        self.steady = np.setdiff1d(np.arange(len(plan.ids)), self.varying)
        self.risky = np.unique(self.hit_task)
        # Position of each risky task among the sampled ones (-1: no estimate).
        where = {int(t): j for j, t in enumerate(self.sampled.tolist())}
        self.risky_pos = np.array([where.get(int(t), -1) for t in self.risky], np.int64)
        # Spans of each sampled task's rounded quantiles, one row per distinct (estimate, floor).
        key = self.est.row * 2 + self.floor[self.sampled]
        uniq, row = np.unique(key, return_inverse=True)
        self._table = self._span_rows(uniq // 2, uniq % 2)
        self.offset = (row.reshape(-1) * GRID).astype(np.intp)[:, None]  # what take wants
        # Unrounded quantiles of the risky tasks' estimates (their impact is added first).
        self._risky_est = self.est.row[self.risky_pos[self.risky_pos >= 0]]
        self._risky_rows, where_risky = np.unique(self._risky_est, return_inverse=True)
        self._risky_q = self.est.quantiles(self._risky_rows)
        self._risky_at = where_risky.reshape(-1)
        top = float(self._table.max(initial=0)) + 2 * float(np.abs(self.impact).sum())
        #: The widest span any task can take.
        self.top = math.ceil(max(top, float(b.span.max(initial=0))))
        self.store_dtype = np.int16 if self.top < 30_000 else np.int32
        self._plan_span = b.span
        self.use(np.int32)

    def _span_rows(self, est: IntArray, floor: IntArray) -> IntArray:
        """Spans of the rounded quantiles of estimates ``est`` (at least ``floor`` days), a
        block of rows at a time: the float quantiles of a block stay in cache."""
        out = np.empty((est.size, GRID), np.int64)
        block = 16
        for a in range(0, est.size, block):
            q = self.est.quantiles(est[a : a + block])
            whole = np.floor(q + 0.5).astype(np.int64)
            out[a : a + block] = span_of(np.maximum(whole, floor[a : a + block, None]))
        return out

    def use(self, dtype: type[np.signedinteger]) -> None:
        """Produce spans of ``dtype``, the integer type the passes run in (``_frame``)."""
        self.dtype = dtype
        self._at = np.empty((0, 0), np.intp)  # the gather's index buffer, reused
        # A big int32 table is kept as int16 when it fits, and widened after the gather.
        narrow = dtype == np.int16 or (self._table.size > 4_000_000 and self.top < 2**15)
        self.span_table = self._table.astype(np.int16 if narrow else np.int32).ravel()
        self.fixed_span = self._plan_span.astype(dtype)

    def spans(
        self, cells: NDArray[np.uint16], risk_rng: np.random.Generator, out: IntArray | None = None
    ) -> IntArray:
        """Spans ``(rows, k)`` for the next ``k`` iterations, given their random slices, in
        ``out`` if given (of ``dtype``)."""
        k = cells.shape[1]
        span = np.empty((self.base.size, k), self.dtype) if out is None else out
        if self.sampled.size == self.base.size:  # every task sampled (sampled is sorted)
            self._gather(cells, span)
        else:
            span[self.steady] = self.fixed_span[self.steady][:, None]
            if self.sampled.size:
                part = np.empty((self.sampled.size, k), self.dtype)
                span[self.sampled] = self._gather(cells, part)
        if self.prob.size:
            occurs = risk_rng.random((k, self.prob.size)) < self.prob
            extra = np.zeros((self.base.size, k))
            np.add.at(extra, self.hit_task, occurs[:, self.hit_risk].T * self.impact[:, None])
            rows = self.risky
            dur = np.repeat(self.base[rows][:, None], k, axis=1)
            pos = self.risky_pos
            est = pos >= 0
            if est.any():
                dur[est] = self._risky_q[self._risky_at[:, None], cells[pos[est]]]
            whole = np.floor(dur + extra[rows] + 0.5).astype(np.int64)
            span[rows] = span_of(np.maximum(whole, self.floor[rows][:, None]))
        return span

    def _gather(self, cells: NDArray[np.uint16], out: IntArray) -> IntArray:
        """Each sampled row's spans at its slices, into ``out``: one table lookup per cell.

        Rows go in blocks of about 64k cells, so the index array (intp, which ``take``
        wants) stays in cache instead of making a round trip through memory.
        """
        rows, k = cells.shape
        table = self.span_table
        got = out if out.dtype == table.dtype else np.empty(out.shape, table.dtype)
        block = max(1, (1 << 16) // max(k, 1))
        if self._at.shape != (min(block, rows), k):
            self._at = np.empty((min(block, rows), k), np.intp)
        for a in range(0, rows, block):
            b = min(rows, a + block)
            at = self._at[: b - a]
            np.add(cells[a:b], self.offset[a:b], out=at)
            np.take(table, at, out=got[a:b], mode="wrap")
        if got is not out:
            out[...] = got
        return out


class Draws:
    """Random quantile slices of the sampled tasks, ``(tasks, k)`` at a time.

    Numbers are drawn in fixed blocks of iterations, task-major within a block, so the slice
    an iteration gets never depends on how the caller chunks the iterations. With a
    correlation, each iteration's slices come from Gaussian-copula scores instead.
    """

    BLOCK = 512

    def __init__(self, rng: np.random.Generator, rows: int, rho: float | None) -> None:
        self._rng, self._rows, self._rho = rng, rows, rho
        self._left: NDArray[np.uint16] = np.zeros((rows, 0), np.uint16)

    def take(self, k: int) -> NDArray[np.uint16]:
        parts: list[NDArray[np.uint16]] = []
        need = k
        while need:
            if not self._left.shape[1]:
                self._left = self._block()
            part = self._left[:, :need]
            self._left = self._left[:, part.shape[1] :]
            parts.append(part)
            need -= part.shape[1]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)

    def _block(self) -> NDArray[np.uint16]:
        if not self._rho:
            # Four 16-bit lanes of each raw 64-bit draw, low 12 bits kept (GRID is 2**12):
            # uniform, and a quarter of the generator calls ``integers`` would make. Lanes are
            # read little-endian so every platform gets the same slices.
            raw = self._rng.bit_generator.random_raw(self._rows * self.BLOCK // 4)
            lanes = np.asarray(raw, "<u8").view("<u2").astype(np.uint16, copy=False)
            lanes &= GRID - 1
            return lanes.reshape(self._rows, self.BLOCK)
        z = self._rng.standard_normal((self._rows + 1, self.BLOCK))
        scores = math.sqrt(self._rho) * z[:1] + math.sqrt(1 - self._rho) * z[1:]
        cells = np.minimum((normal_cdf(scores) * GRID).astype(np.int64), GRID - 1)
        return cells.astype(np.uint16)
