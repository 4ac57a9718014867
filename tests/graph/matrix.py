"""Role-matrix runs that seed their objects again only after an operation may have changed them.

A matrix test tries one mutation as every kind of actor, each on freshly seeded objects, and
seeding (several GraphQL requests) was most of those tests' time. A refused mutation
(Forbidden, NotFound) writes nothing, as every error must not, so the next actor can be given
the same objects; after any other outcome the next actor gets a fresh seed. Run the actors
expected to be refused first. Were a refusal ever to write, the next actor would meet a changed
world and its outcome would show it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

REFUSALS = frozenset({"Forbidden", "NotFound"})


class Reseeding(Generic[T]):
    """Hands the same seeded objects to consecutive operations until one is not refused."""

    def __init__(self, seed: Callable[[], Awaitable[T]]) -> None:
        self._seed = seed
        self._current: T | None = None
        self.seeds = 0

    async def run(self, operation: Callable[[T], Awaitable[str]]) -> str:
        """Run `operation` on the current seed (made if needed); returns its outcome."""
        if self._current is None:
            self._current = await self._seed()
            self.seeds += 1
        outcome = await operation(self._current)
        if outcome not in REFUSALS:
            self._current = None
        return outcome
