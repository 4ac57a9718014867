"""The application's error hierarchy.

Services raise these for *expected* failures; the GraphQL layer turns each into a typed union
member and REST into RFC 9457 problem+json. Anything else is a bug: masked and logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class AppError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(AppError):
    """The object does not exist *or the caller may not see it* (never leak existence)."""

    code = "not_found"


class ForbiddenError(AppError):
    """The caller can see the object but their role does not allow this action."""

    code = "forbidden"


class AuthenticationError(AppError):
    code = "unauthenticated"


@dataclass(frozen=True)
class FieldProblem:
    path: tuple[str, ...]
    message: str


class ValidationFailed(AppError):
    code = "validation"

    def __init__(self, problems: Sequence[FieldProblem], message: str = "invalid input") -> None:
        super().__init__(
            message + ": " + "; ".join(f"{'.'.join(p.path)}: {p.message}" for p in problems)
        )
        self.problems = tuple(problems)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        return cls([FieldProblem((field,), message)])


class ConflictError(AppError):
    """The row changed since the client read it (optimistic concurrency)."""

    code = "conflict"

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class CycleError(AppError):
    code = "dependency_cycle"

    def __init__(self, task_ids: Sequence[str]) -> None:
        super().__init__("the dependency would create a cycle: " + " -> ".join(task_ids))
        self.task_ids = tuple(task_ids)
