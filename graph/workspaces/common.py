"""Pieces shared by the workspace, program and project GraphQL domains: id parsing, per-request
DataLoaders, the role enums and the membership type."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from app.errors import FieldProblem, NotFoundError, ValidationFailed
from app.models import User as UserModel
from app.models.enums import Role, WorkspaceRole
from graph.auth.types import User
from graph.context import Info

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

RoleEnum = strawberry.enum(
    Role, name="Role", description="Project/program role; each includes the ones below it."
)
WorkspaceRoleEnum = strawberry.enum(WorkspaceRole, name="WorkspaceRole")


def parse_id(value: str | None) -> uuid.UUID | None:
    """The UUID in a GraphQL ID, or None when it is malformed (treated as "not found")."""
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def require_id(value: str, label: str) -> uuid.UUID:
    """The UUID in a GraphQL ID; a malformed id is an object that does not exist."""
    parsed = parse_id(value)
    if parsed is None:
        raise NotFoundError(f"{label} not found")
    return parsed


def id_argument(value: str | None, *path: str) -> uuid.UUID | None:
    """The UUID of an id that *refers* to something (not the mutation's target): a malformed
    value is bad input at `path`, not a missing object."""
    if value is None:
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise ValidationFailed([FieldProblem(path, "is not a valid id")])
    return parsed


def loader(
    info: Info, key: str, load: Callable[[Sequence[K]], Awaitable[Sequence[V]]]
) -> DataLoader[K, V]:
    """The request's DataLoader under `key`, created on first use (batches one query per list)."""
    loaders = info.context.loaders
    if key not in loaders:
        loaders[key] = DataLoader(load_fn=load)
    found: DataLoader[K, V] = loaders[key]
    return found


def group(rows: Sequence[tuple[uuid.UUID, Any]], keys: Sequence[uuid.UUID]) -> list[list[Any]]:
    """Rows `(key, value)` grouped in the order of `keys` (missing keys get an empty list)."""
    grouped: dict[uuid.UUID, list[Any]] = {key: [] for key in keys}
    for key, value in rows:
        grouped[key].append(value)
    return [grouped[key] for key in keys]


@strawberry.type(description="A user's explicit role on a project or program.")
class Member:
    user: User
    role: RoleEnum  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_row(cls, role: int, created_at: datetime, user: UserModel) -> Member:
        return cls(user=User.from_model(user), role=Role(role), created_at=created_at)


@strawberry.type
class RemoveMemberPayload:
    removed_user_id: strawberry.ID


def member_from(found: tuple[Any, UserModel]) -> Member:
    """A `Member` from a `(ProjectMember | ProgramMember, User)` pair returned by a service."""
    member, user = found
    return Member.from_row(member.role, member.created_at, user)
