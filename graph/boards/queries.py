"""The board query."""

from __future__ import annotations

import uuid

import strawberry

from app.boards.board import BoardFilter, load_board
from graph.boards.types import Board, BoardLane
from graph.context import Info
from graph.tasks.inputs import ref
from graph.tasks.queries import lookup_id


@strawberry.input(description="Every given criterion must match; within a list, any value.")
class BoardFilterInput:
    assignee_ids: list[strawberry.ID] | None = None
    label_ids: list[strawberry.ID] | None = None
    sprint_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Cards planned into any of these sprints."
    )
    critical_only: bool = False


def _ids(raw: list[strawberry.ID] | None) -> tuple[uuid.UUID, ...]:
    return tuple(value for value in (ref(r) for r in raw or []) if value is not None)


@strawberry.type
class BoardQuery:
    @strawberry.field(
        description="A project's board: columns in order, each with its ordered cards "
        "(summary tasks excluded). Null when the project is not visible."
    )
    async def board(
        self, info: Info, project_id: strawberry.ID, filter: BoardFilterInput | None = None
    ) -> Board | None:
        user_id = info.context.require_user()
        wanted = filter or BoardFilterInput()
        criteria = BoardFilter(
            assignee_ids=_ids(wanted.assignee_ids),
            label_ids=_ids(wanted.label_ids),
            sprint_ids=_ids(wanted.sprint_ids),
            critical_only=wanted.critical_only,
        )
        async with info.context.session() as session:
            lanes = await load_board(session, user_id, lookup_id(project_id), criteria)
        if lanes is None:
            return None
        return Board(project_id=project_id, lanes=[BoardLane.from_lane(lane) for lane in lanes])
