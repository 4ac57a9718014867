"""Reading the history of one object, with the same visibility as the object's project."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import program_role_column, visible_projects, workspace_scope_clause
from app.errors import FieldProblem, ValidationFailed
from app.models import Base, HistoryEntry, Program, Versioned, WorkspaceMember


def history_tables() -> frozenset[str]:
    """Tables whose rows have history: every synced (Versioned) model's table."""
    return frozenset(
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Versioned) and isinstance(mapper.local_table, Table)
    )


def check_table(table: str) -> str:
    if table not in history_tables():
        known = ", ".join(sorted(history_tables()))
        raise ValidationFailed([FieldProblem(("objectType",), f"must be one of {known}")])
    return table


async def _program_reader(session: AsyncSession, user_id: uuid.UUID, program_id: uuid.UUID) -> bool:
    stmt = select(program_role_column(user_id)).where(Program.id == program_id)
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def _workspace_reader(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID
) -> bool:
    stmt = select(WorkspaceMember.id).where(
        WorkspaceMember.workspace_id == workspace_id,
        WorkspaceMember.user_id == user_id,
        workspace_scope_clause(user_id),
    )
    return (await session.execute(stmt)).first() is not None


# Synced tables whose rows belong to no project, and who may read their history.
_OUTSIDE_PROJECTS: dict[str, Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[bool]]] = {
    "program": _program_reader,
    "workspace": _workspace_reader,
}


async def object_history(
    session: AsyncSession, user_id: uuid.UUID, table: str, object_id: uuid.UUID
) -> Select[HistoryEntry]:
    """The statement selecting the entries of one object the user may read (ordering is the
    caller's). Project rows are readable by anyone with a role on the project (a viewer too,
    deleted objects included); programs by anyone with a role on the program, workspaces by
    their members. Without
    access the statement selects nothing, so the object's existence does not leak."""
    stmt = select(HistoryEntry).where(
        HistoryEntry.table_name == check_table(table), HistoryEntry.object_id == object_id
    )
    if table in _OUTSIDE_PROJECTS:
        allowed = await _OUTSIDE_PROJECTS[table](session, user_id, object_id)
        return stmt if allowed else stmt.where(HistoryEntry.id.is_(None))
    visible = visible_projects(user_id).subquery()
    return stmt.join(visible, visible.c.project_id == HistoryEntry.project_id)
