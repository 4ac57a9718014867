"""Duration distributions from three-point estimates, sampled by inverse transform on a grid.

Each distinct estimate (distribution, optimistic, most likely, pessimistic) gets a table of its
quantiles at the midpoints of ``GRID`` equal slices of (0, 1). A draw picks a slice: uniformly
(independent sampling, ``GRID`` is a power of two so a random integer is exact), or through the
normal CDF of a Gaussian-copula score (rank-correlated sampling). Durations are then whole
working days, so a quantile resolution of 1/4096 changes a sample only where a slice straddles
a rounding boundary, an error of at most 1/4096 in each day's probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._model import Distribution

__all__ = ["GRID", "Estimates", "normal_cdf", "normal_quantile"]

FloatArray = NDArray[np.float64]
GRID = 4096
_KINDS = (Distribution.TRIANGULAR, Distribution.PERT, Distribution.UNIFORM, Distribution.LOGNORMAL)
_MIDPOINTS = (np.arange(GRID) + 0.5) / GRID


def normal_cdf(z: FloatArray) -> FloatArray:
    """Standard normal CDF (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7)."""
    x = np.abs(z) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-x * x)
    return np.asarray(0.5 * (1.0 + np.sign(z) * erf), np.float64)


def normal_quantile(u: FloatArray) -> FloatArray:
    """Inverse of ``normal_cdf`` for ``u`` in (0, 1), by interpolation on a fine grid."""
    z = np.linspace(-8.0, 8.0, 160_001)
    return np.asarray(np.interp(u, normal_cdf(z), z), np.float64)


@dataclass(frozen=True, slots=True)
class Estimates:
    """The sampled tasks' distinct estimates; ``row[i]`` is task ``i``'s. Their quantile tables
    are computed on demand (``quantiles``), a few rows at a time, so the big float tables
    never exist at once; Beta-PERT shapes are integrated up front, once per distinct shape.
    """

    kind: NDArray[np.int64]  # per distinct estimate: index in _KINDS
    low: FloatArray
    mode: FloatArray
    high: FloatArray
    row: NDArray[np.int64]
    shape: NDArray[np.int64]  # per distinct estimate: its Beta-PERT shape (-1 if not PERT)
    beta: FloatArray  # quantiles of each shape on (0, 1), (shapes, GRID)

    @classmethod
    def build(
        cls, low: FloatArray, mode: FloatArray, high: FloatArray, kinds: list[Distribution]
    ) -> Estimates:
        kind = np.array([_KINDS.index(k) for k in kinds], np.int64).reshape(-1)
        key = np.stack((kind.astype(np.float64), low, mode, high), axis=1).reshape(-1, 4)
        uniq, row = np.unique(key, axis=0, return_inverse=True)
        k, a, m, b = uniq[:, 0].astype(np.int64), uniq[:, 1], uniq[:, 2], uniq[:, 3]
        shape = np.full(k.size, -1, np.int64)
        beta = np.zeros((0, GRID))
        pert = k == _KINDS.index(Distribution.PERT)
        if pert.any():
            width = np.where(b > a, b - a, 1.0)
            alpha, bet = 1 + 4 * (m - a) / width, 1 + 4 * (b - m) / width
            pairs = np.stack((alpha, bet), axis=1)[pert]
            shapes, which = np.unique(pairs, axis=0, return_inverse=True)
            shape[pert] = which.reshape(-1)
            beta = _beta_quantiles(shapes[:, :1], shapes[:, 1:], _MIDPOINTS)
        return cls(k, a, m, b, row.reshape(-1).astype(np.int64), shape, beta)

    def quantiles(self, rows: NDArray[np.int64]) -> FloatArray:
        """Durations (working days, not rounded) of the given distinct estimates at the
        midpoint of each slice, ``(len(rows), GRID)``."""
        out = np.empty((rows.size, GRID))
        k = self.kind[rows]
        a, m, b = self.low[rows][:, None], self.mode[rows][:, None], self.high[rows][:, None]
        u = _MIDPOINTS
        for code, fn in ((0, _triangular), (2, _uniform), (3, _lognormal)):
            sel = k == code
            if sel.any():
                out[sel] = fn(a[sel], m[sel], b[sel], u)
        sel = k == 1
        if sel.any():  # PERT: a + (b - a) * the shape's quantile
            out[sel] = a[sel] + self.beta[self.shape[rows[sel]]] * (b[sel] - a[sel])
        return out


def _triangular(a: FloatArray, m: FloatArray, b: FloatArray, u: FloatArray) -> FloatArray:
    w = b - a
    split = np.where(w > 0, (m - a) / np.where(w > 0, w, 1), 0)
    left = a + np.sqrt(u * w * (m - a))
    right = b - np.sqrt((1 - u) * w * (b - m))
    return np.asarray(np.where(u < split, left, right), np.float64)


def _uniform(a: FloatArray, m: FloatArray, b: FloatArray, u: FloatArray) -> FloatArray:
    return np.asarray(a + u * (b - a), np.float64)


def _beta_quantiles(alpha: FloatArray, beta: FloatArray, u: FloatArray) -> FloatArray:
    """Beta(alpha, beta) quantiles on (0, 1) by integrating the density numerically (no scipy);
    for PERT (lambda = 4) alpha, beta >= 1, so the density is bounded."""
    x = np.linspace(0.0, 1.0, GRID + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logpdf = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x)
    pdf = np.exp(np.where(np.isnan(logpdf), -np.inf, logpdf))
    steps = np.cumsum((pdf[:, 1:] + pdf[:, :-1]) / 2, axis=1)
    cdf = np.concatenate((np.zeros((alpha.shape[0], 1)), steps), axis=1)
    cdf /= cdf[:, -1:]
    return np.stack([np.interp(u, row, x) for row in cdf])


def _lognormal(a: FloatArray, m: FloatArray, b: FloatArray, u: FloatArray) -> FloatArray:
    # Shifted lognormal above the optimistic value, with the PERT mean and (b - a) / 6 spread.
    mean = (a + 4 * m + b) / 6 - a
    sd = (b - a) / 6
    safe = np.where(mean > 0, mean, 1.0)
    sigma2 = np.log1p((sd / safe) ** 2)
    mu = np.log(safe) - sigma2 / 2
    draw = np.exp(mu + np.sqrt(sigma2) * normal_quantile(u))
    return np.asarray(a + np.where(mean > 0, draw, 0.0), np.float64)
