"""Sign-in with OpenID Connect: authorization code + PKCE, state and nonce, then our own tokens.

1. `begin` records an attempt (state, nonce, PKCE verifier, where to send the browser back,
   a browser-binding secret for a cookie) and returns the provider's authorization URL.
2. `finish` runs on the provider's redirect: the state must be one we issued, unused, not
   expired, to this browser; the code is exchanged (with the verifier) for an ID token whose
   signature, issuer, audience, expiry and nonce are checked (authlib's `CodeIDToken` over
   joserfc). The account is the one linked to the provider's subject, else the one with the
   token's *verified* e-mail (linked now), else — only for a provider with
   `jit_domains` naming the e-mail's domain — a new account. The result is a one-time sign-in
   code, valid for a minute, never tokens in a URL.
3. `exchange` trades that code for an access/refresh token pair (`exchangeSsoCode`).

Every refusal is an `SsoRefused` with a stable `reason` (docs/sso.md lists them) and is
recorded in the security audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit import log as audit
from app.auth import service
from app.errors import AuthenticationError
from app.models import SsoAttempt, SsoIdentity, User
from app.settings import Settings
from app.sso.config import OidcProvider
from app.sso.discovery import Discovery, ProviderUnavailable

ATTEMPT_SECONDS = 600
GRANT_SECONDS = 60
CLOCK_LEEWAY_SECONDS = 60
BINDING_COOKIE = "trueppm_sso"

REASONS: dict[str, str] = {
    "unknown-provider": "No provider of that name is configured.",
    "bad-redirect": "redirect_to is not one of ALLOWED_ORIGINS (or a path on this server).",
    "provider-unavailable": "The provider's discovery document, keys or token endpoint failed.",
    "provider-refused": "The provider answered with an error (e.g. the user denied access).",
    "invalid-state": "Unknown, expired, reused or another browser's sign-in (state/cookie).",
    "token-exchange-failed": "The provider refused to exchange the code.",
    "invalid-id-token": "The ID token's signature or format is wrong.",
    "wrong-issuer": "The ID token comes from another issuer.",
    "wrong-audience": "The ID token was issued to another client.",
    "wrong-nonce": "The ID token's nonce is not the one this sign-in sent.",
    "expired-id-token": "The ID token has expired.",
    "no-email": "The provider gave no e-mail address for an account not linked yet.",
    "unverified-email": "The provider does not vouch for the e-mail address.",
    "no-account": "No account has this e-mail, and just-in-time accounts are off for it.",
    "account-disabled": "The account is disabled.",
    "invalid-code": "Unknown, expired or already used sign-in code.",
}


class SsoRefused(AuthenticationError):
    """A refused sign-in; over GraphQL an `AuthenticationFailed`."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        assert reason in REASONS, reason
        super().__init__(detail or REASONS[reason])
        self.reason = reason
        self.detail = self.message


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def provider_named(settings: Settings, name: str) -> OidcProvider:
    for provider in settings.oidc_providers:
        if provider.name == name:
            return provider
    raise SsoRefused("unknown-provider", f"no sign-in provider named {name!r}")


def check_redirect(settings: Settings, redirect_to: str | None) -> str | None:
    """A path on this server, or an absolute URL on one of ALLOWED_ORIGINS (no open redirect)."""
    if redirect_to is None or redirect_to == "":
        return None
    parts = urlsplit(redirect_to)
    if not parts.scheme and not parts.netloc:
        if redirect_to.startswith("/") and not redirect_to.startswith(("//", "/\\")):
            return redirect_to
    elif f"{parts.scheme}://{parts.netloc}" in settings.allowed_origins and not parts.fragment:
        return redirect_to
    raise SsoRefused("bad-redirect", f"redirect_to {redirect_to!r} is not allowed")


@dataclass(frozen=True)
class Started:
    authorization_url: str
    state: str
    binding: str  # for the browser-binding cookie


async def begin(
    sessions: async_sessionmaker[AsyncSession],
    discovery: Discovery,
    settings: Settings,
    provider: OidcProvider,
    callback_url: str,
    redirect_to: str | None,
) -> Started:
    target = check_redirect(settings, redirect_to)
    try:
        metadata = await discovery.metadata(provider)
    except ProviderUnavailable as exc:
        raise SsoRefused("provider-unavailable", str(exc)) from None
    state, nonce, binding = (secrets.token_urlsafe(32) for _ in range(3))
    verifier = secrets.token_urlsafe(64)  # 86 characters (RFC 7636: 43 to 128)
    async with sessions() as session, session.begin():
        session.add(
            SsoAttempt(
                state_hash=digest(state),
                provider=provider.name,
                nonce=nonce,
                code_verifier=verifier,
                binding_hash=digest(binding),
                redirect_to=target,
                expires_at=datetime.now(UTC) + timedelta(seconds=ATTEMPT_SECONDS),
            )
        )
    url = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id=provider.client_id,
        response_type="code",
        redirect_uri=callback_url,
        scope=" ".join(provider.scopes),
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    return Started(url, state, binding)


@dataclass(frozen=True)
class Finished:
    redirect_to: str | None
    code: str  # the one-time sign-in code
    expires_in: int


async def claim_attempt(
    sessions: async_sessionmaker[AsyncSession],
    provider: OidcProvider,
    state: str | None,
    binding: str | None,
) -> SsoAttempt:
    """The attempt `state` names, marked returned (single use) in its own transaction."""
    if not state:
        raise SsoRefused("invalid-state", "the provider's redirect carries no state")
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        attempt = (
            await session.execute(
                select(SsoAttempt).where(SsoAttempt.state_hash == digest(state)).with_for_update()
            )
        ).scalar_one_or_none()
        if attempt is None or attempt.provider != provider.name:
            raise SsoRefused("invalid-state", "this sign-in was not started here")
        if attempt.returned_at is not None:
            raise SsoRefused("invalid-state", "this sign-in was already completed")
        if attempt.expires_at <= now:
            raise SsoRefused("invalid-state", "this sign-in took too long; start again")
        if binding is None or not secrets.compare_digest(digest(binding), attempt.binding_hash):
            raise SsoRefused("invalid-state", "this sign-in was started in another browser")
        attempt.returned_at = now
        session.expunge(attempt)
    return attempt


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    discovery: Discovery,
    settings: Settings,
    provider: OidcProvider,
    attempt: SsoAttempt,
    params: dict[str, str],
    callback_url: str,
    address: str | None,
) -> Finished:
    if "error" in params:
        detail = params.get("error_description") or params["error"]
        raise SsoRefused("provider-refused", f"the provider answered {detail!r}")
    code = params.get("code")
    if not code:
        raise SsoRefused("provider-refused", "the provider's redirect carries no code")
    tokens = await _exchange_code(discovery, provider, code, attempt.code_verifier, callback_url)
    claims = await _verified_claims(discovery, provider, tokens, attempt.nonce)
    grant = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        user = await _account(session, provider, claims, address)
        row = await session.get(SsoAttempt, attempt.id, with_for_update=True)
        assert row is not None
        row.user_id = user.id
        row.grant_hash = digest(grant)
        row.grant_expires_at = now + timedelta(seconds=GRANT_SECONDS)
    return Finished(attempt.redirect_to, grant, GRANT_SECONDS)


async def _exchange_code(
    discovery: Discovery, provider: OidcProvider, code: str, verifier: str, callback_url: str
) -> dict[str, Any]:
    try:
        metadata = await discovery.metadata(provider)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url,
            "code_verifier": verifier,
        }
        # client_secret_basic, both parts form-encoded first (RFC 6749 §2.3.1)
        auth = httpx.BasicAuth(
            quote(provider.client_id, safe=""), quote(provider.client_secret, safe="")
        )
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=False, auth=auth) as client:
            response = await client.post(
                metadata.token_endpoint,
                data=form,
                headers={"accept": "application/json"},
            )
    except (ProviderUnavailable, httpx.HTTPError) as exc:
        raise SsoRefused("provider-unavailable", f"token endpoint: {exc}") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error", response.status_code) if isinstance(body, dict) else ""
        raise SsoRefused("token-exchange-failed", f"the token endpoint answered {error!r}")
    if not isinstance(body.get("id_token"), str):
        raise SsoRefused("token-exchange-failed", "the token response has no id_token")
    return body


_CLAIM_REASONS = {"iss": "wrong-issuer", "aud": "wrong-audience", "nonce": "wrong-nonce"}


async def _verified_claims(
    discovery: Discovery, provider: OidcProvider, tokens: dict[str, Any], nonce: str
) -> dict[str, Any]:
    id_token = tokens["id_token"]
    try:
        metadata = await discovery.metadata(provider)
        keys = await discovery.keys(provider)
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(keys), metadata.signing_algorithms)  # type: ignore[arg-type]
        except InvalidKeyIdError:  # a key the provider rotated in since we cached its set
            keys = await discovery.keys(provider, refresh=True)
            token = jwt.decode(id_token, KeySet.import_key_set(keys), metadata.signing_algorithms)  # type: ignore[arg-type]
    except ProviderUnavailable as exc:
        raise SsoRefused("provider-unavailable", str(exc)) from None
    except (JoseError, ValueError) as exc:
        raise SsoRefused("invalid-id-token", f"the ID token does not verify: {exc}") from None
    claims = CodeIDToken(
        token.claims,
        token.header,
        {
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
        },
        {
            "nonce": nonce,
            "client_id": provider.client_id,
            "access_token": tokens.get("access_token"),
        },
    )
    try:
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    except ExpiredTokenError:
        raise SsoRefused("expired-id-token") from None
    except (InvalidClaimError, MissingClaimError) as exc:
        reason = _CLAIM_REASONS.get(exc.claim, "invalid-id-token")
        raise SsoRefused(reason, f"ID token claim {exc.claim!r}: {exc.description}") from None
    except JoseError as exc:
        raise SsoRefused("invalid-id-token", f"the ID token is invalid: {exc}") from None
    return dict(claims)


def _verified(provider: OidcProvider, claims: dict[str, Any]) -> bool:
    value = claims.get(provider.email_verified_claim)
    return value is True or (isinstance(value, str) and value.lower() == "true")


async def _account(
    session: AsyncSession, provider: OidcProvider, claims: dict[str, Any], address: str | None
) -> User:
    subject = str(claims["sub"])
    now = datetime.now(UTC)
    identity = (
        await session.execute(
            select(SsoIdentity).where(
                SsoIdentity.issuer == provider.issuer, SsoIdentity.subject == subject
            )
        )
    ).scalar_one_or_none()
    if identity is not None:
        user = await session.get(User, identity.user_id)
        assert user is not None  # the link goes with its account (ON DELETE CASCADE)
        identity.last_used_at = now
        return _active(user)
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused("no-email")
    if not _verified(provider, claims):
        raise SsoRefused("unverified-email", f"the provider does not vouch for {email}")
    user = await service.find_user_by_email(session, email)
    if user is None:
        domain = email.rsplit("@", 1)[1].lower()
        if domain not in provider.jit_domains:
            raise SsoRefused("no-account", f"no account has the e-mail {email}")
        user = User(
            email=email.strip(),
            name=str(claims.get("name") or "")[:200],
            password_hash="",  # no password: signs in through the provider only
        )
        session.add(user)
        await session.flush()
        audit.record(
            session,
            "sso.account_created",
            actor_id=user.id,
            user_id=user.id,
            address=address,
            details={"provider": provider.name, "email": email},
        )
    _active(user)
    session.add(SsoIdentity(issuer=provider.issuer, subject=subject, user_id=user.id, email=email))
    await session.flush()
    audit.record(
        session,
        "sso.linked",
        actor_id=user.id,
        user_id=user.id,
        address=address,
        details={"provider": provider.name, "issuer": provider.issuer, "subject": subject},
    )
    return user


def _active(user: User) -> User:
    if not user.is_active:
        raise SsoRefused("account-disabled")
    return user


async def exchange(
    session: AsyncSession, settings: Settings, code: str, address: str | None
) -> service.TokenPair:
    """The token pair for a sign-in code, once."""
    now = datetime.now(UTC)
    attempt = (
        await session.execute(
            select(SsoAttempt).where(SsoAttempt.grant_hash == digest(code)).with_for_update()
        )
    ).scalar_one_or_none()
    if (
        attempt is None
        or attempt.exchanged_at is not None
        or attempt.grant_expires_at is None
        or attempt.grant_expires_at <= now
        or attempt.user_id is None
    ):
        raise SsoRefused("invalid-code")
    attempt.exchanged_at = now
    user = await session.get(User, attempt.user_id)
    if user is None or not user.is_active:
        raise SsoRefused("account-disabled")
    return await service.start_login(
        session, settings, user, address, method="sso", provider=attempt.provider
    )
