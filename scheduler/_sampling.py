"""Duration distributions from three-point estimates, sampled by inverse transform.

Every distribution is driven by standard normal scores ``z`` (one per task and iteration), so
one code path serves independent and rank-correlated sampling (a Gaussian copula).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._model import Distribution

__all__ = ["Estimates", "normal_cdf", "sample"]

FloatArray = NDArray[np.float64]
_GRID = 4096


def normal_cdf(z: FloatArray) -> FloatArray:
    """Standard normal CDF (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7)."""
    x = np.abs(z) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-x * x)
    return np.asarray(0.5 * (1.0 + np.sign(z) * erf), np.float64)


@dataclass(frozen=True, slots=True)
class Estimates:
    """Three-point estimates of the sampled tasks, grouped for vectorised sampling."""

    low: FloatArray
    mode: FloatArray
    high: FloatArray
    kind: NDArray[np.int64]  # index into ``KINDS``
    pert_table: FloatArray  # (shapes, _GRID + 1) quantiles of each distinct PERT Beta on [0, 1]
    pert_shape: NDArray[np.int64]  # row of ``pert_table`` for each task (PERT tasks only)

    KINDS = (
        Distribution.TRIANGULAR,
        Distribution.PERT,
        Distribution.UNIFORM,
        Distribution.LOGNORMAL,
    )

    @classmethod
    def build(
        cls, low: FloatArray, mode: FloatArray, high: FloatArray, kinds: list[Distribution]
    ) -> Estimates:
        kind = np.array([cls.KINDS.index(k) for k in kinds], np.int64)
        table = np.zeros((1, _GRID + 1))
        shape = np.zeros(low.size, np.int64)
        pert = np.flatnonzero(kind == 1)
        if pert.size:
            table, shape[pert] = _pert_quantiles(low[pert], mode[pert], high[pert])
        return cls(low, mode, high, kind, table, shape)


def _pert_quantiles(
    low: FloatArray, mode: FloatArray, high: FloatArray
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Quantile tables of Beta(alpha, beta) with the PERT shape parameters, by integrating
    the density numerically (no scipy); alpha, beta >= 1 so the density is bounded.
    Tasks sharing a shape share the work."""
    width = np.where(high > low, high - low, 1.0)
    shape = np.stack((1 + 4 * (mode - low) / width, 1 + 4 * (high - mode) / width), axis=1)
    shapes, which = np.unique(np.round(shape, 9), axis=0, return_inverse=True)
    alpha, beta = shapes[:, 0:1], shapes[:, 1:2]
    x = np.linspace(0.0, 1.0, 2 * _GRID + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logpdf = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x)
    pdf = np.exp(np.where(np.isnan(logpdf), -np.inf, logpdf))
    steps = np.cumsum((pdf[:, 1:] + pdf[:, :-1]) / 2, axis=1)
    cdf = np.concatenate((np.zeros((alpha.shape[0], 1)), steps), axis=1)
    cdf /= cdf[:, -1:]
    u = np.linspace(0.0, 1.0, _GRID + 1)
    table = np.stack([np.interp(u, row, x) for row in cdf])
    return table, which.ravel().astype(np.int64)


def sample(est: Estimates, z: FloatArray) -> FloatArray:
    """Durations for normal scores ``z`` of shape ``(iterations, tasks)``."""
    a, m, b = est.low, est.mode, est.high
    u = np.clip(normal_cdf(z), 0.0, 1.0)
    out = np.empty_like(z)
    width = b - a
    tri = est.kind == 0
    if tri.any():
        uu, aa, mm, bb, w = u[:, tri], a[tri], m[tri], b[tri], width[tri]
        split = np.where(w > 0, (mm - aa) / np.where(w > 0, w, 1), 0)
        left = aa + np.sqrt(uu * w * (mm - aa))
        right = bb - np.sqrt((1 - uu) * w * (bb - mm))
        out[:, tri] = np.where(uu < split, left, right)
    pert = est.kind == 1
    if pert.any():
        pos = u[:, pert] * _GRID
        lo = np.minimum(pos.astype(np.int64), _GRID - 1)
        frac = pos - lo
        rows = est.pert_shape[pert]
        table = est.pert_table
        q = table[rows, lo] * (1 - frac) + table[rows, lo + 1] * frac
        out[:, pert] = a[pert] + q * width[pert]
    uni = est.kind == 2
    if uni.any():
        out[:, uni] = a[uni] + u[:, uni] * width[uni]
    logn = est.kind == 3
    if logn.any():
        out[:, logn] = _lognormal(a[logn], m[logn], b[logn], z[:, logn])
    return out


def _lognormal(a: FloatArray, m: FloatArray, b: FloatArray, z: FloatArray) -> FloatArray:
    # Shifted lognormal above the optimistic value, with the PERT mean and (b - a) / 6 spread.
    mean = (a + 4 * m + b) / 6 - a
    sd = (b - a) / 6
    safe = np.where(mean > 0, mean, 1.0)
    sigma2 = np.log1p((sd / safe) ** 2)
    mu = np.log(safe) - sigma2 / 2
    draw = np.exp(mu + np.sqrt(sigma2) * z)
    return a + np.where(mean > 0, draw, 0.0)
