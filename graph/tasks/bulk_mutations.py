"""Bulk writes of the task domain: up to `TRUEPPM_BULK_MAX` items in one transaction, one
schedule request and one `BATCH` board event per project (app/bulk.py). Each item runs the
service of its single mutation; failures are reported by index (`errors`), their `path`
relative to the item. All or nothing unless `partial: true`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import strawberry

from app.bulk import BulkOutcome, BulkRefused, ItemFailure, check_size, run_items
from app.errors import AppError
from app.state import UnitOfWork
from app.tasks import dependencies, service
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Error, Forbidden, ValidationError, to_error
from graph.tasks.inputs import (
    CreateDependencyInput,
    CreateTaskInput,
    UpdateTaskInput,
    link_values,
    task_changes,
)
from graph.tasks.mutations import create_from_input
from graph.tasks.types import Dependency, Task, ids

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type(description="One item of a bulk write that failed: where it is in the list, why.")
class BulkItemError:
    index: int = strawberry.field(description="The item's position in the list (from 0).")
    error: Error = strawberry.field(description="Its path is relative to the item.")


@strawberry.type(
    description="`committed` false: nothing was written (all or nothing, and `errors` says "
    "which items failed). The lists are by index: null where that item failed or nothing "
    "was written."
)
class BulkTasksPayload:
    committed: bool
    tasks: list[Task | None]
    errors: list[BulkItemError]


@strawberry.type
class BulkDeleteTasksPayload:
    committed: bool
    deleted_task_ids: list[strawberry.ID] = strawberry.field(
        description="Every task tombstoned, subtrees included."
    )
    deleted_dependency_ids: list[strawberry.ID]
    errors: list[BulkItemError]


@strawberry.type
class BulkDependenciesPayload:
    committed: bool
    dependencies: list[Dependency | None]
    errors: list[BulkItemError]


@strawberry.input
class UpdateTasksItem:
    id: strawberry.ID
    input: UpdateTaskInput
    server_version: int | None = None


BulkTasksResult = Annotated[
    BulkTasksPayload | ValidationError | Forbidden, strawberry.union("BulkTasksResult")
]
BulkDeleteTasksResult = Annotated[
    BulkDeleteTasksPayload | ValidationError | Forbidden,
    strawberry.union("BulkDeleteTasksResult"),
]
BulkDependenciesResult = Annotated[
    BulkDependenciesPayload | ValidationError | Forbidden,
    strawberry.union("BulkDependenciesResult"),
]


def _errors(failures: list[ItemFailure]) -> list[BulkItemError]:
    return [BulkItemError(index=f.index, error=to_error(f.error)) for f in failures]


async def _bulk(
    info: Info,
    items: Sequence[T],
    argument: str,
    partial: bool,
    work: Callable[[UnitOfWork, T], Awaitable[R]],
) -> BulkOutcome[R] | BulkRefused | AppError:
    """The outcome, the refusal (nothing written) or a request-level error."""
    try:
        check_size(len(items), info.context.state.settings.bulk_max, argument)
        async with info.context.transaction() as uow:
            return await run_items(uow, items, work, partial=partial)
    except BulkRefused as refused:
        return refused
    except AppError as exc:
        return exc


def _create_task(user_id: Any) -> Callable[[UnitOfWork, CreateTaskInput], Awaitable[Task]]:
    async def work(uow: UnitOfWork, input: CreateTaskInput) -> Task:
        return await create_from_input(uow, user_id, input)

    return work


def _tasks_result(
    outcome: BulkOutcome[Task] | BulkRefused | AppError,
) -> BulkTasksPayload | ValidationError | Forbidden:
    if isinstance(outcome, AppError):
        return to_error(outcome)  # type: ignore[return-value]
    if isinstance(outcome, BulkRefused):
        return BulkTasksPayload(
            committed=False, tasks=[None] * outcome.size, errors=_errors(outcome.failures)
        )
    return BulkTasksPayload(committed=True, tasks=outcome.results, errors=_errors(outcome.failures))


def _links_result(
    outcome: BulkOutcome[Dependency] | BulkRefused | AppError,
) -> BulkDependenciesPayload | ValidationError | Forbidden:
    if isinstance(outcome, AppError):
        return to_error(outcome)  # type: ignore[return-value]
    if isinstance(outcome, BulkRefused):
        return BulkDependenciesPayload(
            committed=False, dependencies=[None] * outcome.size, errors=_errors(outcome.failures)
        )
    return BulkDependenciesPayload(
        committed=True, dependencies=outcome.results, errors=_errors(outcome.failures)
    )


PARTIAL = strawberry.argument(description="Keep the items that succeed (default: all or nothing).")


@strawberry.type
class BulkTaskMutation:
    @strawberry.mutation(description="Create up to TRUEPPM_BULK_MAX tasks in one transaction.")
    async def create_tasks(
        self,
        info: Info,
        inputs: list[CreateTaskInput],
        partial: Annotated[bool, PARTIAL] = False,
    ) -> BulkTasksResult:
        user_id = info.context.require_user()
        return _tasks_result(await _bulk(info, inputs, "inputs", partial, _create_task(user_id)))

    @strawberry.mutation(description="Change up to TRUEPPM_BULK_MAX tasks in one transaction.")
    async def update_tasks(
        self,
        info: Info,
        items: list[UpdateTasksItem],
        partial: Annotated[bool, PARTIAL] = False,
    ) -> BulkTasksResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork, item: UpdateTasksItem) -> Task:
            task_id = parse_id(item.id, "task")
            changes = task_changes(item.input)
            task = await service.update_task(
                uow.session, user_id, task_id, changes, item.server_version
            )
            return Task.from_model(task)

        return _tasks_result(await _bulk(info, items, "items", partial, work))

    @strawberry.mutation(
        description="Soft-delete up to TRUEPPM_BULK_MAX tasks (with their subtrees and links)."
    )
    async def delete_tasks(
        self,
        info: Info,
        ids: list[strawberry.ID],
        partial: Annotated[bool, PARTIAL] = False,
    ) -> BulkDeleteTasksResult:
        user_id = info.context.require_user()

        gone: set[uuid.UUID] = set()  # a subtree its parent's item already deleted is done

        async def work(uow: UnitOfWork, raw: strawberry.ID) -> service.Deletion:
            task_id = parse_id(raw, "task")
            if task_id in gone:
                return service.Deletion(task_ids=[], dependency_ids=[])
            deletion = await service.delete_task(uow.session, user_id, task_id, None)
            gone.update(deletion.task_ids)
            return deletion

        outcome = await _bulk(info, ids, "ids", partial, work)
        if isinstance(outcome, AppError):
            return to_error(outcome)  # type: ignore[return-value]
        if isinstance(outcome, BulkRefused):
            return BulkDeleteTasksPayload(
                committed=False,
                deleted_task_ids=[],
                deleted_dependency_ids=[],
                errors=_errors(outcome.failures),
            )
        done = [d for d in outcome.results if d is not None]
        return BulkDeleteTasksPayload(
            committed=True,
            deleted_task_ids=_ids(t for d in done for t in d.task_ids),
            deleted_dependency_ids=_ids(x for d in done for x in d.dependency_ids),
            errors=_errors(outcome.failures),
        )

    @strawberry.mutation(description="Create up to TRUEPPM_BULK_MAX links in one transaction.")
    async def create_dependencies(
        self,
        info: Info,
        inputs: list[CreateDependencyInput],
        partial: Annotated[bool, PARTIAL] = False,
    ) -> BulkDependenciesResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork, input: CreateDependencyInput) -> Dependency:
            link = await dependencies.create_dependency(
                uow.session,
                user_id,
                parse_id(input.predecessor_id, "task"),
                parse_id(input.successor_id, "task"),
                link_values(input),
            )
            return Dependency.from_model(link)

        return _links_result(await _bulk(info, inputs, "inputs", partial, work))

    @strawberry.mutation(description="Soft-delete up to TRUEPPM_BULK_MAX links; tombstones back.")
    async def delete_dependencies(
        self,
        info: Info,
        ids: list[strawberry.ID],
        partial: Annotated[bool, PARTIAL] = False,
    ) -> BulkDependenciesResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork, raw: strawberry.ID) -> Dependency:
            link = await dependencies.delete_dependency(
                uow.session, user_id, parse_id(raw, "dependency"), None
            )
            return Dependency.from_model(link)

        return _links_result(await _bulk(info, ids, "ids", partial, work))


def _ids(values: Any) -> list[strawberry.ID]:
    """Distinct, in order (a subtree deleted by its parent's item is not listed twice)."""
    return ids(list(dict.fromkeys(values)))
