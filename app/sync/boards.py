"""Registry entries of the board: columns, labels and the labels on tasks; and how a pushed
card position (a task's `column_id` / `board_rank`) becomes a board move.

Every write goes through the board and label services GraphQL uses, so permissions (columns
and label edits need a Project Manager), validation (unique names, categories, colours, the
cards of a deleted column) and board events (`column_*`, `label_*`, `task_labels_changed`,
`card_moved`, published after the push commits) are the same whichever API a change came from.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from app.boards import columns
from app.boards.cards import CardMove, move_card
from app.errors import FieldProblem, ValidationFailed
from app.labels import service as labels
from app.models import BoardColumn, Label, Task, TaskLabel
from app.state import UnitOfWork
from app.sync.registry import Appliers, SyncedTable, register, required

CARD_FIELDS = ("column_id", "board_rank")
"""The task columns that place its card; a push changes them through `move_card`."""
RANK_NOTE = (
    "Fractional order key (digits 0-9A-Za-z, compared byte-wise). A pushed key is kept "
    "unless another item holds it; then the item goes right after that one."
)
CARD_NOTES = {
    "column_id": "The card's board column; a change moves the card as moveTask does "
    "(card_moved event). Null is refused.",
    "board_rank": RANK_NOTE + " Pushed with a changed column_id, or alone to re-order.",
}


def take_card(values: dict[str, Any]) -> dict[str, Any]:
    """Remove and return the card position fields of a pushed task's values."""
    return {name: values.pop(name) for name in CARD_FIELDS if name in values}


async def place_card(
    uow: UnitOfWork, user: uuid.UUID, task_id: uuid.UUID, card: dict[str, Any], *, created: bool
) -> None:
    """Apply a pushed card position like `moveTask`: the column (unchanged if not sent) and
    the client's order key (kept unless another card holds it; without one, last). A new task
    starts where `create_task` put it, so only a position differing from that moves it."""
    if not card:
        return
    if "column_id" in card and card["column_id"] is None and not created:
        raise ValidationFailed(
            [FieldProblem(("changes", "tasks", "column_id"), "a card cannot leave the board")]
        )
    current = (
        await uow.session.execute(select(Task.column_id, Task.board_rank).where(Task.id == task_id))
    ).one()
    column = card.get("column_id") or current.column_id
    rank = card.get("board_rank")
    if column is None:
        raise ValidationFailed(
            [FieldProblem(("changes", "tasks", "column_id"), "the project has no board column")]
        )
    if column == current.column_id and rank in (None, current.board_rank):
        return
    await move_card(uow, user, CardMove(task_id, column, rank=rank))


def _not_null(table: str, values: dict[str, Any], *names: str) -> None:
    """Columns that a push may leave out but not set to null."""
    nulls = [name for name in names if name in values and values[name] is None]
    if nulls:
        raise ValidationFailed(
            [FieldProblem(("changes", table, name), "must not be null") for name in nulls]
        )


async def _create_column(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    required("board_columns", v, "name", "category")
    _not_null("board_columns", v, "rank")
    rank = v.pop("rank", None)
    await columns.create_column(uow, user, project, v, None, None, column_id=row_id, rank=rank)


async def _update_column(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    _not_null("board_columns", v, "rank")
    rank = v.pop("rank", None)
    await columns.update_column(uow, user, row_id, v, None, None, None, rank=rank)


async def _delete_column(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    # No target column: as over GraphQL without `moveCardsTo`, a column still holding cards
    # is refused (the client moves them first, e.g. as task updates in the same push).
    await columns.delete_column(uow, user, row_id, None, None)


_COLUMN_FIELDS = ("name", "category", "wip_limit", "rank")

register(
    SyncedTable(
        name="board_columns",
        model=BoardColumn,
        columns=("project_id", *_COLUMN_FIELDS),
        writable=frozenset(_COLUMN_FIELDS),
        appliers=Appliers(_create_column, _update_column, _delete_column),
        order=22,
        notes={
            "rank": RANK_NOTE,
            "category": "todo, in_progress or done.",
            "wip_limit": "Soft limit on the column's cards; null = none.",
        },
    )
)


async def _create_label(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    required("labels", v, "name")
    if v.get("color") is None:
        v.pop("color", None)  # the default colour, as when GraphQL omits it
    await labels.create_label(uow, user, project, v, label_id=row_id)


async def _update_label(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    await labels.update_label(uow, user, row_id, v, None)


async def _delete_label(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    await labels.delete_label(uow, user, row_id, None)


register(
    SyncedTable(
        name="labels",
        model=Label,
        columns=("project_id", "name", "color"),
        writable=frozenset({"name", "color"}),
        appliers=Appliers(_create_label, _update_label, _delete_label),
        notes={"color": "#rrggbb (stored in lower case; default #6b7280)."},
        order=23,
    )
)


async def _attach(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    task_id, label_id = required("task_labels", v, "task_id", "label_id")
    task = await labels.set_task_label(uow, user, task_id, label_id, on=True, link_id=row_id)
    if task.project_id != project:
        raise ValidationFailed.single("task_id", "the task is in another project")


async def _detach(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    # The push's conflict check found this row live in the project, so it is the live link
    # of its pair that the service detaches.
    pair = (
        await uow.session.execute(
            select(TaskLabel.task_id, TaskLabel.label_id).where(TaskLabel.id == row_id)
        )
    ).one()
    await labels.set_task_label(uow, user, pair.task_id, pair.label_id, on=False)


register(
    SyncedTable(
        name="task_labels",
        model=TaskLabel,
        columns=("project_id", "task_id", "label_id"),
        # A link is created or deleted, never edited (re-attaching is a new row).
        writable=frozenset({"task_id", "label_id"}),
        create_only=frozenset({"task_id", "label_id"}),
        appliers=Appliers(create=_attach, update=None, delete=_detach),
        order=64,
        notes={"label_id": "Creating a pair that is already linked is a 409 conflict."},
    )
)
