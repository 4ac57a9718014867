"""The browser side of single sign-on (flow in `app.sso.flow`, guide in docs/sso.md).

- `GET /auth/sso/`: the configured providers, each with its login URL (for sign-in buttons).
- `GET /auth/sso/{provider}/login?redirect_to=…`: 302 to the provider, with a short-lived
  HttpOnly cookie binding the sign-in to this browser (one per sign-in, so tabs do not clash).
- `GET /auth/sso/{provider}/callback`: where the provider sends the browser back. Success:
  302 to `redirect_to` with `sso_code=…` added (or, without `redirect_to`, a JSON body with
  the code); the client trades it with the `exchangeSsoCode` mutation. Refusal: 302 to
  `redirect_to` with `sso_error=<reason>` and `sso_error_description`, or problem+json when
  there is nowhere safe to send the browser.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.audit import log as audit
from app.models import SsoAttempt
from app.rest.endpoint import app_state, rest_endpoint
from app.rest.problems import Problem, problem_response
from app.sso import flow
from app.sso.config import OidcProvider
from app.sso.flow import SsoRefused
from app.throttle.login import TooManyAttempts

COOKIE_PATH = "/auth/sso/"
_KIND = {
    "unknown-provider": "not-found",
    "bad-redirect": "bad-request",
    "provider-unavailable": "bad-gateway",
    "invalid-state": "bad-request",
}


def sso_routes() -> list[BaseRoute]:
    return [
        Route("/auth/sso/", providers, methods=["GET"]),
        Route("/auth/sso/{provider}/login", login, methods=["GET"]),
        Route("/auth/sso/{provider}/callback", callback, methods=["GET"]),
    ]


def _base_url(request: Request) -> str:
    configured = app_state(request).settings.public_url
    return configured or str(request.base_url).rstrip("/")


def _callback_url(request: Request, provider: OidcProvider) -> str:
    return f"{_base_url(request)}/auth/sso/{provider.name}/callback"


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _cookie_name(state: str) -> str:
    return "trueppm_sso_" + flow.digest(state)[:16]


def _problem(refused: SsoRefused) -> Problem:
    return Problem(_KIND.get(refused.reason, "sso-refused"), refused.detail, reason=refused.reason)


@rest_endpoint
async def providers(request: Request) -> Response:
    base = _base_url(request)
    return JSONResponse(
        {
            "providers": [
                {
                    "name": p.name,
                    "label": p.label,
                    "login_url": f"{base}/auth/sso/{p.name}/login",
                }
                for p in app_state(request).settings.oidc_providers
            ]
        }
    )


@rest_endpoint
async def login(request: Request) -> Response:
    state = app_state(request)
    try:
        await state.login_guard.spend("sso", _address(request))
    except TooManyAttempts as exc:
        raise Problem("too-many-requests", str(exc), retry_after=exc.retry_after) from None
    try:
        provider = flow.provider_named(state.settings, request.path_params["provider"])
        started = await flow.begin(
            state.sessions,
            state.sso_discovery,
            state.settings,
            provider,
            _callback_url(request, provider),
            request.query_params.get("redirect_to"),
        )
    except SsoRefused as refused:
        raise _problem(refused) from None
    response = RedirectResponse(started.authorization_url, status_code=302)
    response.set_cookie(
        _cookie_name(started.state),
        started.binding,
        max_age=flow.ATTEMPT_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        secure=_base_url(request).startswith("https://"),
        samesite="lax",  # sent on the provider's top-level redirect back to us
    )
    return response


@rest_endpoint
async def callback(request: Request) -> Response:
    state = app_state(request)
    params = dict(request.query_params)
    address = _address(request)
    attempt: SsoAttempt | None = None
    name = request.path_params["provider"]
    cookie = _cookie_name(params.get("state", ""))
    try:
        provider = flow.provider_named(state.settings, name)
        attempt = await flow.claim_attempt(
            state.sessions, provider, params.get("state"), request.cookies.get(cookie)
        )
        finished = await flow.finish(
            state.sessions,
            state.sso_discovery,
            state.settings,
            provider,
            attempt,
            params,
            _callback_url(request, provider),
            address,
        )
    except SsoRefused as refused:
        await audit.record_now(
            state.sessions,
            "login.failed",
            address=address,
            details={"method": "sso", "provider": name, "reason": refused.reason},
        )
        target = attempt.redirect_to if attempt is not None else None
        if target is None:
            response: Response = problem_response(_problem(refused))
        else:
            response = _back(
                target, {"sso_error": refused.reason, "sso_error_description": refused.detail}
            )
    else:
        if finished.redirect_to is None:
            response = JSONResponse({"code": finished.code, "expires_in": finished.expires_in})
        else:
            response = _back(finished.redirect_to, {"sso_code": finished.code})
        response.headers["cache-control"] = "no-store"
    response.delete_cookie(cookie, path=COOKIE_PATH)
    return response


def _back(target: str, params: dict[str, str]) -> Response:
    separator = "&" if "?" in target else "?"
    return RedirectResponse(target + separator + urlencode(params), status_code=302)
