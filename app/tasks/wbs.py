"""WBS path and sibling-rank logic (pure functions, no I/O).

Labels: every task's `ltree` label is `t` + its UUID's 32 hex digits, so a path never changes
when siblings are inserted, renamed or reordered, and a path names its ancestors' ids
directly (`parentId` needs no query). Order among siblings lives in `wbs_rank`, a
lexicographic fractional rank over the digits `0-9a-z` compared with the "C" collation:
a new rank can always be generated strictly between two neighbours without touching them.
"""

from __future__ import annotations

import uuid

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
# Joins the ranks of a path into one sort key; it sorts below every digit in "C" order, so a
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


def rank_between(low: str | None, high: str | None) -> str:
    """A rank strictly between `low` and `high` (None = open end).

    Ranks never end in "0", which is what keeps a slot free below any rank.
    """
    lo = low or ""
    if high is not None and lo >= high:
        raise ValueError(f"rank {low!r} is not below {high!r}")
    return _midpoint(lo, high)


def _midpoint(low: str, high: str | None) -> str:
    if high is not None:
        # Keep the common prefix (padding `low` with the smallest digit) and recurse on the rest.
        n = 0
        while n < len(high) and (low[n] if n < len(low) else DIGITS[0]) == high[n]:
            n += 1
        if n > 0:
            return high[:n] + _midpoint(low[n:], high[n:])
    digit_low = DIGITS.index(low[0]) if low else 0
    digit_high = DIGITS.index(high[0]) if high is not None else _BASE
    if digit_high - digit_low > 1:
        return DIGITS[(digit_low + digit_high) // 2]
    # Adjacent first digits: a longer `high` lets its first digit alone fit in between;
    # otherwise keep low's first digit and go one level deeper with an open upper end.
    if high is not None and len(high) > 1:
        return high[0]
    return DIGITS[digit_low] + _midpoint(low[1:], None)
