"""``simulate()``: Monte Carlo schedule risk analysis, vectorised over chunks of iterations.

Each chunk samples durations for ``chunk_size`` iterations and runs the very same forward and
backward passes as ``schedule()`` on ``(tasks, chunk)`` arrays, so a network without estimates
or risks reproduces its CPM finish exactly. Random numbers come from
``SeedSequence(seed)``, drawn iteration by iteration, so results do not depend on the chunk size.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import cast

import numpy as np
from numpy.typing import NDArray

from ._calendar import IntArray
from ._compile import Plan, compile_network
from ._cpm import solve
from ._errors import InputProblem, ScheduleInputError
from ._model import RiskEvent, TaskKind
from ._network import Network
from ._passes import backward, forward, project_finish
from ._sampling import GRID, Estimates, normal_cdf
from ._simresult import SimulationResult, summarise
from ._tasks import DONE, NOT_STARTED, span_of
from ._validate import risk_problems

__all__ = ["simulate"]

_CELLS = 2_000_000


def simulate(
    network: Network,
    *,
    iterations: int = 10_000,
    seed: int = 0,
    percentiles: Sequence[float] = (50, 80, 95),
    risks: Sequence[RiskEvent] = (),
    correlation: float | None = None,
    chunk_size: int = 1000,
    bins: int = 50,
    progress: Callable[[int, int], None] | None = None,
    threads: int | None = None,
) -> SimulationResult:
    """Simulate the project ``iterations`` times and summarise the finish distribution.

    Tasks with a three-point estimate draw their duration from their ``distribution`` (rounded
    to whole working days, at least one); risk events add their impact with their probability;
    ``correlation`` (0..1) rank-correlates all sampled durations through a Gaussian copula.
    Criticality is the share of iterations in which a task has total float <= 0; sensitivity
    is the Spearman correlation of each varying task's duration with the project duration.
    ``threads`` (default 1) run chunks' passes in parallel; results do not depend on it. On a
    machine shared with other work extra threads were measured to slow it down, so they are
    opt-in.
    """
    _check_arguments(network, iterations, percentiles, risks, correlation, chunk_size, bins)
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ScheduleInputError((InputProblem(None, "threads", "must be a whole number >= 1"),))
    plan = compile_network(network)
    det = solve(network, plan=plan)
    model = _Model(plan, risks)
    finish = np.empty(iterations, np.int64)
    spans = np.empty((model.varying.size, iterations), model.store_dtype)
    critical = np.zeros(len(plan.ids), np.int64)
    seeds = np.random.SeedSequence(seed).spawn(2)
    dur_rng, risk_rng = (np.random.Generator(np.random.PCG64(s)) for s in seeds)
    draws = _Draws(dur_rng, model.sampled.size, correlation)
    done_rows = plan.layout.bounds.state == DONE
    # Bound the working set (about 15 arrays of tasks x chunk values) whatever chunk_size says;
    # results do not depend on the chunking, so this only trades speed for memory.
    step = max(1, min(chunk_size, _CELLS // max(1, len(plan.ids))))
    # Chunks are drawn in order here and their passes run on worker threads (numpy releases
    # the GIL in its loops); results are collected in order, so threads change no number.
    pending: deque[tuple[int, NDArray[np.int32], Future[tuple[IntArray, IntArray]]]] = deque()
    done = 0

    def collect() -> None:
        at, span, future = pending.popleft()
        k = span.shape[1]
        finish[at : at + k], crit = future.result()
        critical[:] += crit
        spans[:, at : at + k] = span if model.varying.size == span.shape[0] else span[model.varying]
        if progress is not None:
            progress(at + k, iterations)

    workers = _threads(threads)
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        while done < iterations:
            k = min(step, iterations - done)
            span = model.spans(draws.take(k), risk_rng)
            if pool is None:  # one thread: run the chunk here
                future: Future[tuple[IntArray, IntArray]] = Future()
                future.set_result(_run_chunk(plan, span, done_rows))
            else:
                future = pool.submit(_run_chunk, plan, span, done_rows)
            pending.append((done, span, future))
            done += k
            if len(pending) > workers:
                collect()
        while pending:
            collect()
    finally:
        if pool is not None:
            pool.shutdown()
    start_work = plan.cals[0].cb(network.start.toordinal())
    worked = plan.cals[0].count_before(finish + 1) - start_work
    # Passes, spans and counts are in layout rows; the summary speaks of tasks.
    order = plan.layout.order
    return summarise(
        network, plan, det.finish_day, seed, percentiles, bins, finish, worked,
        critical[plan.layout.row] / iterations, spans, order[model.varying],
    )  # fmt: skip


def _threads(threads: int | None) -> int:
    return 1 if threads is None else threads


def _check_arguments(
    network: Network,
    iterations: int,
    percentiles: Sequence[float],
    risks: Sequence[RiskEvent],
    correlation: float | None,
    chunk_size: int,
    bins: int,
) -> None:
    problems = risk_problems(risks, {t.id for t in network.tasks})
    if not isinstance(iterations, int) or iterations < 1:
        problems.append(InputProblem(None, "iterations", "must be a whole number >= 1"))
    if not isinstance(chunk_size, int) or chunk_size < 1:
        problems.append(InputProblem(None, "chunk_size", "must be a whole number >= 1"))
    if not isinstance(bins, int) or bins < 1:
        problems.append(InputProblem(None, "bins", "must be a whole number >= 1"))
    if any(not 0 <= p <= 100 for p in percentiles):
        problems.append(InputProblem(None, "percentiles", "must lie between 0 and 100"))
    if correlation is not None and not 0 <= correlation <= 1:
        problems.append(InputProblem(None, "correlation", "must lie between 0 and 1"))
    if problems:
        raise ScheduleInputError(tuple(problems))


class _Model:
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
        self.fixed_span = b.span.astype(np.int32)
        self.varying = np.union1d(self.sampled, self.hit_task).astype(np.int64)
        self.steady = np.setdiff1d(np.arange(len(plan.ids)), self.varying)
        self.risky = np.unique(self.hit_task)
        # Position of each risky task among the sampled ones (-1: no estimate).
        where = {int(t): j for j, t in enumerate(self.sampled.tolist())}
        self.risky_pos = np.array([where.get(int(t), -1) for t in self.risky], np.int64)
        # Spans of each sampled task's rounded quantiles, one row per distinct (estimate, floor).
        key = self.est.row * 2 + self.floor[self.sampled]
        uniq, row = np.unique(key, return_inverse=True)
        whole = np.floor(self.est.table[uniq // 2] + 0.5).astype(np.int64)
        spans = span_of(np.maximum(whole, (uniq % 2)[:, None]))
        # int32 (what the passes take) unless the table is big; int16 halves it then.
        small = spans.size <= 4_000_000 or int(spans.max(initial=0)) >= 2**15
        self.span_table = spans.astype(np.int32 if small else np.int16).ravel()
        self.offset = (row.reshape(-1) * GRID).astype(np.int32)[:, None]
        top = float(spans.max(initial=0)) + 2 * float(np.abs(self.impact).sum())
        top = max(top, float(b.span.max(initial=0)))
        self.store_dtype = np.int16 if top < 30_000 else np.int32

    def spans(self, cells: NDArray[np.uint16], risk_rng: np.random.Generator) -> NDArray[np.int32]:
        """Spans ``(tasks, k)`` for the next ``k`` iterations, given their random slices."""
        k = cells.shape[1]
        if self.sampled.size == self.base.size:  # every task sampled (sampled is sorted)
            span: NDArray[np.int32] = self.span_table.take(cells + self.offset)
            if span.dtype != np.int32:
                span = span.astype(np.int32)
        else:
            span = np.empty((self.base.size, k), np.int32)
            span[self.steady] = self.fixed_span[self.steady][:, None]
            if self.sampled.size:
                span[self.sampled] = self.span_table.take(cells + self.offset)
        if self.prob.size:
            occurs = risk_rng.random((k, self.prob.size)) < self.prob
            extra = np.zeros((self.base.size, k))
            np.add.at(extra, self.hit_task, occurs[:, self.hit_risk].T * self.impact[:, None])
            rows = self.risky
            dur = np.repeat(self.base[rows][:, None], k, axis=1)
            pos = self.risky_pos
            est = pos >= 0
            if est.any():
                dur[est] = self.est.table[self.est.row[pos[est]][:, None], cells[pos[est]]]
            whole = np.floor(dur + extra[rows] + 0.5).astype(np.int64)
            span[rows] = span_of(np.maximum(whole, self.floor[rows][:, None]))
        return span


class _Draws:
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


def _run_chunk(
    plan: Plan, span: NDArray[np.int32], done: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    # The passes keep the dtype they are given: int32 halves their memory traffic.
    wide = cast(NDArray[np.int64], span)
    es, ef, _ = forward(plan, wide)
    pf, day = project_finish(plan, ef)
    ls, _ = backward(plan, wide, es, ef, pf)
    # Critical: total float work(ls) - work(es) <= 0, with work(t) = (t + 1) // 2. A task
    # with a duration starts at 08:00 (an even time) early and late, so then ls <= es.
    if bool((plan.bounds.span > 0).all()):
        crit = ls <= es
    else:
        crit = ((ls + 1) >> 1) <= ((es + 1) >> 1)
    if done.any():
        crit[done] = False
    return day, row_counts(crit)


def row_counts(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Number of True values in each row of a C-contiguous 2-D mask.

    ``count_nonzero(axis=1)`` widens every element; here eight booleans are added at once as
    the bytes of one uint64 word. Each byte lane of a row's total counts at most 255 words, so
    no lane carries into the next, and the lanes' bytes then add up to the count.
    """
    rows, k = mask.shape
    out = np.zeros(rows, np.int64)
    whole = k - k % 8
    step = 8 * 255
    for a in range(0, whole, step):
        b = min(whole, a + step)
        words = np.ascontiguousarray(mask[:, a:b]).view(np.uint64)
        lanes = words.sum(axis=1, dtype=np.uint64)
        out += lanes.view(np.uint8).reshape(rows, 8).sum(axis=1, dtype=np.int64)
    if whole < k:
        out += mask[:, whole:].sum(axis=1, dtype=np.int64)
    return out
