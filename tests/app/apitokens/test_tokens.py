"""API tokens in the service layer: storage, audit, verification and last-use bookkeeping."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from app.apitokens.service import TokenRequest, create_token, list_tokens, revoke_token
from app.apitokens.verify import authenticate_api_token
from app.auth.principal import Principal, acting_as
from app.errors import AuthenticationError, ForbiddenError, NotFoundError, ValidationFailed
from app.history.purge import purge_history
from app.models import ApiToken, ApiTokenAuditEntry, User
from app.models.enums import Role
from app.retention.coordinator import run_purge
from app.state import AppState, unit_of_work
from app.sync.purge import purge_sync
from tests.factories import make_api_token, make_project, make_user, make_workspace

NOW = dt.datetime.now(dt.UTC)


async def _row(db: AppState, plaintext: str) -> ApiToken:
    prefix = plaintext.split("_")[1]
    async with db.sessions() as session:
        return (
            await session.execute(select(ApiToken).where(ApiToken.prefix == prefix))
        ).scalar_one()


async def _authenticate(db: AppState, plaintext: str, now: dt.datetime = NOW) -> Principal:
    async with db.sessions() as session, session.begin():
        return await authenticate_api_token(session, plaintext, now=now)


async def _audit(db: AppState) -> list[ApiTokenAuditEntry]:
    async with db.sessions() as session:
        stmt = select(ApiTokenAuditEntry).order_by(ApiTokenAuditEntry.id)
        return list((await session.execute(stmt)).scalars())


async def test_only_the_hash_is_stored_never_the_plaintext(db: AppState) -> None:
    user = await make_user(db)
    plaintext = await make_api_token(db, user.id, name="ci")
    scheme, prefix, secret = plaintext.split("_", 2)
    assert (scheme, len(prefix), len(secret)) == ("tppm", 12, 43)
    row = await _row(db, plaintext)
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    async with db.sessions() as session:
        dumps = [
            str(value)
            for table in ("api_token", "api_token_audit_entry")
            for value in (
                await session.execute(text(f"SELECT row_to_json(t)::text FROM {table} t"))
            ).scalars()
        ]
    assert len(dumps) == 2
    for dump in dumps:
        assert secret not in dump
        assert plaintext not in dump
    assert prefix in dumps[0]


async def test_mint_and_revoke_are_audited_once_each(db: AppState) -> None:
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    project = await make_project(db, workspace, members={user.id: Role.TEAM_MEMBER})
    plaintext = await make_api_token(db, user.id, project_id=project.id, read_only=True)
    token = await _row(db, plaintext)
    for _ in range(2):  # revoking a revoked token changes nothing and is not audited again
        async with unit_of_work(db.sessions) as uow:
            revoked = await revoke_token(uow.session, user.id, token.id)
    assert revoked.revoked_at is not None
    entries = await _audit(db)
    assert [e.event for e in entries] == ["mint", "revoke"]
    for entry in entries:
        assert (entry.token_id, entry.owner_id, entry.actor_id) == (token.id, user.id, user.id)
        assert (entry.project_id, entry.program_id, entry.read_only) == (project.id, None, True)
        assert (entry.token_prefix, entry.token_name) == (token.prefix, "integration")
        assert entry.expires_at == token.expires_at
    assert entries[0].at <= entries[1].at


async def test_audit_log_survives_every_purge_and_refuses_changes(db: AppState) -> None:
    user = await make_user(db)
    await make_api_token(db, user.id)
    decade_ago = NOW - dt.timedelta(days=3650)
    async with unit_of_work(db.sessions) as uow:  # an entry older than any retention window
        uow.session.add(
            ApiTokenAuditEntry(
                at=decade_ago,
                event="revoke",
                token_id=uuid.uuid4(),
                token_prefix="0123456789ab",
                token_name="old",
                owner_id=user.id,
                actor_id=user.id,
                read_only=False,
                expires_at=decade_ago,
            )
        )
    await run_purge(db)
    far_future = NOW + dt.timedelta(days=3650)
    await purge_history(db.sessions, 1, now=far_future)
    async with unit_of_work(db.sessions) as uow:
        await purge_sync(uow.session, 1, 1, now=far_future)
    assert [e.event for e in await _audit(db)] == ["mint", "revoke"]
    for statement in (
        "DELETE FROM api_token_audit_entry",
        "UPDATE api_token_audit_entry SET event = 'revoke'",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with unit_of_work(db.sessions) as uow:
                await uow.session.execute(text(statement))
    assert [e.event for e in await _audit(db)] == ["mint", "revoke"]


async def test_authentication_refuses_bad_expired_revoked_and_disabled(db: AppState) -> None:
    user = await make_user(db)
    good = await make_api_token(db, user.id)
    principal = await _authenticate(db, good)
    assert principal.user_id == user.id
    assert (principal.is_api_token, principal.is_scoped, principal.read_only) == (
        True,
        False,
        False,
    )
    wrong_secret = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for raw, message in [
        ("tppm_nothex", "invalid API token"),
        ("tppm_" + "0" * 12 + "_" + "x" * 43, "invalid API token"),
        (wrong_secret, "invalid API token"),
        (good, "API token expired"),
    ]:
        with pytest.raises(AuthenticationError, match=message):
            await _authenticate(db, raw, now=NOW + dt.timedelta(days=31))
    revoked = await make_api_token(db, user.id)
    async with unit_of_work(db.sessions) as uow:
        await revoke_token(uow.session, user.id, (await _row(db, revoked)).id)
    with pytest.raises(AuthenticationError, match="API token revoked"):
        await _authenticate(db, revoked)
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(update(User).where(User.id == user.id).values(is_active=False))
    with pytest.raises(AuthenticationError, match="disabled"):
        await _authenticate(db, good)


async def test_last_used_at_is_written_at_most_once_a_minute(db: AppState) -> None:
    user = await make_user(db)
    plaintext = await make_api_token(db, user.id)
    assert (await _row(db, plaintext)).last_used_at is None
    await _authenticate(db, plaintext, now=NOW)
    assert (await _row(db, plaintext)).last_used_at == NOW
    await _authenticate(db, plaintext, now=NOW + dt.timedelta(seconds=59))
    assert (await _row(db, plaintext)).last_used_at == NOW
    later = NOW + dt.timedelta(seconds=61)
    await _authenticate(db, plaintext, now=later)
    assert (await _row(db, plaintext)).last_used_at == later


async def test_scoping_needs_a_role_and_input_is_validated(db: AppState) -> None:
    owner = await make_user(db)
    outsider = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(db, workspace)

    async def create(user_id: uuid.UUID, request: TokenRequest) -> None:
        async with unit_of_work(db.sessions) as uow:
            await create_token(uow.session, db.settings, user_id, request)

    with pytest.raises(NotFoundError, match="project not found"):
        await create(outsider.id, TokenRequest("x", project_id=project.id))
    with pytest.raises(NotFoundError, match="project not found"):
        await create(owner.id, TokenRequest("x", project_id=uuid.uuid4()))
    with pytest.raises(ValidationFailed) as invalid:
        await create(
            owner.id,
            TokenRequest(" ", project_id=project.id, program_id=uuid.uuid4(), expires_in_days=366),
        )
    assert {p.path for p in invalid.value.problems} == {
        ("name",),
        ("expiresInDays",),
        ("programId",),
    }
    await create(owner.id, TokenRequest("max", project_id=project.id, expires_in_days=365))
    async with db.sessions() as session:
        tokens = await list_tokens(session, owner.id)
        assert await list_tokens(session, outsider.id) == []
    assert [t.name for t in tokens] == ["max"]
    lifetime = tokens[0].expires_at - tokens[0].created_at
    assert dt.timedelta(days=365) - lifetime < dt.timedelta(minutes=1)


async def test_tokens_are_managed_only_from_a_login_session(db: AppState) -> None:
    user = await make_user(db)
    token = await _row(db, await make_api_token(db, user.id))
    principal = await _authenticate(db, await make_api_token(db, user.id))
    with acting_as(principal):
        async with unit_of_work(db.sessions) as uow:
            with pytest.raises(ForbiddenError, match="login session"):
                await create_token(uow.session, db.settings, user.id, TokenRequest("again"))
            with pytest.raises(ForbiddenError, match="login session"):
                await revoke_token(uow.session, user.id, token.id)
            with pytest.raises(ForbiddenError, match="login session"):
                await list_tokens(uow.session, user.id)
    async with unit_of_work(db.sessions) as uow:  # another user's token is not found
        with pytest.raises(NotFoundError):
            await revoke_token(uow.session, (await make_user(db)).id, token.id)
