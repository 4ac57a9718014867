"""Spearman sensitivity: the counting implementation against ranking every element."""

from __future__ import annotations

import numpy as np
import pytest

from scheduler import _spearman
from scheduler._spearman import average_ranks, spearman


def _reference_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks by sorting: each run of equal values gets the mean of its positions."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    start = 0
    for end in range(1, values.size + 1):
        if end == values.size or sorted_values[end] != sorted_values[start]:
            ranks[order[start:end]] = (start + end + 1) / 2
            start = end
    return ranks


def _reference(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
    t = _reference_ranks(target)
    t -= t.mean()
    out = np.zeros(rows.shape[0])
    for i, row in enumerate(rows):
        r = _reference_ranks(row)
        r -= r.mean()
        norm = np.sqrt((r * r).sum() * (t * t).sum())
        out[i] = (r @ t) / norm if norm > 0 else 0.0
    return out


def _sample(seed: int, rows: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.integers(1, 12, rows)[:, None]
    values = (2 * (base + rng.binomial(6, 0.4, (rows, n))) - 1).astype(np.int16)
    values[0] = 7  # a constant row has rho 0
    target = values[1:].astype(np.int64).sum(axis=0) // 3 + rng.integers(0, 3, n)
    return values, target


@pytest.mark.parametrize(("rows", "n"), [(1, 1), (2, 5), (40, 301), (7, 2000)])
def test_matches_ranking_every_element(rows: int, n: int) -> None:
    values, target = _sample(rows * 1000 + n, rows, n)
    got = spearman(values, target)
    assert got == pytest.approx(_reference(values, target), abs=1e-12)
    assert got[0] == 0.0


def test_average_ranks_share_ties() -> None:
    assert average_ranks(np.array([5, 3, 5, 9, 3, 5])).tolist() == [4.0, 1.5, 4.0, 6.0, 1.5, 4.0]


def test_constant_target_gives_zero() -> None:
    values, _ = _sample(1, 5, 50)
    assert spearman(values, np.full(50, 4, np.int64)).tolist() == [0.0] * 5


def test_unpacked_path_gives_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the iteration count where counts and sums share one float, two counts are used."""
    values, target = _sample(3, 30, 777)
    packed = spearman(values, target)
    monkeypatch.setattr(_spearman, "_EXACT", 0.0)
    assert spearman(values, target).tolist() == packed.tolist()


def test_blocks_do_not_change_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    values, target = _sample(4, 50, 400)
    whole = spearman(values, target)
    monkeypatch.setattr(_spearman, "_BLOCK_CELLS", 1000)  # two rows per block
    assert spearman(values, target).tolist() == whole.tolist()
