"""Helpers of the board sync tests: a world with a sync client per role, GraphQL shortcuts and
the board events published since a point."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from app.events import EventType
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import World, make_world


@dataclass
class BoardWorld:
    world: World
    gql: GraphQLClient
    db: AppState
    clients: dict[Role, SyncClient]

    @property
    def project(self) -> uuid.UUID:
        return self.world.project.id

    @property
    def pm(self) -> SyncClient:
        return self.clients[Role.PROJECT_MANAGER]

    async def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        """Run a mutation as the Project Manager; returns its (single) result."""
        body = await self.gql(query, variables, user=self.world.pm)
        assert "errors" not in body, body
        result: dict[str, Any] = next(iter(body["data"].values()))
        return result

    async def seq(self) -> int:
        replay = await self.db.events.store.replay(self.project, 0)
        return max((e.seq for e in replay.events), default=0)

    async def events_since(self, seq: int) -> list[tuple[EventType, dict[str, Any]]]:
        replay = await self.db.events.store.replay(self.project, 0)
        return [(e.type, e.payload) for e in replay.events if e.seq > seq]


async def board_world(
    db: AppState, http: httpx.AsyncClient, settings: Settings, gql: GraphQLClient
) -> BoardWorld:
    world = await make_world(db)
    clients = {
        role: SyncClient(http, settings, user.id, world.project.id)
        for role, user in world.users.items()
    }
    return BoardWorld(world, gql, db, clients)


def by_name(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A pulled table keyed by its records' `name`."""
    return {record["name"]: record for record in records.values()}


CREATE_LABEL = """
mutation($p: ID!, $name: String!) {
  createLabel(input: {projectId: $p, name: $name}) { ... on LabelPayload { label { id } } }
}"""
UPDATE_LABEL = """
mutation($id: ID!, $name: String!) {
  updateLabel(id: $id, input: {name: $name}) { __typename }
}"""
DELETE_LABEL = "mutation($id: ID!) { deleteLabel(id: $id) { __typename } }"
ADD_LABEL = "mutation($t: ID!, $l: ID!) { addTaskLabel(taskId: $t, labelId: $l) { __typename } }"
REMOVE_LABEL = (
    "mutation($t: ID!, $l: ID!) { removeTaskLabel(taskId: $t, labelId: $l) { __typename } }"
)
RENAME_COLUMN = """
mutation($id: ID!, $name: String!) {
  updateBoardColumn(id: $id, input: {name: $name}) { __typename }
}"""
DELETE_COLUMN = "mutation($id: ID!) { deleteBoardColumn(id: $id) { __typename } }"
