"""Cross-project links: who may create them and why they can never close a loop.

A link between tasks of two projects is allowed only when both projects belong to the same
live program. Each project is still scheduled on its own (see `app.scheduling.external`), so a
loop through several projects would not fail any single run: it would make the projects
reschedule each other for ever. It is therefore refused when the link is created, by a search
over the task graph of the whole program.

Locks: the caller holds the successor's project row; the program row is locked after it (the
order is always project, then program), so two concurrent links that would each be fine alone
cannot together close a loop across projects.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import ConflictError, CycleError, FieldProblem, ValidationFailed
from app.models import Dependency, Program, Project, Task
from app.tasks import wbs

# A node of the program's task graph. A leaf task is one node; a summary task is two (links
# into it reach each leaf below it, links out of it leave from each leaf below it).
Node = tuple[str, uuid.UUID]


async def require_same_program(
    session: AsyncSession, predecessor_project: uuid.UUID, successor_project: uuid.UUID
) -> uuid.UUID:
    """The shared live program of two projects, or a ValidationFailed naming the rule."""
    rows = (
        await session.execute(
            select(Project.id, Project.program_id)
            .join(Program, Program.id == Project.program_id, isouter=True)
            .where(
                Project.id.in_([predecessor_project, successor_project]),
                Program.is_deleted.is_not(True),
            )
        )
    ).all()
    programs = {row[0]: row[1] for row in rows}
    program = programs.get(successor_project)
    if program is None or programs.get(predecessor_project) != program:
        raise ValidationFailed(
            [
                FieldProblem(
                    ("input", "predecessorId"),
                    "tasks of different projects can be linked only when both projects "
                    "belong to the same program",
                )
            ]
        )
    return program


async def _program_of(session: AsyncSession, project_id: uuid.UUID) -> uuid.UUID | None:
    stmt = select(Project.program_id).where(Project.id == project_id)
    program: uuid.UUID | None = (await session.execute(stmt)).scalar_one_or_none()
    return program


async def has_cross_links(session: AsyncSession, program_id: uuid.UUID) -> bool:
    """Whether any live link of the program crosses projects."""
    stmt = select(
        exists().where(
            Dependency.project_id == Project.id,
            Project.program_id == program_id,
            Dependency.predecessor_project_id.is_not(None),
            Dependency.is_deleted.is_(False),
        )
    )
    return bool((await session.execute(stmt)).scalar())


async def program_scope(
    session: AsyncSession, successor_project: uuid.UUID, *, cross: bool
) -> uuid.UUID | None:
    """The program whose whole task graph a new link must be checked against, locked; None
    when the project's own links suffice (no program, or no link crosses its projects)."""
    program = await _program_of(session, successor_project)
    if program is None:
        return None
    await session.execute(select(Program.id).where(Program.id == program).with_for_update())
    if cross or await has_cross_links(session, program):
        return program
    return None


async def check_program_link(
    session: AsyncSession, program_id: uuid.UUID, predecessor: uuid.UUID, successor: uuid.UUID
) -> None:
    """Refuse a duplicate (Conflict) or a link closing a loop anywhere in the program (the
    CycleError lists the loop's task ids in order, starting with the new predecessor)."""
    projects = select(Project.id).where(
        Project.program_id == program_id, Project.is_deleted.is_(False)
    )
    tasks = (
        await session.execute(
            select(Task.id, Task.wbs_path).where(
                Task.project_id.in_(projects), Task.is_deleted.is_(False)
            )
        )
    ).all()
    links = {
        (row[0], row[1])
        for row in (
            await session.execute(
                select(Dependency.predecessor_id, Dependency.successor_id).where(
                    Dependency.project_id.in_(projects), Dependency.is_deleted.is_(False)
                )
            )
        ).all()
    }
    if (predecessor, successor) in links:
        raise ConflictError("these tasks are already linked")
    graph = TaskGraph([(row[0], row[1]) for row in tasks], links)
    loop = graph.path(graph.entry(successor), graph.exit(predecessor))
    if loop is not None:
        raise CycleError([str(predecessor), *(str(t) for t in loop[:-1])])


class TaskGraph:
    """The precedence graph the engine sees: links, with summaries expanded to their leaves."""

    def __init__(
        self,
        tasks: Iterable[tuple[uuid.UUID, str]],
        links: Iterable[tuple[uuid.UUID, uuid.UUID]],
    ) -> None:
        rows = list(tasks)
        by_path = {path: task_id for task_id, path in rows}
        children: dict[uuid.UUID, list[uuid.UUID]] = {}
        for task_id, path in rows:
            parent = wbs.parent_path(path)
            if parent is not None and parent in by_path:
                children.setdefault(by_path[parent], []).append(task_id)
        self._summaries = set(children)
        self._next: dict[Node, list[Node]] = {}
        for summary, kids in children.items():
            for kid in kids:
                self._add(("in", summary), self.entry(kid))
                self._add(self.exit(kid), ("out", summary))
        for pred, succ in links:
            self._add(self.exit(pred), self.entry(succ))

    def _add(self, a: Node, b: Node) -> None:
        self._next.setdefault(a, []).append(b)

    def entry(self, task_id: uuid.UUID) -> Node:
        return ("in", task_id) if task_id in self._summaries else ("task", task_id)

    def exit(self, task_id: uuid.UUID) -> Node:
        return ("out", task_id) if task_id in self._summaries else ("task", task_id)

    def path(self, start: Node, goal: Node) -> list[uuid.UUID] | None:
        """Task ids along the shortest chain `start -> ... -> goal` (BFS), or None."""
        came_from: dict[Node, Node | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                chain = [node]
                while (prev := came_from[chain[-1]]) is not None:
                    chain.append(prev)
                ids: list[uuid.UUID] = []
                for _, task_id in reversed(chain):
                    if not ids or ids[-1] != task_id:
                        ids.append(task_id)
                return ids
            for nxt in self._next.get(node, ()):
                if nxt not in came_from:
                    came_from[nxt] = node
                    queue.append(nxt)
        return None
