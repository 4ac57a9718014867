"""Every error member of a result union implements `Error` (message, code, path), so a client
selects `... on Error` once; the codes are stable and listed in docs/api.md."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import make_world

ROOT = Path(__file__).resolve().parents[2]
SUCCESSES = {
    "ResourceUsageList",
    "OverallocationList",
    "CreatedApiToken",
    "CreatedWebhook",
    "WebhookTestResult",
}
CODES = {
    "NotFound": "NOT_FOUND",
    "Forbidden": "FORBIDDEN",
    "ValidationError": "VALIDATION_FAILED",
    "Conflict": "CONFLICT",
    "DependencyCycle": "DEPENDENCY_CYCLE",
    "AuthenticationFailed": "AUTHENTICATION_FAILED",
    "ActiveSprintExists": "ACTIVE_SPRINT_EXISTS",
    "InvalidSprintState": "INVALID_SPRINT_STATE",
    "TooManyRequests": "TOO_MANY_REQUESTS",
    "ImportRefused": "file_too_large, malformed_file, unsupported_format or project_not_empty",
}
TYPES = """{ __schema { types { name kind possibleTypes { name } interfaces { name } } } }"""
ANY_ERROR = "... on Error { __typename code message path }"


async def test_every_union_error_member_implements_error(gql: GraphQLClient) -> None:
    types = (await gql(TYPES))["data"]["__schema"]["types"]
    by_name = {t["name"]: t for t in types}
    members = {
        member["name"] for t in types if t["kind"] == "UNION" for member in t["possibleTypes"]
    }
    errors = {m for m in members if not m.endswith("Payload") and m not in SUCCESSES}
    assert errors == set(CODES)
    for name in errors | {"FieldError"}:
        assert {"name": "Error"} in by_name[name]["interfaces"], name
    implementing = {t["name"] for t in by_name["Error"]["possibleTypes"]}
    assert implementing == set(CODES) | {"FieldError"}


def test_the_codes_are_documented() -> None:
    api = (ROOT / "docs" / "api.md").read_text()
    for name, code in CODES.items():
        if name != "ImportRefused":
            assert re.search(rf"`{code}`.*`{name}`", api), (name, code)
    assert "`INVALID_FIELD`" in api


async def test_one_selection_handles_every_error(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    missing = await gql(
        f"""mutation($id: ID!) {{ updateTask(id: $id, input: {{name: "x"}}) {{ {ANY_ERROR} }} }}""",
        {"id": str(uuid.uuid4())},
        user=world.pm,
    )
    assert missing["data"]["updateTask"] == {
        "__typename": "NotFound",
        "code": "NOT_FOUND",
        "message": missing["data"]["updateTask"]["message"],
        "path": None,
    }
    assert missing["data"]["updateTask"]["message"]
    blank = await gql(
        f"""mutation($p: ID!) {{ createTask(input: {{projectId: $p, name: " ", duration: -1}}) {{
          {ANY_ERROR} ... on ValidationError {{ fields {{ code path message }} }} }} }}""",
        {"p": str(world.project.id)},
        user=world.pm,
    )
    result = blank["data"]["createTask"]
    assert (result["__typename"], result["code"], result["path"]) == (
        "ValidationError",
        "VALIDATION_FAILED",
        None,
    )
    assert [(f["code"], f["path"]) for f in result["fields"]] == [
        ("INVALID_FIELD", ["input", "name"]),
        ("INVALID_FIELD", ["input", "duration"]),
    ]
    login = await gql(
        f"""mutation {{ login(email: "nobody@example.com", password: "wrong") {{
          {ANY_ERROR} }} }}"""
    )
    assert login["data"]["login"]["code"] == "AUTHENTICATION_FAILED"
