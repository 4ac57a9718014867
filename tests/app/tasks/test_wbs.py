"""Pure WBS helpers: labels, parent ids and fractional ranks."""

from __future__ import annotations

import random
import uuid

import pytest

from app.tasks import wbs


def test_labels_round_trip_and_paths_name_parents() -> None:
    parent, child = uuid.uuid4(), uuid.uuid4()
    path = wbs.child_path(wbs.child_path(None, parent), child)
    assert path == f"t{parent.hex}.t{child.hex}"
    assert wbs.parent_id(path) == parent
    assert wbs.parent_id(wbs.label_for(parent)) is None
    assert wbs.depth(path) == 2
    assert wbs.is_same_or_descendant(path, wbs.label_for(parent))
    assert not wbs.is_same_or_descendant(wbs.label_for(parent), path)


def test_rank_between_simple_cases() -> None:
    assert wbs.rank_between(None, None) == "i"
    assert wbs.rank_between("i", None) == "r"
    assert wbs.rank_between(None, "i") == "9"
    assert wbs.rank_between("a", "b") == "ai"
    assert wbs.rank_between("a", "a1") == "a0i"
    with pytest.raises(ValueError, match="not below"):
        wbs.rank_between("b", "a")


def test_random_insertions_keep_a_strict_order() -> None:
    rng = random.Random(7)
    ranks: list[str] = []
    for _ in range(500):
        slot = rng.randint(0, len(ranks))
        low = ranks[slot - 1] if slot > 0 else None
        high = ranks[slot] if slot < len(ranks) else None
        new = wbs.rank_between(low, high)
        assert low is None or low < new
        assert high is None or new < high
        assert not new.endswith("0")
        ranks.insert(slot, new)
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 500
