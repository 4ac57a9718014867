"""Minting, listing and revoking API tokens; every mint and revoke is audited.

Tokens are managed only from a login session (a JWT), never with an API token: a leaked token
must not be able to mint itself a successor, outlive its expiry that way, or hide its tracks by
revoking others. Scoping a token to a project or program needs a role on it, and the token still
acts as its owner, so it never reaches more than the owner can.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.apitokens.format import mint
from app.audit import log as audit
from app.auth.principal import current_principal
from app.auth.revocations import Revocation, revoke_after_commit
from app.authz import project_role, require_program_role
from app.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from app.logs import current_request_id
from app.models import ApiToken, ApiTokenAuditEntry
from app.models.enums import Role
from app.settings import Settings

NAME_MAX = 100


@dataclass(frozen=True)
class TokenRequest:
    name: str
    project_id: uuid.UUID | None = None
    program_id: uuid.UUID | None = None
    read_only: bool = False
    expires_in_days: int | None = None


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    plaintext: str  # returned to the caller once, never stored


def require_login_session(user_id: uuid.UUID) -> None:
    """Refuse token management through an API token."""
    principal = current_principal()
    if principal is not None and principal.user_id == user_id and principal.is_api_token:
        raise ForbiddenError("API tokens are managed from a login session, not with an API token")


def _validate(settings: Settings, request: TokenRequest) -> tuple[str, int]:
    problems = []
    name = request.name.strip()
    if not name:
        problems.append(FieldProblem(("name",), "must not be blank"))
    elif len(name) > NAME_MAX:
        problems.append(FieldProblem(("name",), f"must be at most {NAME_MAX} characters"))
    days = request.expires_in_days
    if days is None:
        days = settings.api_token_default_days
    elif not 1 <= days <= settings.api_token_max_days:
        problems.append(
            FieldProblem(
                ("expiresInDays",),
                f"must be between 1 and {settings.api_token_max_days} (TRUEPPM_API_TOKEN_MAX_DAYS)",
            )
        )
    if request.project_id is not None and request.program_id is not None:
        problems.append(
            FieldProblem(("programId",), "a token is limited to one project or one program")
        )
    if problems:
        raise ValidationFailed(problems)
    return name, days


async def _check_scope(session: AsyncSession, user_id: uuid.UUID, request: TokenRequest) -> None:
    """Only members may limit a token to a project or program (others: not found)."""
    if request.project_id is not None:
        await project_role(session, user_id, request.project_id)
    if request.program_id is not None:
        await require_program_role(session, user_id, request.program_id, Role.VIEWER)


def _audit(session: AsyncSession, token: ApiToken, event: str, actor_id: uuid.UUID) -> None:
    audit.record(
        session,
        "token.minted" if event == "mint" else "token.revoked",
        actor_id=actor_id,
        user_id=token.user_id,
        details={
            "token_id": token.id,
            "prefix": token.prefix,
            "name": token.name,
            "project_id": token.project_id,
            "program_id": token.program_id,
            "read_only": token.read_only,
        },
    )
    session.add(
        ApiTokenAuditEntry(
            event=event,
            token_id=token.id,
            token_prefix=token.prefix,
            token_name=token.name,
            owner_id=token.user_id,
            actor_id=actor_id,
            project_id=token.project_id,
            program_id=token.program_id,
            read_only=token.read_only,
            expires_at=token.expires_at,
            request_id=current_request_id() or None,
        )
    )


async def create_token(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, request: TokenRequest
) -> CreatedToken:
    """A new token of the caller; the plaintext is in the result and nowhere else."""
    require_login_session(user_id)
    name, days = _validate(settings, request)
    await _check_scope(session, user_id, request)
    minted = mint()
    token = ApiToken(
        id=uuid.uuid4(),
        user_id=user_id,
        name=name,
        prefix=minted.prefix,
        token_hash=minted.digest,
        project_id=request.project_id,
        program_id=request.program_id,
        read_only=request.read_only,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    session.add(token)
    _audit(session, token, "mint", user_id)
    await session.flush()
    await session.refresh(token)
    return CreatedToken(token=token, plaintext=minted.plaintext)


async def list_tokens(
    session: AsyncSession, user_id: uuid.UUID, *, include_inactive: bool = False
) -> list[ApiToken]:
    """The caller's tokens, newest first; by default only those that still work."""
    require_login_session(user_id)
    stmt = select(ApiToken).where(ApiToken.user_id == user_id)
    if not include_inactive:
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > datetime.now(UTC))
    stmt = stmt.order_by(ApiToken.created_at.desc(), ApiToken.id)
    return list((await session.execute(stmt)).scalars())


async def revoke_token(session: AsyncSession, user_id: uuid.UUID, token_id: uuid.UUID) -> ApiToken:
    """Revoke one of the caller's tokens at once; revoking it again changes nothing."""
    require_login_session(user_id)
    stmt = (
        select(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        .with_for_update()
    )
    token = (await session.execute(stmt)).scalar_one_or_none()
    if token is None:
        raise NotFoundError("API token not found")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        _audit(session, token, "revoke", user_id)
        await session.flush()
        revoke_after_commit(session, Revocation(user_id=user_id, token_id=token.id))
    return token
