"""A real Redis for job tests: fails in CI when missing, skips elsewhere."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from tests.redis_service import REDIS_URL


@pytest.fixture
def redis_url() -> Iterator[str]:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis/Valkey is not reachable at {REDIS_URL} (never skipped in CI)")
        pytest.skip(f"Redis/Valkey is not reachable at {REDIS_URL}")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()
