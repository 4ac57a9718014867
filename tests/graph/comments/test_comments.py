"""Task comments over GraphQL: rendering, editing, pagination, events and permissions."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import update

from app.events.types import EventType
from app.models import ProjectMember
from app.models.enums import Role
from app.state import AppState, unit_of_work
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.tasks.factories import World, create_task, make_world

CREATE = """
mutation($t: ID!, $body: String!, $format: CommentFormat) {
  createComment(input: {taskId: $t, body: $body, format: $format}) {
    __typename
    ... on CommentPayload { comment { id taskId projectId authorId body format bodyHtml
                                      serverVersion isDeleted } }
    ... on ValidationError { fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
UPDATE = """
mutation($id: ID!, $body: String, $format: CommentFormat) {
  updateComment(id: $id, input: {body: $body, format: $format}) {
    __typename
    ... on CommentPayload { comment { body format bodyHtml serverVersion } }
    ... on Forbidden { message }
  }
}"""
DELETE = """
mutation($id: ID!) { deleteComment(id: $id) {
  __typename ... on CommentPayload { comment { isDeleted } } ... on Forbidden { message } } }"""
LIST = """
query($t: ID!, $first: Int, $after: String) {
  comments(taskId: $t, first: $first, after: $after) {
    totalCount nodes { body } pageInfo { hasNextPage endCursor }
  }
}"""


async def _comment(
    gql: GraphQLClient, user: Any, task: str, body: str, format: str = "PLAIN"
) -> dict[str, Any]:
    result = await gql(CREATE, {"t": task, "body": body, "format": format}, user=user)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["createComment"]
    return payload


async def test_markdown_is_rendered_sanitized_and_the_source_kept(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    member = world.users[Role.TEAM_MEMBER].id
    source = "**Blocked** by <script>alert(1)</script> [see](javascript:alert(1))"
    created = await _comment(gql, member, task["id"], source, "MARKDOWN")
    comment = created["comment"]
    assert comment["body"] == source
    assert comment["bodyHtml"] == (
        "<p><strong>Blocked</strong> by &lt;script&gt;alert(1)&lt;/script&gt; "
        "[see](javascript:alert(1))</p>\n"
    )
    assert (comment["format"], comment["authorId"], comment["taskId"]) == (
        "MARKDOWN",
        str(member),
        task["id"],
    )
    assert comment["projectId"] == str(world.project.id)
    edited = await gql(UPDATE, {"id": comment["id"], "format": "PLAIN"}, user=member)
    assert edited["data"]["updateComment"]["comment"] == {
        "body": source,
        "format": "PLAIN",
        "bodyHtml": "<p>**Blocked** by &lt;script&gt;alert(1)&lt;/script&gt; "
        "[see](javascript:alert(1))</p>",
        "serverVersion": 2,
    }


async def test_empty_or_oversized_bodies_are_rejected(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    empty = await _comment(gql, world.pm, task["id"], "  \n ")
    assert empty["fields"] == [{"path": ["input", "body"], "message": "must not be empty"}]
    huge = await _comment(gql, world.pm, task["id"], "x" * 20_001)
    assert huge["fields"] == [
        {"path": ["input", "body"], "message": "must be at most 20000 characters"}
    ]
    missing = await _comment(gql, world.pm, "00000000-0000-0000-0000-000000000001", "hi")
    assert missing == {"__typename": "NotFound", "message": "task not found"}


async def test_comments_page_oldest_first_and_hide_deleted(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    other = await create_task(gql, world.pm, world.project, "Other")
    ids = [(await _comment(gql, world.pm, task["id"], f"c{i}"))["comment"]["id"] for i in range(5)]
    await _comment(gql, world.pm, other["id"], "elsewhere")
    await gql(DELETE, {"id": ids[1]}, user=world.pm)
    viewer = world.users[Role.VIEWER].id
    first = (await gql(LIST, {"t": task["id"], "first": 2}, user=viewer))["data"]["comments"]
    assert [n["body"] for n in first["nodes"]] == ["c0", "c2"]
    assert first["totalCount"] == 4
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        LIST, {"t": task["id"], "first": 5, "after": first["pageInfo"]["endCursor"]}, user=viewer
    )
    assert [n["body"] for n in rest["data"]["comments"]["nodes"]] == ["c3", "c4"]
    stranger = await make_user(db)
    hidden = await gql(LIST, {"t": task["id"]}, user=stranger.id)
    assert hidden["data"]["comments"]["totalCount"] == 0


async def test_comment_events_after_commit(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    async with db.events.subscribe(world.project.id) as stream:
        comment = (await _comment(gql, world.pm, task["id"], "hello"))["comment"]
        await gql(UPDATE, {"id": comment["id"], "body": "hello again"}, user=world.pm)
        await gql(DELETE, {"id": comment["id"]}, user=world.pm)
        events = [await asyncio.wait_for(stream.next(), 5) for _ in range(3)]
    assert [e.type for e in events] == [
        EventType.COMMENT_CREATED,
        EventType.COMMENT_UPDATED,
        EventType.COMMENT_DELETED,
    ]
    assert [e.payload["serverVersion"] for e in events] == [1, 2, 3]
    assert {e.payload["commentId"] for e in events} == {comment["id"]}
    assert {e.payload["taskId"] for e in events} == {task["id"]}


def _role_users(world: World) -> dict[str, Any]:
    users: dict[str, Any] = {role.name: world.users[role].id for role in Role}
    users["WORKSPACE_OWNER"] = world.owner.id
    return users


async def test_permission_matrix(gql: GraphQLClient, db: AppState) -> None:
    """Team Member+ comment; only the author edits; the author or a Project Admin deletes."""
    world = await make_world(db)
    outsider = await make_user(db)
    task = await create_task(gql, world.pm, world.project, "T")
    users = _role_users(world) | {"NON_MEMBER": outsider.id}
    author = world.users[Role.TEAM_MEMBER].id

    create = {name: (await _comment(gql, user, task["id"], "x"))["__typename"]
              for name, user in users.items()}  # fmt: skip
    assert create == {
        "VIEWER": "Forbidden",
        "TEAM_MEMBER": "CommentPayload",
        "RESOURCE_MANAGER": "CommentPayload",
        "PROJECT_MANAGER": "CommentPayload",
        "PROJECT_ADMIN": "CommentPayload",
        "WORKSPACE_OWNER": "CommentPayload",
        "NON_MEMBER": "NotFound",
    }

    async def outcome(query: str, user: Any) -> str:
        comment = (await _comment(gql, author, task["id"], "mine"))["comment"]
        variables = {"id": comment["id"]} | ({"body": "edited"} if "$body" in query else {})
        body = await gql(query, variables, user=user)
        assert "errors" not in body, body
        name: str = next(iter(body["data"].values()))["__typename"]
        return name

    edit = {name: await outcome(UPDATE, user) for name, user in users.items()}
    assert edit == {name: "Forbidden" for name in users} | {
        "TEAM_MEMBER": "CommentPayload",
        "NON_MEMBER": "NotFound",
    }
    delete = {name: await outcome(DELETE, user) for name, user in users.items()}
    assert delete == {name: "Forbidden" for name in users} | {
        "TEAM_MEMBER": "CommentPayload",
        "PROJECT_ADMIN": "CommentPayload",
        "WORKSPACE_OWNER": "CommentPayload",
        "NON_MEMBER": "NotFound",
    }


async def test_an_author_demoted_to_viewer_can_no_longer_edit(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    author = world.users[Role.TEAM_MEMBER].id
    comment = (await _comment(gql, author, task["id"], "mine"))["comment"]
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(ProjectMember)
            .where(ProjectMember.user_id == author, ProjectMember.project_id == world.project.id)
            .values(role=int(Role.VIEWER))
        )
    body = await gql(UPDATE, {"id": comment["id"], "body": "x"}, user=author)
    assert body["data"]["updateComment"] == {
        "__typename": "Forbidden",
        "message": "only its author may edit a comment",
    }
