"""Fractional order keys: hand-checked cases and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import ranks


def test_known_keys() -> None:
    assert ranks.key_between(None, None) == "a0"
    assert ranks.key_between("a0", None) == "a1"
    assert ranks.key_between("az", None) == "b00"
    assert ranks.key_between(None, "a0") == "Zz"
    assert ranks.key_between(None, "Z0") == "Yzz"
    assert ranks.key_between("a0", "a1") == "a0V"
    assert ranks.key_between("a0", "a0V") == "a0F"
    assert ranks.key_between("a0V", "a1") == "a0k"
    assert ranks.key_between("a1", "a3") == "a2"
    assert ranks.keys_after(None, 3) == ["a0", "a1", "a2"]


@pytest.mark.parametrize(
    ("low", "high"), [("a1", "a1"), ("a2", "a1"), ("", None), ("a10", None), ("a", None)]
)
def test_bad_bounds_raise(low: str, high: str | None) -> None:
    with pytest.raises(ranks.RankError):
        ranks.key_between(low, high)


def test_moves_to_either_end_grow_keys_logarithmically() -> None:
    key = ranks.FIRST
    for _ in range(100_000):
        key = ranks.key_between(key, None)
    assert len(key) <= 4
    key = ranks.FIRST
    for _ in range(100_000):
        key = ranks.key_between(None, key)
    assert len(key) <= 4


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=300))
def test_random_insertions_keep_a_strict_valid_order(slots: list[int]) -> None:
    keys: list[str] = []
    for raw in slots:
        slot = raw % (len(keys) + 1)
        low = keys[slot - 1] if slot else None
        high = keys[slot] if slot < len(keys) else None
        new = ranks.key_between(low, high)
        assert ranks.validate(new) == new
        assert low is None or low < new
        assert high is None or new < high
        keys.insert(slot, new)
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=2, max_size=60))
def test_repeated_insertion_at_one_spot_stays_between_neighbours(slots: list[int]) -> None:
    # Always insert right after the first key: the worst case for key length.
    keys = ranks.keys_after(None, 2)
    for _ in slots:
        new = ranks.key_between(keys[0], keys[1])
        assert keys[0] < new < keys[1]
        keys.insert(1, new)
    assert keys == sorted(keys)
    assert len(keys[1]) <= 2 + len(slots)
