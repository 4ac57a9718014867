"""Typed error members of mutation result unions (expected failures are data, not exceptions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from app.errors import (
    AppError,
    AuthenticationError,
    ConflictError,
    CycleError,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from app.state import UnitOfWork
from graph.context import Info

T = TypeVar("T")


@strawberry.type(description="The object does not exist, or you may not see it.")
class NotFound:
    message: str


@strawberry.type(description="Your role does not allow this action.")
class Forbidden:
    message: str


@strawberry.type
class FieldError:
    path: list[str]
    message: str


@strawberry.type(description="The input was rejected; `fields` names each problem.")
class ValidationError:
    message: str
    fields: list[FieldError]


@strawberry.type(description="The object changed since the version you sent; reload and retry.")
class Conflict:
    message: str
    current_version: int | None


@strawberry.type(description="The dependency would close a cycle; `taskIds` is the cycle in order.")
class DependencyCycle:
    message: str
    task_ids: list[strawberry.ID]


@strawberry.type(description="Credentials or token were not accepted.")
class AuthenticationFailed:
    message: str


ErrorType = (
    NotFound | Forbidden | ValidationError | Conflict | DependencyCycle | AuthenticationFailed
)


def to_error(exc: AppError) -> ErrorType:
    if isinstance(exc, NotFoundError):
        return NotFound(message=exc.message)
    if isinstance(exc, ForbiddenError):
        return Forbidden(message=exc.message)
    if isinstance(exc, ValidationFailed):
        fields = [FieldError(path=list(p.path), message=p.message) for p in exc.problems]
        return ValidationError(message=exc.message, fields=fields)
    if isinstance(exc, ConflictError):
        return Conflict(message=exc.message, current_version=exc.current_version)
    if isinstance(exc, CycleError):
        return DependencyCycle(
            message=exc.message, task_ids=[strawberry.ID(t) for t in exc.task_ids]
        )
    if isinstance(exc, AuthenticationError):
        return AuthenticationFailed(message=exc.message)
    raise exc


async def run_mutation(info: Info, work: Callable[[UnitOfWork], Awaitable[T]]) -> T | ErrorType:
    """Run `work` in one transaction; an `AppError` rolls it back and becomes a union member."""
    try:
        async with info.context.transaction() as uow:
            return await work(uow)
    except AppError as exc:
        return to_error(exc)
