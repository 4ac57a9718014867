"""Board mutations: columns (create, update, delete) and the card move `moveTask`."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app.boards import cards, columns
from app.errors import FieldProblem, ValidationFailed
from app.models.enums import ColumnCategory
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.boards.types import BoardColumn, BoardColumnPayload, DeleteBoardColumnPayload
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.tasks.inputs import ref
from graph.tasks.types import Task, TaskPayload, ids

ColumnResult = Annotated[
    BoardColumnPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("BoardColumnResult"),
]
DeleteColumnResult = Annotated[
    DeleteBoardColumnPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("DeleteBoardColumnResult"),
]
MoveTaskResult = Annotated[
    TaskPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("MoveTaskResult"),
]


@strawberry.input
class CreateBoardColumnInput:
    project_id: strawberry.ID
    name: str
    category: ColumnCategory
    wip_limit: int | None = None
    before_id: strawberry.ID | None = strawberry.field(
        default=None, description="Place it just before this column (default: last)."
    )
    after_id: strawberry.ID | None = strawberry.field(
        default=None, description="Place it just after this column."
    )


@strawberry.input
class UpdateBoardColumnInput:
    name: str | None = strawberry.UNSET
    category: ColumnCategory | None = strawberry.UNSET
    wip_limit: int | None = strawberry.field(
        default=strawberry.UNSET, description="null clears the limit."
    )
    before_id: strawberry.ID | None = strawberry.field(
        default=None, description="Move it just before this column."
    )
    after_id: strawberry.ID | None = strawberry.field(
        default=None, description="Move it just after this column."
    )


def _values(data: CreateBoardColumnInput | UpdateBoardColumnInput) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("name", "category", "wip_limit"):
        value = getattr(data, name)
        if value is strawberry.UNSET:
            continue
        if value is None and name != "wip_limit":
            raise ValidationFailed([FieldProblem(("input", name), "must not be null")])
        values[name] = value.value if isinstance(value, ColumnCategory) else value
    return values


@strawberry.type
class BoardMutation:
    @strawberry.mutation(description="Add a board column (Project Manager).")
    async def create_board_column(self, info: Info, input: CreateBoardColumnInput) -> ColumnResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> BoardColumnPayload:
            column = await columns.create_column(
                uow,
                user_id,
                parse_id(input.project_id, "project"),
                _values(input),
                ref(input.before_id),
                ref(input.after_id),
            )
            return BoardColumnPayload(column=BoardColumn.from_model(column))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Rename, re-categorize, set the WIP limit or re-order a column (PM)."
    )
    async def update_board_column(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateBoardColumnInput,
        server_version: int | None = None,
    ) -> ColumnResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> BoardColumnPayload:
            column = await columns.update_column(
                uow,
                user_id,
                parse_id(id, "column"),
                _values(input),
                ref(input.before_id),
                ref(input.after_id),
                server_version,
            )
            return BoardColumnPayload(column=BoardColumn.from_model(column))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Delete a column (Project Manager); its cards go to the end of "
        "`moveCardsTo`, required while it holds any. The last column cannot go."
    )
    async def delete_board_column(
        self,
        info: Info,
        id: strawberry.ID,
        move_cards_to: strawberry.ID | None = None,
        server_version: int | None = None,
    ) -> DeleteColumnResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> DeleteBoardColumnPayload:
            column, moved = await columns.delete_column(
                uow, user_id, parse_id(id, "column"), ref(move_cards_to), server_version
            )
            return DeleteBoardColumnPayload(
                column=BoardColumn.from_model(column), moved_task_ids=ids(moved)
            )

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Move a card on the board (Team Member): into `columnId`, just before "
        "`beforeId` or after `afterId` (a card of that column), else last. Only the task's "
        "row changes; emits CARD_MOVED. WBS moves are `moveWbsTask`."
    )
    async def move_task(
        self,
        info: Info,
        task_id: strawberry.ID,
        column_id: strawberry.ID,
        before_id: strawberry.ID | None = None,
        after_id: strawberry.ID | None = None,
        server_version: int | None = None,
    ) -> MoveTaskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> TaskPayload:
            column = ref(column_id)
            assert column is not None
            move = cards.CardMove(
                task_id=parse_id(task_id, "task"),
                column_id=column,
                before_id=ref(before_id),
                after_id=ref(after_id),
                expected_version=server_version,
            )
            task = await cards.move_card(uow, user_id, move)
            return TaskPayload(task=Task.from_model(task))

        return await run_mutation(info, work)  # type: ignore[return-value]
