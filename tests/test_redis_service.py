"""The per-worker test Redis database: parallel test workers must never share one."""

from __future__ import annotations

import pytest

from tests.redis_service import redis_url


@pytest.mark.parametrize(
    ("base", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/4", 0, "redis://127.0.0.1:6379/4"),
        ("redis://127.0.0.1:6379/4", 1, "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379", 2, "redis://127.0.0.1:6379/2"),
        (
            "rediss://u:p@host:6380/3?ssl_cert_reqs=none",
            1,
            "rediss://u:p@host:6380/4?ssl_cert_reqs=none",
        ),
        ("unix:///tmp/r/redis.sock?db=2", 1, "unix:///tmp/r/redis.sock?db=3"),
        ("unix:///tmp/r/redis.sock", 3, "unix:///tmp/r/redis.sock?db=3"),
    ],
)
def test_each_worker_moves_the_database_index_by_its_number(
    base: str, worker: int, expected: str
) -> None:
    assert redis_url(base, worker) == expected


def test_the_worker_number_comes_from_xdist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert redis_url("redis://127.0.0.1:6379/4") == "redis://127.0.0.1:6379/7"
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert redis_url("redis://127.0.0.1:6379/4") == "redis://127.0.0.1:6379/4"
