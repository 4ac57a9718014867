"""``simulate()``: Monte Carlo schedule risk analysis, vectorised over chunks of iterations.

Each chunk samples durations for ``chunk_size`` iterations and runs the very same forward and
backward passes as ``schedule()`` on ``(rows, chunk)`` arrays, so a network without estimates
or risks reproduces its CPM finish exactly; the arrays are int16 when every time provably
fits (``_frame``), else int32. Random numbers come from ``SeedSequence(seed)``, drawn in fixed
blocks of iterations, so results do not depend on the chunk size.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from ._calendar import IntArray
from ._compile import compile_network
from ._cpm import solve
from ._errors import InputProblem, ScheduleInputError
from ._frame import Frame, time_frame
from ._model import RiskEvent
from ._network import Network
from ._passes import backward, forward, project_finish
from ._simresult import SimulationResult, summarise
from ._slots import slotted
from ._spans import Draws, SpanModel
from ._tasks import DONE
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
    model = SpanModel(plan, risks)
    # Over many iterations the passes reduce edges slot by slot (see _slots).
    layered = dataclasses.replace(plan, layout=slotted(plan.layout))
    frame = time_frame(layered, model.top)
    model.use(frame.dtype)
    finish = np.empty(iterations, np.int64)
    spans = np.empty((model.varying.size, iterations), model.store_dtype)
    critical = np.zeros(len(plan.ids), np.int64)
    seeds = np.random.SeedSequence(seed).spawn(2)
    dur_rng, risk_rng = (np.random.Generator(np.random.PCG64(s)) for s in seeds)
    draws = Draws(dur_rng, model.sampled.size, correlation)
    done_rows = plan.layout.bounds.state == DONE
    # Bound the working set (about 15 arrays of tasks x chunk values) whatever chunk_size says;
    # results do not depend on the chunking, so this only trades speed for memory.
    step = max(1, min(chunk_size, _CELLS // max(1, len(plan.ids))))
    # Chunks are drawn in order here and their passes run on worker threads (numpy releases
    # the GIL in its loops); results are collected in order, so threads change no number.
    pending: deque[tuple[int, IntArray, Future[tuple[IntArray, IntArray]]]] = deque()
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
                future.set_result(_run_chunk(frame, span, done_rows))
            else:
                future = pool.submit(_run_chunk, frame, span, done_rows)
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


def _run_chunk(frame: Frame, span: IntArray, done: NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Finish day of each iteration and, per row, the iterations in which it is critical."""
    plan = frame.plan  # the passes keep the dtype of the spans they are given
    es, ef, _ = forward(plan, span)
    pf, day = project_finish(plan, ef, frame.origin)
    ls, _ = backward(plan, span, es, ef, pf)
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
