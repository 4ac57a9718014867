"""Schema extensions applying an API token's limits to a whole GraphQL operation.

`ActAsPrincipal` puts the caller's principal in effect (`app.auth.principal.acting_as`) from
the start of the operation to its end, on every transport (HTTP, and queries, mutations and
subscriptions over WebSocket), so a project- or program-scoped token is narrowed in every
authorization query, including statements a resolver builds before it opens its session.
`ReadOnlyTokens` refuses any mutation of a read-only token before a resolver runs.
`OperationMetrics` records each operation for Prometheus.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from app.auth.principal import Principal, acting_as
from app.metrics import GRAPHQL_ERRORS, GRAPHQL_REQUESTS, GRAPHQL_SECONDS, operation_label
from graph.context import READ_ONLY_MESSAGE

MASKED = "Unexpected error."  # MaskErrors' default message


def _principal(context: Any) -> Principal | None:
    principal = getattr(context, "principal", None)
    return principal if isinstance(principal, Principal) else None


class OperationMetrics(SchemaExtension):
    """Counts and times every operation by name and type, and the errors of its answer by
    code (app/metrics.py)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        execution = self.execution_context
        kind = execution.operation_type.value if execution.operation_type else "unknown"
        name = operation_label(execution.operation_name)
        GRAPHQL_REQUESTS.labels(name, kind).inc()
        GRAPHQL_SECONDS.labels(name, kind).observe(time.perf_counter() - started)
        result = execution.result
        for error in (result.errors or []) if result is not None else []:
            GRAPHQL_ERRORS.labels(_error_code(error)).inc()


def _error_code(error: GraphQLError) -> str:
    """Our errors carry a code; MaskErrors' stand-in for a bug is INTERNAL; what is left is
    graphql-core's own refusal of the document (syntax, validation)."""
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)[:40]
    return "INTERNAL" if error.message == MASKED else "INVALID_DOCUMENT"


class ActAsPrincipal(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        with acting_as(_principal(self.execution_context.context)):
            yield


class ReadOnlyTokens(SchemaExtension):
    """A read-only API token cannot run any mutation: the operation is refused as a whole
    with a FORBIDDEN error (like HTTP 403 for the credential), nothing is executed."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        principal = _principal(execution.context)
        if (
            execution.operation_type is OperationType.MUTATION
            and principal is not None
            and principal.read_only
        ):
            error = GraphQLError(READ_ONLY_MESSAGE, extensions={"code": "FORBIDDEN"})
            execution.result = ExecutionResult(data=None, errors=[error])
        yield
