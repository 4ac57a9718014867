"""What every REST handler shares: authentication, JSON parsing and the error boundary.

`rest_endpoint` wraps a handler so that a `Problem` or `AppError` becomes problem+json and
anything unexpected a masked 500 problem (logged with the request id), never a traceback.
Auth is a Bearer access token (the JWT GraphQL uses); the account must still exist and be
active, so disabling a user cuts off their REST access before the token expires.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from app.auth.tokens import decode_access_token
from app.errors import AppError, AuthenticationError
from app.logs import current_request_id
from app.models import User
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


async def authenticate(request: Request) -> uuid.UUID:
    """The caller's user id from `Authorization: Bearer <access token>`, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem("unauthenticated", "send Authorization: Bearer <access token>")
    state = app_state(request)
    try:
        user_id, _expires = decode_access_token(state.settings, token.strip())
    except AuthenticationError as error:
        raise Problem("unauthenticated", error.message) from None
    async with state.sessions() as session:
        active = await session.scalar(select(User.is_active).where(User.id == user_id))
    if not active:
        raise Problem("unauthenticated", "this account no longer exists or is disabled")
    return user_id


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
