"""`trueppm serve --workers N`: how many processes, and several real ones serving one API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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


def test_two_worker_processes_serve_the_api(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VALKEY_URL": redis_url,
        "SECRET_KEY": SECRET,
        "TRUEPPM_DATA_DIR": str(tmp_path),
        "TRUEPPM_PORT": str(port),
        "TRUEPPM_LOG_LEVEL": "WARNING",
    }
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
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode in (0, 143)
