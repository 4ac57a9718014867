"""Pure WBS helpers: labels and parent ids (sibling keys: tests/app/test_ranks.py)."""

from __future__ import annotations

import uuid

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
