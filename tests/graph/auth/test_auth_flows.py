"""Register, login, me, refresh rotation (incl. reuse detection) and logout over GraphQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
import pytest

from app.settings import Settings
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import PASSWORD, make_user

LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ... on AuthPayload { accessToken refreshToken tokenType expiresIn user { email isStaff } }
    ... on AuthenticationFailed { message }
  }
}"""
REFRESH = """
mutation($t: String!) {
  refreshToken(refreshToken: $t) {
    __typename
    ... on AuthPayload { accessToken refreshToken }
    ... on AuthenticationFailed { message }
  }
}"""
ME = "{ me { email name isStaff } }"


async def _login(gql: GraphQLClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    body = await gql(LOGIN, {"email": email, "password": password})
    result: dict[str, Any] = body["data"]["login"]
    return result


async def test_register_then_me(gql: GraphQLClient) -> None:
    body = await gql(
        """mutation { register(email: "New@Example.com", password: "a-long-password", name: "Ann") {
            __typename ... on AuthPayload { accessToken user { email } } } }"""
    )
    payload = body["data"]["register"]
    assert payload["__typename"] == "AuthPayload"
    me = await gql(ME, token=payload["accessToken"])
    assert me["data"]["me"] == {"email": "New@Example.com", "name": "Ann", "isStaff": False}


async def test_register_rejects_duplicate_email_case_insensitively(
    gql: GraphQLClient, db: Any
) -> None:
    await make_user(db, "dup@example.com")
    body = await gql(
        """mutation { register(email: "DUP@example.com", password: "a-long-password") {
            __typename ... on Conflict { message } } }"""
    )
    assert body["data"]["register"]["__typename"] == "Conflict"


async def test_register_validation_names_fields(gql: GraphQLClient) -> None:
    body = await gql(
        """mutation { register(email: "nope", password: "short") {
            __typename ... on ValidationError { fields { path message } } } }"""
    )
    result = body["data"]["register"]
    assert result["__typename"] == "ValidationError"
    assert [f["path"] for f in result["fields"]] == [["email"], ["password"]]


async def test_login_issues_pinned_short_jwt(
    gql: GraphQLClient, db: Any, settings: Settings
) -> None:
    user = await make_user(db, "ann@example.com", is_staff=True)
    payload = await _login(gql, "ANN@example.com")
    assert payload["__typename"] == "AuthPayload"
    assert payload["tokenType"] == "Bearer"
    assert payload["expiresIn"] == 900
    claims = jwt.decode(
        payload["accessToken"],
        settings.signing_key(),
        algorithms=["HS256"],
        audience="trueppm-api",
        issuer="trueppm",
    )
    assert claims["sub"] == str(user.id)
    assert claims["exp"] - claims["iat"] == 900
    me = await gql(ME, token=payload["accessToken"])
    assert me["data"]["me"]["isStaff"] is True


async def test_login_wrong_password(gql: GraphQLClient, db: Any) -> None:
    await make_user(db, "bob@example.com")
    payload = await _login(gql, "bob@example.com", "wrong password!")
    assert payload == {"__typename": "AuthenticationFailed", "message": "wrong e-mail or password"}
    unknown = await _login(gql, "nobody@example.com")
    assert unknown["__typename"] == "AuthenticationFailed"


async def test_tokens_with_other_algorithm_or_missing_claims_are_refused(
    gql: GraphQLClient, db: Any, settings: Settings
) -> None:
    user = await make_user(db)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    base = {
        "sub": str(user.id),
        "iat": now,
        "exp": now + 60,
        "aud": "trueppm-api",
        "iss": "trueppm",
    }
    forged_none = jwt.encode(base, key="", algorithm="none")
    wrong_alg = jwt.encode(base, settings.signing_key(), algorithm="HS512")
    no_aud = jwt.encode({k: v for k, v in base.items() if k != "aud"}, settings.signing_key())
    expired = jwt.encode({**base, "exp": now - 10}, settings.signing_key())
    for token in (forged_none, wrong_alg, no_aud, expired):
        body = await gql(ME, token=token)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in (await gql(ME, token=expired))["errors"][0]["message"]


async def test_me_requires_authentication(gql: GraphQLClient) -> None:
    body = await gql(ME)
    assert body["errors"][0]["message"] == "authentication required"


async def test_refresh_rotates_and_reuse_revokes_family(gql: GraphQLClient, db: Any) -> None:
    await make_user(db, "carol@example.com")
    first = await _login(gql, "carol@example.com")
    rotated = (await gql(REFRESH, {"t": first["refreshToken"]}))["data"]["refreshToken"]
    assert rotated["__typename"] == "AuthPayload"
    assert rotated["refreshToken"] != first["refreshToken"]

    # The old token is presented again: treated as stolen, the family dies...
    reuse = (await gql(REFRESH, {"t": first["refreshToken"]}))["data"]["refreshToken"]
    assert reuse["__typename"] == "AuthenticationFailed"
    assert "reused" in reuse["message"]
    # ...including the legitimately rotated token.
    after = (await gql(REFRESH, {"t": rotated["refreshToken"]}))["data"]["refreshToken"]
    assert after["__typename"] == "AuthenticationFailed"
    # Another login is a separate family and keeps working.
    other = await _login(gql, "carol@example.com")
    fresh = (await gql(REFRESH, {"t": other["refreshToken"]}))["data"]["refreshToken"]
    assert fresh["__typename"] == "AuthPayload"


async def test_logout_revokes_refresh_token(gql: GraphQLClient, db: Any) -> None:
    await make_user(db, "dan@example.com")
    tokens = await _login(gql, "dan@example.com")
    body = await gql(
        "mutation($t: String!) { logout(refreshToken: $t) { revoked } }",
        {"t": tokens["refreshToken"]},
    )
    assert body["data"]["logout"] == {"revoked": True}
    denied = (await gql(REFRESH, {"t": tokens["refreshToken"]}))["data"]["refreshToken"]
    assert denied["__typename"] == "AuthenticationFailed"


async def test_register_closed_by_default(db: Any, settings: Settings) -> None:
    from app.auth.service import register
    from app.errors import ForbiddenError
    from app.state import unit_of_work

    closed = Settings.from_env({"SECRET_KEY": settings.signing_key()})
    with pytest.raises(ForbiddenError, match="registration is closed"):
        async with unit_of_work(db.sessions) as uow:
            await register(uow.session, closed, "x@example.com", "a-long-password")


async def test_a_token_without_the_bearer_prefix_is_told_so(
    gql: GraphQLClient, client: Any, db: AppState
) -> None:
    user = await make_user(db)
    token = gql.token_for(user.id)
    cases = {
        token: 'the Authorization header must be "Bearer <token>": the "Bearer " prefix is missing',
        "Bearer ": 'the Authorization header says "Bearer" but carries no token',
        f"Basic {token}": (
            "the Authorization header must be \"Bearer <token>\", not a 'Basic' credential"
        ),
    }
    for header, message in cases.items():
        body = (
            await client.post("/graphql", json={"query": ME}, headers={"authorization": header})
        ).json()
        assert body["data"] is None
        assert body["errors"][0]["message"] == message
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ok = await client.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"bearer {token}"}
    )
    assert "errors" not in ok.json()  # the scheme is case-insensitive


async def test_the_login_example_of_the_api_docs_shows_a_wrong_password(
    gql: GraphQLClient, db: AppState
) -> None:
    """docs/api.md's first example, run as printed (with a wrong password): the failure
    type is selected, so the answer says why instead of `{}`."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()
    example = text.split("```graphql\n", 1)[1].split("```", 1)[0]
    assert 'login(email: "admin@trueppm.local", password: "…")' in example
    await make_user(db, email="admin@trueppm.local")
    body = await gql(example)
    assert body["data"]["login"] == {
        "__typename": "AuthenticationFailed",
        "message": "wrong e-mail or password",
    }
    good = await gql(example.replace("…", PASSWORD))
    assert good["data"]["login"]["__typename"] == "AuthPayload"
