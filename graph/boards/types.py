"""GraphQL types of boards."""

from __future__ import annotations

import strawberry

from app.boards.board import Lane
from app.models import BoardColumn as ColumnModel
from app.models.enums import ColumnCategory
from graph.tasks.types import Task, tasks

strawberry.enum(ColumnCategory)


@strawberry.type(description="A board column of a project.")
class BoardColumn:
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    category: ColumnCategory
    wip_limit: int | None = strawberry.field(description="Soft limit on the cards it holds.")
    rank: str = strawberry.field(description="Order key among the columns (byte-wise).")
    server_version: int
    is_deleted: bool

    @classmethod
    def from_model(cls, column: ColumnModel) -> BoardColumn:
        return cls(
            id=strawberry.ID(str(column.id)),
            project_id=strawberry.ID(str(column.project_id)),
            name=column.name,
            category=ColumnCategory(column.category),
            wip_limit=column.wip_limit,
            rank=column.rank,
            server_version=column.server_version,
            is_deleted=column.is_deleted,
        )


@strawberry.type(description="A column with its cards in order.")
class BoardLane:
    column: BoardColumn
    cards: list[Task] = strawberry.field(description="The cards matching the filter, in order.")
    card_count: int = strawberry.field(description="All cards in the column (unfiltered).")
    wip_exceeded: bool = strawberry.field(description="cardCount is above the WIP limit.")

    @classmethod
    def from_lane(cls, lane: Lane) -> BoardLane:
        return cls(
            column=BoardColumn.from_model(lane.column),
            cards=tasks([(card, None) for card in lane.cards]),
            card_count=lane.card_count,
            wip_exceeded=lane.wip_exceeded,
        )


@strawberry.type(description="A project's board: its columns left to right.")
class Board:
    project_id: strawberry.ID
    lanes: list[BoardLane]


@strawberry.type
class BoardColumnPayload:
    column: BoardColumn


@strawberry.type
class DeleteBoardColumnPayload:
    column: BoardColumn = strawberry.field(description="The tombstone.")
    moved_task_ids: list[strawberry.ID] = strawberry.field(
        description="Cards moved to `moveCardsTo`, in their new order."
    )
