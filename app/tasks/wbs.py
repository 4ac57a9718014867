"""WBS path and sibling-rank logic (pure functions, no I/O).

Labels: every task's `ltree` label is `t` + its UUID's 32 hex digits, so a path never changes
when siblings are inserted, renamed or reordered, and a path names its ancestors' ids
directly (`parentId` needs no query). Order among siblings lives in `wbs_rank`, a fractional
order key from `app.ranks` compared byte-wise (the "C" collation): a new key always fits
strictly between two neighbours without touching them, and appending grows keys only
logarithmically.
"""

from __future__ import annotations

import uuid

# Joins the ranks of a path into one sort key; it sorts below every key character, so a
# parent's key sorts before its children's and a shorter rank before its extensions.
SORT_KEY_SEPARATOR = "."


def label_for(task_id: uuid.UUID) -> str:
    """The `ltree` label of one task."""
    return "t" + task_id.hex


def id_from_label(label: str) -> uuid.UUID:
    """Inverse of `label_for`."""
    return uuid.UUID(hex=label[1:])


def child_path(parent_path: str | None, task_id: uuid.UUID) -> str:
    """The path of `task_id` placed under `parent_path` (None = top level)."""
    label = label_for(task_id)
    return f"{parent_path}.{label}" if parent_path else label


def parent_path(path: str) -> str | None:
    """The parent's path, or None for a top-level task."""
    head, _, _ = path.rpartition(".")
    return head or None


def parent_id(path: str) -> uuid.UUID | None:
    """The parent task's id, read from the path itself."""
    head = parent_path(path)
    return id_from_label(head.rpartition(".")[2]) if head else None


def depth(path: str) -> int:
    """1 for a top-level task, 2 for its children, and so on."""
    return path.count(".") + 1


def is_same_or_descendant(path: str, ancestor: str) -> bool:
    """True when `path` is `ancestor` itself or lies inside its subtree."""
    return path == ancestor or path.startswith(ancestor + ".")
