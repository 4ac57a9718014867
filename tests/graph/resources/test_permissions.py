"""The role matrix of the pool, assignments and leveling, and object-level authorization:
every actor, from a stranger to the Project Admin, against the same workspace."""

from __future__ import annotations

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.resources.helpers import ASSIGN, CREATE_RESOURCE, LEVEL, create_resource, scope
from tests.graph.tasks.factories import create_task, make_world


async def test_who_may_manage_assign_level_and_see(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    stranger = await make_user(db)
    actors = {None: stranger.id, **{role: user.id for role, user in world.users.items()}}
    owner_resource = await create_resource(gql, world.owner.id, world.project.workspace_id, "Pool")
    outcomes: dict[tuple[str, Role | None], str] = {}
    for role, user in actors.items():
        made = await gql(
            CREATE_RESOURCE,
            {"input": {"workspaceId": str(world.project.workspace_id), "name": f"R {role}"}},
            user=user,
        )
        outcomes["create", role] = made["data"]["createResource"]["__typename"]
        task = await create_task(gql, world.pm, world.project, f"T {role}", duration=2)
        assigned = await gql(
            ASSIGN,
            {"input": {"taskId": task["id"], "resourceId": owner_resource["id"]}},
            user=user,
        )
        outcomes["assign", role] = assigned["data"]["assignResource"]["__typename"]
        leveled = await gql(
            LEVEL, {"scope": scope("PROJECT", world.project.id), "apply": True}, user=user
        )
        outcomes["level", role] = leveled["data"]["levelResources"]["__typename"]
        seen = await gql(
            "query($id: ID!) { resource(id: $id) { name } }",
            {"id": owner_resource["id"]},
            user=user,
        )
        outcomes["read", role] = "seen" if seen["data"]["resource"] else "null"
    manager_or_above = {Role.RESOURCE_MANAGER, Role.PROJECT_MANAGER, Role.PROJECT_ADMIN}
    for role in actors:
        if role is None:
            expected = {"create": "NotFound", "assign": "NotFound", "level": "NotFound",
                        "read": "null"}  # fmt: skip
        elif role in manager_or_above:
            expected = {"create": "ResourcePayload", "assign": "AssignmentPayload",
                        "level": "LevelingPayload", "read": "seen"}  # fmt: skip
        else:
            expected = {"create": "Forbidden", "assign": "Forbidden", "level": "Forbidden",
                        "read": "seen"}  # fmt: skip
        got = {op: outcomes[op, role] for op in expected}
        assert got == expected, role
