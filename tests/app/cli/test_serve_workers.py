"""`trueppm serve --workers N`: how many processes, and several real ones serving one API."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.cli import available_cpus, main, serving_processes
from app.settings import Settings

SECRET = "serve-workers-test-secret-0123456789abcdef"


def _settings(**env: str) -> Settings:
    return Settings.from_env({"SECRET_KEY": SECRET, **env})


def test_available_cpus_follow_the_cgroup_quota(tmp_path: Path) -> None:
    cpus = len(os.sched_getaffinity(0))
    assert available_cpus(tmp_path) == cpus  # no cgroup files: the affinity
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert available_cpus(tmp_path) == cpus  # no quota
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert available_cpus(tmp_path) == min(cpus, 2)  # 1.5 CPUs: two processes
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert available_cpus(tmp_path) == 1
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert available_cpus(v1) == 1


def test_how_many_processes() -> None:
    cpus = available_cpus()
    assert serving_processes(_settings(), None) == 1  # embedded: one process holds it all
    assert serving_processes(_settings(VALKEY_URL="redis://x:6379/0"), None) == cpus
    assert serving_processes(_settings(VALKEY_URL="redis://x", TRUEPPM_WORKERS="3"), None) == 3
    assert serving_processes(_settings(VALKEY_URL="redis://x", TRUEPPM_WORKERS="3"), 2) == 2
    assert serving_processes(_settings(), 1) == 1


def test_several_workers_without_valkey_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VALKEY_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", SECRET)
    assert main(["serve", "--workers", "2"]) == 2
    assert "2 workers need VALKEY_URL" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _children(pid: int) -> list[str]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(cmdline)
    return out


def _serve_env(database_url: str, redis_url: str, tmp_path: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "VALKEY_URL": redis_url,
        "SECRET_KEY": SECRET,
        "TRUEPPM_DATA_DIR": str(tmp_path),
        "TRUEPPM_PORT": str(port),
        "TRUEPPM_LOG_LEVEL": "WARNING",
        "TRUEPPM_DRAIN_SECONDS": "0",
    }


def test_two_worker_processes_serve_the_api(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = _serve_env(database_url, redis_url, tmp_path, port)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--workers", "2"], env=env,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert "(2 process(es))" in process.stdout.readline()
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline and not ready:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready
        workers = [c for c in _children(process.pid) if "spawn_main" in c]
        assert len(workers) == 2, _children(process.pid)
        for _ in range(10):  # answered by whichever worker takes the connection
            body = httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}
            ).json()
            assert body == {"data": {"__typename": "Query"}}
        # /metrics sums every process's samples, whichever process answers the scrape: each
        # worker in turn serves requests while the other is paused (SIGSTOP).
        for count, paused in zip((3, 4), _worker_pids(process.pid), strict=True):
            os.kill(paused, signal.SIGSTOP)
            try:
                for _ in range(count):
                    answer = httpx.post(
                        f"http://127.0.0.1:{port}/graphql",
                        json={"query": "query WorkersPing { __typename }"},
                        timeout=10,
                    )
                    assert answer.status_code == 200
            finally:
                os.kill(paused, signal.SIGCONT)
        for _ in range(4):  # several scrapes: either process may answer, the sum is the same
            scrape = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
            assert scrape.status_code == 200
            assert _sample(scrape.text, "trueppm_graphql_operations_total", "WorkersPing") == 7
        assert len(list((tmp_path / "metrics").glob("*/counter_*.db"))) == 2
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode in (0, 143)


def _sample(text: str, family: str, operation: str) -> float:
    for metric in text_string_to_metric_families(text):
        if metric.name == family.removesuffix("_total"):
            return sum(
                s.value
                for s in metric.samples
                if s.name == family and s.labels.get("operation") == operation
            )
    raise AssertionError(f"no {family}")


def _wait_ready(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("trueppm serve did not become ready")


def _established(pid: int, port: int) -> int:
    """TCP connections to `port` that process `pid` holds open (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:  # ESTABLISHED
                count += 1
    return count


def _worker_pids(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
                    found.append(int(entry.name))
    return found


async def test_sigterm_drains_shares_load_and_closes_sockets_with_1012(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {**_serve_env(database_url, redis_url, tmp_path, port), "TRUEPPM_DRAIN_SECONDS": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--workers", "2"], env=env,
        stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    sockets = []
    try:
        await asyncio.to_thread(_wait_ready, port, process)
        # Both processes serve the one port: while either is paused (SIGSTOP), the other
        # accepts every connection (each WebSocket stays with the process that took it).
        workers = _worker_pids(process.pid)
        assert len(workers) == 2
        for paused in workers:
            os.kill(paused, signal.SIGSTOP)
            try:
                for _ in range(3):
                    sockets.append(
                        await connect(
                            f"ws://127.0.0.1:{port}/graphql",
                            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                            open_timeout=10,
                        )
                    )
            finally:
                os.kill(paused, signal.SIGCONT)
        assert [_established(pid, port) for pid in workers] == [3, 3]

        # A load balancer's view: it keeps sending until /readyz says draining, then stops.
        outcomes: list[str] = []
        removed = asyncio.Event()

        async def keep_asking() -> None:
            while not removed.is_set():
                try:  # a new connection each time, as a load balancer's would be
                    async with httpx.AsyncClient(timeout=10) as client:
                        answer = await client.post(
                            f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}
                        )
                    outcomes.append(str(answer.status_code))
                except httpx.TransportError as exc:
                    outcomes.append(f"lost: {exc!r}")

        asker = asyncio.create_task(keep_asking())
        for _ in range(200):  # served before the signal (a loaded machine may take a while)
            if outcomes:
                break
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        before = len(outcomes)
        while time.monotonic() - signalled < 2.5:
            async with httpx.AsyncClient(timeout=5) as client:
                ready = await client.get(f"http://127.0.0.1:{port}/readyz")
            if ready.status_code == 503:
                assert ready.json() == {"status": "draining"}
                await asyncio.sleep(1)  # the balancer notices a little later
                removed.set()
                break
            await asyncio.sleep(0.1)
        assert removed.is_set()
        await asyncio.wait_for(asker, 15)
        served_while_draining = len(outcomes) - before
        codes = []
        for ws in sockets:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 30)
            assert closed.value.rcvd is not None
            codes.append(closed.value.rcvd.code)
        assert codes == [1012] * len(sockets)
        await asyncio.to_thread(process.wait, 30)
        with pytest.raises(httpx.ConnectError):  # and then it is gone
            httpx.get(f"http://127.0.0.1:{port}/readyz")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode in (0, 143)
    assert set(outcomes) == {"200"}  # every request sent got its answer: none lost
    assert len(outcomes) > served_while_draining > 0  # and it kept serving while draining
