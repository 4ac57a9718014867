"""Single sign-on against a real OpenID provider process (`oidc-provider-mock` on loopback),
driven through the whole browser flow: our login redirect, the provider's form, its redirect
back to our callback, our redirect to the client with a one-time code, and the code's
exchange for our own tokens. The provider signs every ID token; the claims it puts in them
are set per user over its HTTP API, which is how the forged ones (another nonce, audience or
issuer; an unverified e-mail) reach our checks."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from app.asgi import create_app
from app.models import SecurityAuditEntry, SsoAttempt, SsoIdentity, User
from app.settings import Settings
from app.sso.config import OidcProvider
from app.sso.discovery import ProviderUnavailable, _metadata
from app.state import AppState
from tests.factories import make_user
from tests.graph.events.servers import free_port

US = "http://t"  # our API, in-process
CLIENT_APP = "http://localhost:5173"  # one of ALLOWED_ORIGINS: where the browser goes back
EXCHANGE = """mutation($code: String!) { exchangeSsoCode(code: $code) {
  __typename
  ... on AuthPayload { accessToken refreshToken user { id email } }
  ... on AuthenticationFailed { message code }
} }"""


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{issuer}/.well-known/openid-configuration").raise_for_status()
                break
            except httpx.TransportError:
                assert process.poll() is None, "the provider process ended"
                assert time.monotonic() < deadline, "the provider did not start"
                time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(10)


def _providers(issuer: str) -> str:
    return json.dumps(
        {
            "corp": {"issuer": issuer, "client_id": "trueppm", "client_secret": "s3cret"},
            "jit": {
                "issuer": issuer,
                "client_id": "trueppm-jit",
                "client_secret": "an0ther",
                "label": "Partners",
                "jit_domains": ["jit.example"],
            },
            "down": {
                "issuer": f"http://127.0.0.1:{free_port()}",
                "client_id": "x",
                "client_secret": "y",
            },
        }
    )


@asynccontextmanager
async def _browser(
    settings: Settings, db: AppState, issuer: str
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """A browser (cookie jar) that reaches our app in-process and the provider over loopback."""
    configured = Settings.from_env(
        {
            "SECRET_KEY": settings.signing_key(),
            "TRUEPPM_DATA_DIR": str(settings.data_dir),
            "TRUEPPM_OIDC_PROVIDERS": _providers(issuer),
            "TRUEPPM_PUBLIC_URL": US,
            "TRUEPPM_AUTH_CALLS_PER_ADDRESS": "1000",
        }
    )
    app = create_app(configured, db.database_url)
    mounts = {
        US: httpx.ASGITransport(app=app),
        "all://": httpx.AsyncHTTPTransport(),
    }
    try:
        async with httpx.AsyncClient(mounts=mounts, base_url=US) as client:  # type: ignore[arg-type]
            yield client, app.state.trueppm
    finally:
        await app.state.trueppm.close()


async def _set_claims(issuer: str, sub: str, claims: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.put(f"{issuer}/users/{quote(sub, safe='')}", json=claims)
    assert answer.status_code == 204


async def _sign_in(
    browser: httpx.AsyncClient, provider: str, sub: str, *, deny: bool = False
) -> httpx.Response:
    """From our login to the response that leaves for the client app (or our last answer)."""
    start = await browser.get(
        f"/auth/sso/{provider}/login", params={"redirect_to": f"{CLIENT_APP}/signed-in?x=1"}
    )
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    form = await browser.get(authorize)  # the provider's sign-in page
    assert form.status_code == 200
    assert "sub" in form.text
    answer = await browser.post(
        authorize, data={"action": "deny"} if deny else {"sub": sub}
    )  # fmt: skip
    assert answer.status_code == 302
    back = answer.headers["location"]
    assert back.startswith(f"{US}/auth/sso/{provider}/callback?")
    return await browser.get(back)


def _returned(response: httpx.Response) -> dict[str, str]:
    """The query the client app is sent back with."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{CLIENT_APP}/signed-in"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query.pop("x") == "1"  # the client's own parameters are kept
    return query


async def _exchange(browser: httpx.AsyncClient, code: str) -> dict[str, Any]:
    answer = await browser.post("/graphql", json={"query": EXCHANGE, "variables": {"code": code}})
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()["data"]["exchangeSsoCode"]
    return result


async def _audit(db: AppState, event: str) -> list[SecurityAuditEntry]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(SecurityAuditEntry)
            .where(SecurityAuditEntry.event == event)
            .order_by(SecurityAuditEntry.id)
        )
        return list(rows.scalars())


async def test_verified_email_links_the_account_and_ends_in_our_tokens(
    db: AppState, settings: Settings, provider: str
) -> None:
    alice = await make_user(db, "Alice@Example.com")
    await _set_claims(provider, "alice-1", {"email": "alice@example.com", "email_verified": True})
    async with _browser(settings, db, provider) as (browser, _):
        start = await browser.get("/auth/sso/corp/login", params={"redirect_to": CLIENT_APP})
        sent = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
        assert sent["response_type"] == "code"
        assert sent["client_id"] == "trueppm"
        assert sent["redirect_uri"] == f"{US}/auth/sso/corp/callback"
        assert set(sent["scope"].split()) == {"openid", "email", "profile"}
        async with db.sessions() as session:
            attempt = (await session.execute(select(SsoAttempt))).scalar_one()
        # PKCE S256 over the verifier we keep; the nonce we keep; state only as a digest.
        challenge = hashlib.sha256(attempt.code_verifier.encode()).digest()
        assert sent["code_challenge"] == base64.urlsafe_b64encode(challenge).rstrip(b"=").decode()
        assert sent["code_challenge_method"] == "S256"
        assert sent["nonce"] == attempt.nonce
        assert attempt.state_hash == hashlib.sha256(sent["state"].encode()).hexdigest()
        cookie = start.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "path=/auth/sso/" in cookie

        back = _returned(await _sign_in(browser, "corp", "alice-1"))
        assert set(back) == {"sso_code"}
        tokens = await _exchange(browser, back["sso_code"])
        assert tokens["__typename"] == "AuthPayload"
        assert tokens["user"] == {"id": str(alice.id), "email": "Alice@Example.com"}
        me = await browser.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={"authorization": f"Bearer {tokens['accessToken']}"},
        )
        assert me.json()["data"]["me"]["id"] == str(alice.id)
        refreshed = await browser.post(
            "/graphql",
            json={
                "query": "mutation($t: String!) { refreshToken(refreshToken: $t) "
                "{ __typename ... on AuthPayload { user { id } } } }",
                "variables": {"t": tokens["refreshToken"]},
            },
        )
        assert refreshed.json()["data"]["refreshToken"]["user"]["id"] == str(alice.id)
        # The code works once.
        again = await _exchange(browser, back["sso_code"])
        assert again["__typename"] == "AuthenticationFailed"
        assert "sign-in code" in again["message"]

        # The link decides from now on, whatever e-mail the provider reports.
        await _set_claims(provider, "alice-1", {"email": "alice@new.example"})
        back = _returned(await _sign_in(browser, "corp", "alice-1"))
        assert (await _exchange(browser, back["sso_code"]))["user"]["id"] == str(alice.id)
    async with db.sessions() as session:
        links = (await session.execute(select(SsoIdentity))).scalars().all()
    assert [(x.issuer, x.subject, x.user_id) for x in links] == [(provider, "alice-1", alice.id)]
    linked = await _audit(db, "sso.linked")
    assert [(e.user_id, e.details["provider"]) for e in linked] == [(alice.id, "corp")]
    signed_in = await _audit(db, "login.succeeded")
    assert [(e.user_id, e.details["method"]) for e in signed_in] == [(alice.id, "sso")] * 2


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"nonce": "not-the-one-we-sent"}, "wrong-nonce"),
        ({"aud": "another-client"}, "wrong-audience"),
        ({"iss": "https://elsewhere.example"}, "wrong-issuer"),
        ({"email_verified": False}, "unverified-email"),
        ({"email_verified": None}, "unverified-email"),
        ({"email": None}, "no-email"),
    ],
)
async def test_forged_or_unvouched_tokens_are_refused(
    db: AppState, settings: Settings, provider: str, claims: dict[str, Any], reason: str
) -> None:
    await make_user(db, "bob@example.com")
    sub = f"bob-{reason}"
    base = {"email": "bob@example.com", "email_verified": True}
    await _set_claims(provider, sub, {k: v for k, v in {**base, **claims}.items() if v is not None})
    async with _browser(settings, db, provider) as (browser, _):
        back = _returned(await _sign_in(browser, "corp", sub))
    assert back["sso_error"] == reason
    assert back["sso_error_description"]
    assert "sso_code" not in back
    async with db.sessions() as session:
        assert (await session.execute(select(SsoIdentity))).first() is None
        attempt = (await session.execute(select(SsoAttempt))).scalar_one()
        assert attempt.grant_hash is None
        assert attempt.user_id is None
    failed = await _audit(db, "login.failed")
    assert [(e.details["method"], e.details["reason"]) for e in failed] == [("sso", reason)]
    assert await _audit(db, "login.succeeded") == []


async def test_just_in_time_accounts_only_for_the_allowed_domains(
    db: AppState, settings: Settings, provider: str
) -> None:
    await _set_claims(
        provider, "nia", {"email": "nia@jit.example", "email_verified": True, "name": "Nia"}
    )
    await _set_claims(provider, "out", {"email": "out@other.example", "email_verified": True})
    async with _browser(settings, db, provider) as (browser, _):
        # Off by default: the corp provider makes no accounts.
        assert _returned(await _sign_in(browser, "corp", "nia"))["sso_error"] == "no-account"
        assert _returned(await _sign_in(browser, "jit", "out"))["sso_error"] == "no-account"
        back = _returned(await _sign_in(browser, "jit", "nia"))
        tokens = await _exchange(browser, back["sso_code"])
        assert tokens["user"]["email"] == "nia@jit.example"
        password = await browser.post(
            "/graphql",
            json={
                "query": 'mutation { login(email: "nia@jit.example", password: "") { __typename } }'
            },
        )
        assert password.json()["data"]["login"]["__typename"] == "AuthenticationFailed"
    async with db.sessions() as session:
        users = (await session.execute(select(User.email, User.name))).all()
    assert users == [("nia@jit.example", "Nia")]
    created = await _audit(db, "sso.account_created")
    assert [e.details["provider"] for e in created] == ["jit"]


async def test_state_is_single_use_and_bound_to_the_browser(
    db: AppState, settings: Settings, provider: str
) -> None:
    await make_user(db, "carol@example.com")
    await _set_claims(provider, "carol", {"email": "carol@example.com", "email_verified": True})
    async with _browser(settings, db, provider) as (browser, _):
        start = await browser.get("/auth/sso/corp/login", params={"redirect_to": CLIENT_APP})
        answer = await browser.post(start.headers["location"], data={"sub": "carol"})
        callback = answer.headers["location"]
        # Another browser (no cookie of this sign-in) cannot finish it...
        jar = httpx.Cookies(browser.cookies)
        browser.cookies.clear()
        stolen = await browser.get(callback)
        browser.cookies = jar
        assert stolen.status_code == 400
        assert stolen.headers["content-type"] == "application/problem+json"
        assert stolen.json()["reason"] == "invalid-state"
        # ...the browser that started it can, once.
        finished = await browser.get(callback)
        assert "sso_code" in parse_qs(urlsplit(finished.headers["location"]).query)
        replayed = await browser.get(callback)
        assert replayed.status_code == 400
        assert replayed.json()["reason"] == "invalid-state"
        forged = await browser.get("/auth/sso/corp/callback?code=x&state=made-up")
        assert forged.json()["reason"] == "invalid-state"
        # The person declines at the provider. This provider's error redirect carries no
        # state, so nothing says where to go back: a problem.
        declined = await _sign_in(browser, "corp", "carol", deny=True)
        assert declined.status_code == 400
        assert declined.json()["reason"] == "invalid-state"
        # A provider that echoes the state (RFC 6749 §4.1.2.1): the client app hears why.
        start = await browser.get("/auth/sso/corp/login", params={"redirect_to": CLIENT_APP})
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        refused = await browser.get(
            "/auth/sso/corp/callback",
            params={"error": "access_denied", "error_description": "declined", "state": state},
        )
        assert refused.headers["location"] == (
            f"{CLIENT_APP}?sso_error=provider-refused&sso_error_description="
            "the+provider+answered+%27declined%27"
        )
        # An attempt that expired.
        start = await browser.get("/auth/sso/corp/login", params={"redirect_to": CLIENT_APP})
        answer = await browser.post(start.headers["location"], data={"sub": "carol"})
        async with db.sessions() as session, session.begin():
            await session.execute(
                update(SsoAttempt)
                .where(SsoAttempt.returned_at.is_(None))
                .values(expires_at=SsoAttempt.created_at)
            )
        late = await browser.get(answer.headers["location"])
        assert late.status_code == 400
        assert "too long" in late.json()["detail"]


async def test_bad_requests_get_problems_and_providers_are_listed(
    db: AppState, settings: Settings, provider: str
) -> None:
    disabled = await make_user(db, "dan@example.com")
    async with db.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == disabled.id).values(is_active=False))
    await _set_claims(provider, "dan", {"email": "dan@example.com", "email_verified": True})
    async with _browser(settings, db, provider) as (browser, _):
        listed = (await browser.get("/auth/sso/")).json()["providers"]
        assert [(p["name"], p["label"]) for p in listed] == [
            ("corp", "corp"),
            ("jit", "Partners"),
            ("down", "down"),
        ]
        assert listed[0]["login_url"] == f"{US}/auth/sso/corp/login"
        graph = await browser.post(
            "/graphql", json={"query": "{ ssoProviders { name label loginUrl } }"}
        )
        assert graph.json()["data"]["ssoProviders"][1] == {
            "name": "jit",
            "label": "Partners",
            "loginUrl": f"{US}/auth/sso/jit/login",
        }

        cases = [
            ("/auth/sso/nope/login", 404, "unknown-provider"),
            ("/auth/sso/corp/login?redirect_to=https://evil.example/", 400, "bad-redirect"),
            ("/auth/sso/corp/login?redirect_to=//evil.example/", 400, "bad-redirect"),
            ("/auth/sso/down/login", 502, "provider-unavailable"),
        ]
        for path, status, reason in cases:
            answer = await browser.get(path)
            assert (answer.status_code, answer.json()["reason"]) == (status, reason), path
            assert answer.headers["content-type"] == "application/problem+json"
        # A path on this server is a fine place to go back to.
        local = await browser.get("/auth/sso/corp/login?redirect_to=/done")
        assert local.status_code == 302
        assert _returned_error(await _sign_in(browser, "corp", "dan")) == "account-disabled"


def _returned_error(response: httpx.Response) -> str:
    return _returned(response)["sso_error"]


def test_a_discovery_document_must_name_the_configured_issuer() -> None:
    corp = OidcProvider(
        name="corp", label="corp", issuer="https://sso.example", client_id="c", client_secret="s"
    )
    endpoints = {
        "authorization_endpoint": "https://sso.example/auth",
        "token_endpoint": "https://sso.example/token",
        "jwks_uri": "https://sso.example/keys",
    }
    with pytest.raises(ProviderUnavailable, match=re.escape("names issuer 'https://evil.example'")):
        _metadata(corp, {"issuer": "https://evil.example", **endpoints})
    with pytest.raises(ProviderUnavailable, match="lacks jwks_uri"):
        _metadata(corp, {"issuer": "https://sso.example", "authorization_endpoint": "a",
                         "token_endpoint": "t"})  # fmt: skip
    offered = {"issuer": "https://sso.example", **endpoints}
    offered["id_token_signing_alg_values_supported"] = ["none", "RS256", "ES256"]
    assert _metadata(corp, offered).signing_algorithms == ("RS256", "ES256")  # never "none"
