"""The GraphQL ASGI endpoint: GraphiQL on GET, queries/mutations on POST.

`app.asgi` mounts it by dotted path (`graph.http:create_graphql_app`) so that `app` never
imports `graph`.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.auth.tokens import decode_access_token
from app.errors import AuthenticationError
from app.logs import current_request_id
from app.state import AppState
from graph.context import Context
from graph.events.transport import LegacyWSHandler, TransportWSHandler
from graph.schema import build_schema


def _bearer(request: Request | WebSocket) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class TruePPMGraphQL(GraphQL[Context, None]):
    # WebSocket auth happens in connection_init (graph/events/transport.py).
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, state: AppState) -> None:
        super().__init__(
            build_schema(state.settings),
            graphql_ide="graphiql" if state.settings.graphiql else None,
            allow_queries_via_get=False,
            allowed_origins=state.settings.allowed_origins,
        )
        self.state = state

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        user_id: uuid.UUID | None = None
        error: str | None = None
        token = _bearer(request)
        if token is not None:
            try:
                user_id, _expires = decode_access_token(self.state.settings, token)
            except AuthenticationError as exc:
                error = exc.message
        return Context(
            state=self.state,
            request=request,
            response=response,
            user_id=user_id,
            auth_error=error,
            request_id=current_request_id(),
        )


def create_graphql_app(state: AppState) -> TruePPMGraphQL:
    return TruePPMGraphQL(state)
