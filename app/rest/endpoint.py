"""What every REST handler shares: authentication, JSON parsing and the error boundary.

`rest_endpoint` wraps a handler so that a `Problem` or `AppError` becomes problem+json and
anything unexpected a masked 500 problem (logged with the request id), never a traceback.
Auth is `Authorization: Bearer` with a JWT access token (the one GraphQL uses) or an API token
(`tppm_…`); the account must still exist and be active, so disabling a user cuts off their REST
access before the token expires. Handlers run their database work inside
`acting_as(principal)` so an API token's project or program limit applies.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.auth.bearer import bearer_credential, malformed, resolve_bearer
from app.auth.principal import Principal
from app.errors import AppError, AuthenticationError
from app.logs import current_request_id
from app.rest.problems import Problem, from_app_error, problem_response
from app.state import AppState

log = logging.getLogger("trueppm.rest")
Handler = Callable[[Request], Awaitable[Response]]
MAX_BODY_BYTES = 10 * 1024 * 1024


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.trueppm
    return state


def rest_endpoint(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Problem as problem:
            return problem_response(problem)
        except AppError as error:
            return problem_response(from_app_error(error))
        except Exception:
            log.exception("unhandled error in %s", request.url.path)
            return problem_response(
                Problem(
                    "internal",
                    "an unexpected error occurred; quote request id "
                    f"{current_request_id()} when reporting it",
                )
            )

    return wrapped


async def authenticate(request: Request) -> Principal:
    """The caller from `Authorization: Bearer <access token or API token>`, or 401."""
    header = request.headers.get("authorization")
    credential = bearer_credential(header)
    if credential is None:
        raise Problem(
            "unauthenticated",
            malformed(header) or "send Authorization: Bearer <access token or API token>",
        )
    state = app_state(request)
    try:
        principal = await resolve_bearer(
            state.settings, state.sessions, credential, accounts=state.accounts
        )
    except AuthenticationError as error:
        raise Problem("unauthenticated", error.message) from None
    retry_after = await state.request_rate.charge(principal)
    if retry_after is not None:
        raise Problem(
            "too-many-requests", state.request_rate.message(retry_after), retryAfter=retry_after
        )
    return principal


def path_uuid(request: Request, name: str) -> uuid.UUID:
    raw = request.path_params.get(name, "")
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise Problem("not-found", f"no such {name.removesuffix('_id')}") from None


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400/415 problem saying what is wrong."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Problem("unsupported-media-type", "send the body as application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise Problem("bad-request", f"the body exceeds {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem("bad-request", f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Problem("bad-request", "the body must be a JSON object")
    return body


def int_param(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    """The query parameter `name` as an integer in [low, high]; absent or empty → `default`."""
    raw = request.query_params.get(name)
    if raw is None or raw.strip() in ("", "null"):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Problem(
            "bad-request", f"{name} must be an integer, got {raw!r}", parameter=name
        ) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise Problem("bad-request", f"{name} must be {bound}, got {value}", parameter=name)
    return value
