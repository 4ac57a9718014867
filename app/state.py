"""Process-wide resources shared by every request: settings, the engine and sessions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.auth.accounts import ActiveAccounts
from app.db import create_engine, session_factory
from app.documents import DocumentStore, documents_for
from app.events.bus import EventBus
from app.events.publish import SESSION_INFO_KEY, set_process_bus
from app.settings import Settings
from app.sso.discovery import Discovery
from app.throttle import counter_for
from app.throttle.login import LoginGuard
from app.throttle.requests import RequestRate, SocketCap

AfterCommit = Callable[[], Awaitable[None]]
UOW_INFO_KEY = "trueppm.uow"


@dataclass
class AppState:
    settings: Settings
    database_url: str
    engine: AsyncEngine = field(init=False)
    # Handed to every UnitOfWork of this process (see `UnitOfWork.context`).
    uow_context: dict[str, Any] = field(init=False, default_factory=dict)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    events: EventBus = field(init=False)
    login_guard: LoginGuard = field(init=False)
    accounts: ActiveAccounts = field(init=False)  # is an account still active? (cached)
    # The OpenID providers' metadata and keys, cached per process (app/sso).
    sso_discovery: Discovery = field(default_factory=Discovery)
    documents: DocumentStore = field(init=False)  # persisted GraphQL documents

    def __post_init__(self) -> None:
        self.engine = create_engine(self.database_url, pool_size=self.settings.db_pool_size)
        self.sessions = session_factory(self.engine)
        # Valkey when configured, else in-process; sessions carry the bus so that
        # `publish_after_commit(uow, event)` needs nothing else.
        self.events = EventBus(self.settings)
        self.sessions.configure(info={SESSION_INFO_KEY: self.events})
        set_process_bus(self.events)
        self.accounts = ActiveAccounts(self.sessions, self.events)
        self.login_guard = LoginGuard(counter_for(self.settings.valkey_url), self.settings)
        self.request_rate = RequestRate(self.login_guard.counter, self.settings)
        self.socket_cap = SocketCap(self.settings)
        self.documents = documents_for(self.settings.valkey_url)

    async def close(self) -> None:
        await self.accounts.close()
        await self.login_guard.counter.close()
        await self.documents.close()
        await self.events.disconnect()
        await self.engine.dispose()


class UnitOfWork:
    """One transaction at the edge; callbacks registered with `after_commit` run only once the
    commit succeeded (broadcasts and job enqueues must never announce a rolled-back write)."""

    def __init__(self, session: AsyncSession, context: dict[str, Any] | None = None) -> None:
        self.session = session
        # Who makes this transaction's changes, when the edge named them (`set_actor`).
        self.actor_id: uuid.UUID | None = None
        # Process services a write may need after commit (e.g. the scheduling relay's poke).
        self.context: dict[str, Any] = dict(context or {})
        self._after_commit: list[AfterCommit] = []
        self._before_commit: list[AfterCommit] = []
        # Services receive only the session; `of(session)` finds the transaction's owner.
        session.info[UOW_INFO_KEY] = self

    @staticmethod
    def of(session: AsyncSession) -> UnitOfWork:
        """The unit of work `session` belongs to (services use it to publish after commit)."""
        uow = session.info.get(UOW_INFO_KEY)
        if not isinstance(uow, UnitOfWork):
            raise RuntimeError("this write must run inside app.state.unit_of_work")
        return uow

    def after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    def before_commit(self, callback: AfterCommit) -> None:
        """Run `callback` inside the transaction, after the caller's work and just before the
        commit (the webhook outbox writes its deliveries here, once per transaction)."""
        self._before_commit.append(callback)

    async def run_before_commit(self) -> None:
        for callback in self._before_commit:
            await callback()

    async def set_actor(self, actor_id: uuid.UUID | None) -> None:
        """Name who makes this transaction's changes: the history trigger reads it from the
        transaction-local setting `trueppm.actor_id` (SET LOCAL semantics: gone at commit)."""
        if actor_id is None:
            return
        self.actor_id = actor_id
        await self.session.execute(select(func.set_config("trueppm.actor_id", str(actor_id), True)))

    async def run_after_commit(self) -> None:
        # Imported here: the outbox module needs the models, which must not load at import
        # time of this low-level module.
        from app.scheduling.outbox import REQUESTED

        poke = self.context.get("schedule_poke")
        if self.session.info.pop(REQUESTED, False) and poke is not None:
            await poke()
        for callback in self._after_commit:
            await callback()


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    context: dict[str, Any] | None = None,
    *,
    actor_id: uuid.UUID | None = None,
) -> AsyncIterator[UnitOfWork]:
    """One transaction; with `actor_id`, history entries it causes name that user."""
    async with sessions() as session:
        uow = UnitOfWork(session, context)
        async with session.begin():
            await uow.set_actor(actor_id)
            yield uow
            await uow.run_before_commit()
        await uow.run_after_commit()
