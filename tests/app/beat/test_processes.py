"""`trueppm beat` and `trueppm worker` as real processes against real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from rq import Worker

from app.beat.heartbeat import KEY as HEARTBEAT_KEY
from app.beat.loop import LEADER_KEY
from app.cli import main, worker_queues


def _wait(check: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def spawn(tmp_path: os.PathLike[str]) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def run(command: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        full = {**os.environ, "TRUEPPM_DATA_DIR": str(tmp_path), **env}
        process = subprocess.Popen([sys.executable, "-m", "app", command], env=full)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_beat_needs_valkey(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VALKEY_URL", raising=False)
    assert main(["beat"]) == 2


def test_worker_serves_every_queue_scheduling_first() -> None:
    assert worker_queues() == [
        "trueppm-scheduling",
        "trueppm-periodic",
        "trueppm-webhooks",
        "trueppm-forecasts",
    ]


def test_beat_process_beats_and_hands_over(
    spawn: Callable[..., subprocess.Popen[bytes]], redis_url: str
) -> None:
    connection = redis.Redis.from_url(redis_url)
    env = {"VALKEY_URL": redis_url, "TRUEPPM_BEAT_INTERVAL_SECONDS": "1"}
    first = spawn("beat", env)
    assert _wait(lambda: connection.get(HEARTBEAT_KEY) is not None)
    leader = connection.get(LEADER_KEY)
    assert leader is not None
    assert f":{first.pid}:".encode() in leader
    second = spawn("beat", env)
    time.sleep(2.5)
    assert connection.get(LEADER_KEY) == leader  # the second one stands by
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=15) == 0
    # The standby takes over: the lock and the heartbeat now name it.
    assert _wait(lambda: f":{second.pid}:".encode() in (connection.get(LEADER_KEY) or b""))
    assert _wait(lambda: f":{second.pid}".encode() in (connection.get(HEARTBEAT_KEY) or b""))
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=15) == 0
    assert connection.get(LEADER_KEY) is None  # released on exit
    connection.close()


def test_worker_process_runs_the_rq_scheduler(
    spawn: Callable[..., subprocess.Popen[bytes]],
    redis_url: str,
    database_url: str,
) -> None:
    connection = redis.Redis.from_url(redis_url)
    worker = spawn("worker", {"VALKEY_URL": redis_url, "DATABASE_URL": database_url})
    assert _wait(lambda: connection.exists("rq:scheduler-lock:trueppm-scheduling") == 1)
    # RQ takes the scheduler lock before it installs its SIGTERM handler; a SIGTERM in between
    # kills the process (exit -15). It reports `idle` only from its loop, handlers in place.
    assert _wait(lambda: _idle(connection, worker.pid))
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    connection.close()


def _idle(connection: redis.Redis, pid: int) -> bool:
    return any(w.pid == pid and w.get_state() == "idle" for w in Worker.all(connection=connection))
