"""``SimulationResult`` and the statistics that summarise a Monte Carlo run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._compile import Plan
from ._network import Network
from ._spearman import spearman

__all__ = ["SimulationResult", "summarise"]


@dataclass(frozen=True)
class SimulationResult:
    """Finish-date distribution, criticality and sensitivity of a simulated project.

    ``mean`` and ``std`` are the project duration in working days (default calendar, counting
    the start day); ``criticality`` maps task id to the share of iterations with total float
    <= 0; ``sensitivity`` lists (task id, Spearman rho) by decreasing absolute rho.
    """

    iterations: int
    seed: int
    percentiles: dict[float, date]
    mean: float
    std: float
    mean_finish: date
    deterministic_finish: date
    histogram: list[tuple[date, int]]
    cdf: list[tuple[date, float]]
    criticality: dict[str, float]
    sensitivity: list[tuple[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (dates as ISO strings)."""
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "percentiles": {f"P{p:g}": d.isoformat() for p, d in self.percentiles.items()},
            "mean": self.mean,
            "std": self.std,
            "mean_finish": self.mean_finish.isoformat(),
            "deterministic_finish": self.deterministic_finish.isoformat(),
            "histogram": [[d.isoformat(), n] for d, n in self.histogram],
            "cdf": [[d.isoformat(), p] for d, p in self.cdf],
            "criticality": self.criticality,
            "sensitivity": [[t, rho] for t, rho in self.sensitivity],
        }


def summarise(
    network: Network,
    plan: Plan,
    deterministic_day: int,
    seed: int,
    percentiles: Sequence[float],
    bins: int,
    finish: NDArray[np.int64],
    worked: NDArray[np.int64],
    criticality: NDArray[np.float64],
    durations: NDArray[np.integer[Any]],
    varying: NDArray[np.int64],
) -> SimulationResult:
    """Build the result from per-iteration finish days and sampled durations."""
    cal = plan.cals[0]
    start = cal.cb(network.start.toordinal())
    mean = float(worked.mean())
    mean_day = int(cal.days_of(np.array([start + max(round(mean), 1) - 1]))[0])
    pct = {
        float(p): date.fromordinal(int(np.percentile(finish, p, method="inverted_cdf")))
        for p in percentiles
    }
    days, counts = np.unique(finish, return_counts=True)
    cdf = [
        (date.fromordinal(int(d)), float(c))
        for d, c in zip(days, np.cumsum(counts) / finish.size, strict=True)
    ]
    crit = {tid: float(criticality[i]) for i, tid in enumerate(plan.ids)}
    rho = spearman(durations, worked)
    sens = sorted(
        ((plan.ids[int(i)], float(r)) for i, r in zip(varying, rho, strict=True)),
        key=lambda x: (-abs(x[1]), x[0]),
    )
    return SimulationResult(
        iterations=int(finish.size), seed=seed, percentiles=pct, mean=mean,
        std=float(worked.std()), mean_finish=date.fromordinal(mean_day),
        deterministic_finish=date.fromordinal(deterministic_day),
        histogram=_histogram(finish, bins), cdf=cdf, criticality=crit, sensitivity=sens,
    )  # fmt: skip


def _histogram(finish: NDArray[np.int64], bins: int) -> list[tuple[date, int]]:
    """Counts per bin of whole days, each bin labelled by its first day."""
    lo, hi = int(finish.min()), int(finish.max())
    width = max(1, -(-(hi - lo + 1) // bins))
    counts = np.bincount((finish - lo) // width)
    return [(date.fromordinal(lo + i * width), int(c)) for i, c in enumerate(counts)]
