"""WBS tree queries: a whole project, children, a subtree and ancestors, each in WBS order.

Every list costs a fixed number of SQL statements, whatever the size of the tree (tests
count them); each carries every task's outline number (app/tasks/tree.py).
"""

from __future__ import annotations

import strawberry

from app.tasks import tree
from graph.context import Info
from graph.tasks.queries import lookup_id
from graph.tasks.types import Task, tasks


def _tasks(nodes: list[tree.Node]) -> list[Task]:
    return tasks([(node.task, node.outline) for node in nodes])


@strawberry.type
class WbsQuery:
    @strawberry.field(
        description="Every live task of a project in WBS order (depth-first, siblings by "
        "rank), unpaginated, with outline numbers. Empty when the project is not visible."
    )
    async def wbs_tree(self, info: Info, project_id: strawberry.ID) -> list[Task]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            return _tasks(await tree.project_tree(session, user_id, lookup_id(project_id)))

    @strawberry.field(
        description="The direct children of `parentId` in rank order; top-level tasks when "
        "`parentId` is null. Empty when the project or parent is not visible."
    )
    async def wbs_children(
        self, info: Info, project_id: strawberry.ID, parent_id: strawberry.ID | None = None
    ) -> list[Task]:
        user_id = info.context.require_user()
        project = lookup_id(project_id)
        async with info.context.session() as session:
            parent = None
            if parent_id is not None:
                parent = await tree.visible_task(session, user_id, lookup_id(parent_id))
                if parent is None or parent.project_id != project:
                    return []
            return _tasks(await tree.children(session, user_id, project, parent))

    @strawberry.field(description="A task followed by all its descendants, in WBS order.")
    async def wbs_subtree(self, info: Info, task_id: strawberry.ID) -> list[Task]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            root = await tree.visible_task(session, user_id, lookup_id(task_id))
            return [] if root is None else _tasks(await tree.subtree(session, user_id, root))

    @strawberry.field(description="The ancestors of a task, top level first (task excluded).")
    async def wbs_ancestors(self, info: Info, task_id: strawberry.ID) -> list[Task]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            task = await tree.visible_task(session, user_id, lookup_id(task_id))
            return [] if task is None else _tasks(await tree.ancestors(session, user_id, task))
