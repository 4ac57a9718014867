"""The real Redis/Valkey the tests use: one database per pytest-xdist worker.

`TRUEPPM_TEST_VALKEY_URL` names the base database (default db 12 on 127.0.0.1:6379). Under
pytest-xdist each worker adds its number to the index (gw0 → 12, gw1 → 13), so parallel
workers never flush each other's keys, take each other's locks or run each other's RQ jobs.
Pub/sub is not per database, but every channel the app uses names a random project id.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode

IN_CI = os.environ.get("CI", "").lower() == "true"
BASE_URL = os.environ.get("TRUEPPM_TEST_VALKEY_URL", "redis://127.0.0.1:6379/12")


def worker_index() -> int:
    """0 outside xdist, else the number of this worker (`PYTEST_XDIST_WORKER=gw<n>`)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw"))


def redis_url(base: str = BASE_URL, worker: int | None = None) -> str:
    """`base` with its database index (`/n`, or `?db=n` for a unix socket) moved up by the
    worker's number."""
    offset = worker_index() if worker is None else worker
    address, _, query = base.partition("?")
    params = dict(parse_qsl(query))
    if "db" in params or address.startswith("unix:"):
        params["db"] = str(int(params.get("db", "0")) + offset)
        return f"{address}?{urlencode(params)}"
    scheme, _, rest = address.partition("://")
    host, _, db = rest.partition("/")
    moved = f"{scheme}://{host}/{int(db or '0') + offset}"
    return f"{moved}?{query}" if query else moved


REDIS_URL = redis_url()
