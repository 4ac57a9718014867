"""``simulate()``: Monte Carlo schedule risk analysis, vectorised over chunks of iterations.

Each chunk samples durations for ``chunk_size`` iterations and runs the very same forward and
backward passes as ``schedule()`` on ``(tasks, chunk)`` arrays, so a network without estimates
or risks reproduces its CPM finish exactly. Random numbers come from
``SeedSequence(seed)``, drawn iteration by iteration, so results do not depend on the chunk size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
from numpy.typing import NDArray

from ._compile import Plan, compile_network
from ._cpm import solve
from ._errors import InputProblem, ScheduleInputError
from ._model import RiskEvent, TaskKind
from ._network import Network
from ._passes import backward, forward, project_finish, work
from ._sampling import Estimates, sample
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
) -> SimulationResult:
    """Simulate the project ``iterations`` times and summarise the finish distribution.

    Tasks with a three-point estimate draw their duration from their ``distribution`` (rounded
    to whole working days, at least one); risk events add their impact with their probability;
    ``correlation`` (0..1) rank-correlates all sampled durations through a Gaussian copula.
    Criticality is the share of iterations in which a task has total float <= 0; sensitivity
    is the Spearman correlation of each varying task's duration with the project duration.
    """
    _check_arguments(network, iterations, percentiles, risks, correlation, chunk_size, bins)
    plan = compile_network(network)
    det = solve(network, plan=plan)
    model = _Model(plan, risks)
    finish = np.empty(iterations, np.int64)
    durations = np.empty((model.varying.size, iterations), model.store_dtype)
    critical = np.zeros(len(plan.ids), np.int64)
    seeds = np.random.SeedSequence(seed).spawn(2)
    dur_rng, risk_rng = (np.random.Generator(np.random.PCG64(s)) for s in seeds)
    # Bound the working set (about 15 arrays of tasks x chunk values) whatever chunk_size says;
    # results do not depend on the chunking, so this only trades speed for memory.
    step = max(1, min(chunk_size, _CELLS // max(1, len(plan.ids))))
    done = 0
    while done < iterations:
        k = min(step, iterations - done)
        dur = model.draw(dur_rng, risk_rng, k, correlation)
        finish[done : done + k], crit = _run_chunk(plan, model, dur)
        critical += crit
        durations[:, done : done + k] = dur[model.varying]
        done += k
        if progress is not None:
            progress(done, iterations)
    start_work = plan.cals[0].cb(network.start.toordinal())
    worked = plan.cals[0].count_before(finish + 1) - start_work
    return summarise(
        network, plan, det.finish_day, seed, percentiles, bins, finish, worked,
        critical / iterations, durations, model.varying,
    )  # fmt: skip


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
    """What varies between iterations: sampled tasks and risk events."""

    def __init__(self, plan: Plan, risks: Sequence[RiskEvent]) -> None:
        b = plan.bounds
        open_ = b.state == NOT_STARTED
        est = [
            i for i, t in enumerate(plan.tasks)
            if t.optimistic is not None and open_[i] and t.kind is TaskKind.TASK
        ]  # fmt: skip
        tasks = [plan.tasks[i] for i in est]
        self.sampled = np.array(est, np.int64)
        self.est = Estimates.build(
            np.array([float(t.optimistic or 0) for t in tasks]),
            np.array([float(t.most_likely or 0) for t in tasks]),
            np.array([float(t.pessimistic or 0) for t in tasks]),
            [t.distribution for t in tasks],
        )
        self.prob = np.array([r.probability for r in risks], np.float64)
        hits = [
            (j, plan.index[t]) for j, r in enumerate(risks) for t in r.task_ids if t in plan.index
        ]
        hits = [(j, i) for j, i in hits if open_[i]]
        self.hit_risk = np.array([j for j, _ in hits], np.int64)
        self.hit_task = np.array([i for _, i in hits], np.int64)
        self.impact = np.array([risks[j].impact for j, _ in hits], np.float64)
        self.base = b.dur.astype(np.float64)
        self.fixed_span = b.span
        self.open = open_
        self.varying = np.union1d(self.sampled, self.hit_task).astype(np.int64)
        top = float(np.max(self.est.high, initial=0)) + float(np.abs(self.impact).sum())
        top = max(top, float(b.dur.max(initial=0)))
        self.store_dtype = np.int16 if top < 30_000 else np.int32

    def draw(
        self, rng: np.random.Generator, risk_rng: np.random.Generator, k: int, rho: float | None
    ) -> NDArray[np.int64]:
        """Whole-day durations ``(tasks, k)`` for the next ``k`` iterations."""
        n_est = self.sampled.size
        dur = np.repeat(self.base[:, None], k, axis=1)
        if n_est:
            z = rng.standard_normal((k, n_est + 1))  # iteration-major: chunk-size invariant
            scores = z[:, 1:]
            if rho:
                scores = math.sqrt(rho) * z[:, :1] + math.sqrt(1 - rho) * scores
            dur[self.sampled] = sample(self.est, scores).T
        if self.prob.size:
            occurs = risk_rng.random((k, self.prob.size)) < self.prob
            extra = occurs[:, self.hit_risk].T * self.impact[:, None]
            np.add.at(dur, self.hit_task, extra)
        whole = np.floor(dur + 0.5).astype(np.int64)
        keep_task = (self.base >= 1)[:, None]
        return np.where(keep_task, np.maximum(whole, 1), np.maximum(whole, 0))


def _run_chunk(
    plan: Plan, model: _Model, dur: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    wide = np.where(model.open[:, None], span_of(dur), model.fixed_span[:, None])
    # int32 halves the memory of every pass array (the passes keep the dtype they are given).
    span = cast(NDArray[np.int64], wide.astype(np.int32))
    es, ef, _ = forward(plan, span)
    pf, day = project_finish(plan, ef)
    ls, _ = backward(plan, span, es, ef, pf)
    tf = work(ls) - work(es)
    crit = ((tf <= 0) & (plan.bounds.state != DONE)[:, None]).sum(axis=1)
    return day, crit
