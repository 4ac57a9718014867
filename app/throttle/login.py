"""Throttled credentials: failed logins counted per account and per client address, and the
other unauthenticated auth calls (register, refresh) per address.

An account with `TRUEPPM_LOGIN_MAX_FAILURES` failures in `TRUEPPM_LOGIN_WINDOW_SECONDS` is
refused — even with the right password — until its window ends; an address with
`TRUEPPM_LOGIN_MAX_FAILURES_PER_ADDRESS` failures likewise (guessing across accounts). Other
accounts and addresses are unaffected. A successful login clears its account's count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.settings import Settings
from app.throttle import Counter


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts: try again in {retry_after} s")
        self.retry_after = retry_after


def _account(email: str) -> str:
    # Hashed: the keys in Valkey name no one.
    return "login:account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass
class LoginGuard:
    counter: Counter
    settings: Settings

    async def check(self, email: str, address: str) -> None:
        """Raise TooManyAttempts while the account or the address is locked out."""
        s = self.settings
        for key, limit in (
            (_account(email), s.login_max_failures),
            ("login:address:" + address, s.login_max_failures_per_address),
        ):
            count, left = await self.counter.peek(key)
            if count >= limit:
                raise TooManyAttempts(left)

    async def failed(self, email: str, address: str) -> None:
        window = self.settings.login_window_seconds
        await self.counter.add(_account(email), window)
        await self.counter.add("login:address:" + address, window)

    async def succeeded(self, email: str) -> None:
        await self.counter.clear(_account(email))

    async def spend(self, action: str, address: str) -> None:
        """One unauthenticated call (`register`, `refresh`) from `address`; over the limit per
        window: TooManyAttempts."""
        count, left = await self.counter.add(
            f"{action}:address:{address}", self.settings.login_window_seconds
        )
        if count > self.settings.auth_calls_per_address:
            raise TooManyAttempts(left)
