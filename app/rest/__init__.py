"""The REST API beside GraphQL: offline sync, forecast snapshot history, the OpenAPI contract.

`rest_routes()` is mounted by `app.asgi`; every failure is RFC 9457 problem+json
(`app.rest.problems`), every route is described by the OpenAPI document (`app.rest.openapi`).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.rest import forecasts, interchange, openapi, sync
from app.rest.problems import KINDS, Problem, problem_response

__all__ = ["http_exception", "rest_routes"]


def rest_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/projects/{project_id}/sync/", sync.pull, methods=["GET"]),
        Route("/api/v1/projects/{project_id}/sync/", sync.push, methods=["POST"]),
        Route(
            "/api/v1/projects/{project_id}/forecast-snapshots/",
            forecasts.list_forecast_snapshots,
            methods=["GET"],
        ),
        Route(
            "/api/v1/projects/{project_id}/imports",
            interchange.create_import,
            methods=["POST"],
        ),
        Route(
            "/api/v1/projects/{project_id}/imports/{import_id}",
            interchange.get_import,
            methods=["GET"],
        ),
        Route("/api/v1/projects/{project_id}/export.xml", interchange.export_xml, methods=["GET"]),
        Route("/api/schema/", openapi.schema_endpoint, methods=["GET"]),
        Route("/api/docs/", openapi.docs_endpoint, methods=["GET"]),
    ]


_BY_STATUS = {status: kind for kind, (status, _) in reversed(list(KINDS.items()))}


async def http_exception(request: Request, exc: Exception) -> Response:
    """Routing failures (unknown path, wrong method) as problem+json too."""
    assert isinstance(exc, HTTPException)
    kind = _BY_STATUS.get(exc.status_code, "bad-request")
    response = problem_response(Problem(kind, exc.detail or KINDS[kind][1]))
    response.status_code = exc.status_code
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response
