"""Typed error members of mutation result unions (expected failures are data, not exceptions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, TypeVar

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


@strawberry.interface(
    description="What every error member of a result union has: select `... on Error { "
    "message code path }` once to handle them all. The codes are listed in docs/api.md."
)
class Error:
    message: str
    CODE: ClassVar[str] = "ERROR"

    @strawberry.field(description="Stable, machine-readable: e.g. NOT_FOUND, CONFLICT.")
    def code(self) -> str:
        return self.CODE

    @strawberry.field(
        description="Where in the input the problem is (a field error); null when it is about "
        "the request as a whole."
    )
    def path(self) -> list[str] | None:
        return None


@strawberry.type(description="The object does not exist, or you may not see it.")
class NotFound(Error):
    CODE: ClassVar[str] = "NOT_FOUND"


@strawberry.type(description="Your role does not allow this action.")
class Forbidden(Error):
    CODE: ClassVar[str] = "FORBIDDEN"


@strawberry.type(description="One rejected input field: `path` names it, from `input`.")
class FieldError(Error):
    CODE: ClassVar[str] = "INVALID_FIELD"
    field_path: strawberry.Private[list[str]]

    @strawberry.field(description="The field, as a path from the argument (e.g. input, name).")
    def path(self) -> list[str]:  # narrower than Error.path: never null here
        return self.field_path


@strawberry.type(description="The input was rejected; `fields` names each problem.")
class ValidationError(Error):
    CODE: ClassVar[str] = "VALIDATION_FAILED"
    fields: list[FieldError]


@strawberry.type(description="The object changed since the version you sent; reload and retry.")
class Conflict(Error):
    CODE: ClassVar[str] = "CONFLICT"
    current_version: int | None


@strawberry.type(description="The dependency would close a cycle; `taskIds` is the cycle in order.")
class DependencyCycle(Error):
    CODE: ClassVar[str] = "DEPENDENCY_CYCLE"
    task_ids: list[strawberry.ID]


@strawberry.type(description="Credentials or token were not accepted.")
class AuthenticationFailed(Error):
    CODE: ClassVar[str] = "AUTHENTICATION_FAILED"


@strawberry.type(
    description="Too many attempts from this account or address: wait `retryAfter` seconds "
    "(also in the Retry-After header)."
)
class TooManyRequests(Error):
    CODE: ClassVar[str] = "TOO_MANY_REQUESTS"
    retry_after: int


ErrorType = (
    NotFound | Forbidden | ValidationError | Conflict | DependencyCycle | AuthenticationFailed
)


def to_error(exc: AppError) -> ErrorType:
    if isinstance(exc, NotFoundError):
        return NotFound(message=exc.message)
    if isinstance(exc, ForbiddenError):
        return Forbidden(message=exc.message)
    if isinstance(exc, ValidationFailed):
        fields = [FieldError(field_path=list(p.path), message=p.message) for p in exc.problems]
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
