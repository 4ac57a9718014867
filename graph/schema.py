"""The one GraphQL schema, composed from per-domain query and mutation types."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxTokensLimiter, ParserCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from app.documents import DocumentStore
from app.settings import Settings
from graph.apitokens.mutations import ApiTokenMutation
from graph.apitokens.queries import ApiTokenQuery
from graph.audit.queries import AuditQuery
from graph.auth.mutations import AuthMutation
from graph.auth.queries import AuthQuery
from graph.baselines.mutations import BaselineMutation
from graph.baselines.queries import BaselineQuery
from graph.boards.mutations import BoardMutation
from graph.boards.queries import BoardQuery
from graph.calendars.mutations import CalendarMutation
from graph.calendars.queries import CalendarQuery
from graph.comments.mutations import CommentMutation
from graph.comments.queries import CommentQuery
from graph.cost import CostModel, QueryCost
from graph.events.mutations import EventMutation
from graph.events.subscriptions import EventSubscription
from graph.extensions import ActAsPrincipal, OperationMetrics, ReadOnlyTokens
from graph.forecasts.mutations import ForecastMutation
from graph.forecasts.queries import ForecastQuery
from graph.history.queries import HistoryQuery
from graph.interchange.mutations import InterchangeMutation
from graph.interchange.queries import InterchangeQuery
from graph.labels.mutations import LabelMutation
from graph.labels.queries import LabelQuery
from graph.persisted import PersistedOperations, PersistedQueryExtension
from graph.programs.mutations import ProgramMutation
from graph.programs.queries import ProgramQuery
from graph.projects.mutations import ProjectMutation
from graph.projects.queries import ProjectQuery
from graph.resources.mutations import ResourceMutation
from graph.resources.queries import ResourceQuery
from graph.risks.mutations import RiskMutation
from graph.risks.queries import RiskQuery
from graph.sprints.mutations import SprintMutation
from graph.sprints.queries import SprintQuery
from graph.tasks.bulk_mutations import BulkTaskMutation
from graph.tasks.mutations import TaskMutation
from graph.tasks.queries import TaskQuery
from graph.tasks.wbs import WbsQuery
from graph.validation import CachedValidation, ValidationMemo
from graph.webhooks.mutations import WebhookMutation
from graph.webhooks.queries import WebhookQuery
from graph.workspaces.mutations import WorkspaceMutation
from graph.workspaces.queries import WorkspaceQuery

log = logging.getLogger("trueppm.graphql")

QUERIES: tuple[type, ...] = (
    AuthQuery,
    ApiTokenQuery,
    WorkspaceQuery,
    ProgramQuery,
    ProjectQuery,
    TaskQuery,
    WbsQuery,
    BoardQuery,
    LabelQuery,
    CalendarQuery,
    SprintQuery,
    BaselineQuery,
    RiskQuery,
    ResourceQuery,
    CommentQuery,
    HistoryQuery,
    ForecastQuery,
    InterchangeQuery,
    WebhookQuery,
    AuditQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation,
    ApiTokenMutation,
    WorkspaceMutation,
    ProgramMutation,
    ProjectMutation,
    TaskMutation,
    BulkTaskMutation,
    BoardMutation,
    LabelMutation,
    CalendarMutation,
    EventMutation,
    SprintMutation,
    BaselineMutation,
    RiskMutation,
    ResourceMutation,
    CommentMutation,
    ForecastMutation,
    InterchangeMutation,
    WebhookMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (EventSubscription,)


def _should_mask(error: GraphQLError) -> bool:
    """Errors we raised on purpose (GraphQLError with a code) pass; anything else is a bug:
    logged with its traceback and shown to the client only as "Unexpected error."."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error in resolver", exc_info=original)
    return True


class Schema(strawberry.Schema):
    """The schema, with the validation memo its operations share (`graph.validation`)."""

    validation: ValidationMemo
    persisted: PersistedOperations

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """A client's mistake (a syntax or validation error, or an error we raised on
        purpose) is logged at INFO without a traceback; a bug is logged, with its traceback,
        where it is masked (`_should_mask`)."""
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                log.info("client error: %s", error.message)


def build_schema(settings: Settings, documents: DocumentStore | None = None) -> Schema:
    """`documents`: where persisted queries are kept (the process's AppState has one)."""
    query = merge_types("Query", QUERIES)
    mutation = merge_types("Mutation", MUTATIONS)
    subscription = merge_types("Subscription", SUBSCRIPTIONS)
    memo = ValidationMemo(
        settings.max_query_depth, settings.max_aliases, introspection=settings.introspection
    )
    persisted = PersistedOperations(settings, documents)
    cost = CostModel(None, settings.page_size_default)  # the schema is set below
    schema = Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        extensions=[
            # Factories: a fresh extension per operation. Strawberry's parse cache and our
            # validation memo are shared across operations: a repeated query text is
            # neither parsed nor validated again (the depth and alias rules included).
            # First: a persisted operation's document is put in place before it is parsed.
            OperationMetrics,
            lambda: PersistedQueryExtension(persisted),
            lambda: MaxTokensLimiter(settings.max_query_tokens),
            lambda: ParserCache(maxsize=1000),
            lambda: CachedValidation(memo),
            lambda: QueryCost(cost, settings.max_query_cost),
            ActAsPrincipal,
            ReadOnlyTokens,
            lambda: MaskErrors(should_mask_error=_should_mask),
        ],
    )
    schema.validation = memo
    cost.schema = schema._schema
    schema.persisted = persisted
    return schema
