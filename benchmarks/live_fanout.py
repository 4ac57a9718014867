"""Fan-out: N concurrent WebSocket subscribers on one API process receive an event.

Run from the repository root (needs PostgreSQL and `redis-server` on PATH)::

    .venv/bin/python -m benchmarks.live_fanout                  # 1,000 subscribers, 10 events
    .venv/bin/python -m benchmarks.live_fanout --subscribers 200 --events 5

Starts a fresh database, a private `redis-server` and one `trueppm serve` process. N clients
(graphql-transport-ws, all in this process) subscribe to `boardEvents` of one project; this
process then publishes events through Redis, as a worker or another replica would, one at a
time, and every client notes when the event reached it. Delivery time = client receive time
- the moment just before publishing (one clock, same machine). It includes Redis, the API
process's fan-out and WebSocket write, and the client side's reading of N sockets on one
event loop. Memory per connection = growth of the API process's RSS from before the first
client connected to after all N are subscribed and have received a warm-up event, / N.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

from app.events import BoardEvent, EventType, publish
from app.state import AppState
from benchmarks._timing import machine, table
from benchmarks.live_common import (
    Api,
    api_process,
    database,
    load_average,
    next_payload,
    percentile,
    redis_server,
    seed_project,
    settings,
    subscription,
    token,
)

BOARD = "subscription($p: ID!) { boardEvents(projectId: $p) { seq } }"


async def _listen(ws: Any, received: list[float], expected: int) -> None:
    for _ in range(expected):
        await next_payload(ws)
        received.append(time.perf_counter())


async def _fanout(state: AppState, api: Api, n: int, events: int) -> dict[str, Any]:
    seeded = await seed_project(state, 1)
    bearer = token(state, seeded.user_id)
    project = seeded.project_id
    rss_before = api.rss_kib()
    async with AsyncExitStack() as stack:
        t0 = time.perf_counter()
        sockets = []
        for start in range(0, n, 50):  # open in batches so the server's backlog is not flooded
            batch = [
                stack.enter_async_context(subscription(api, bearer, BOARD, {"p": str(project)}))
                for _ in range(start, min(n, start + 50))
            ]
            sockets += await asyncio.gather(*batch)
        connect_s = time.perf_counter() - t0
        rounds: list[list[float]] = []
        for i in range(events + 1):
            received: list[float] = []
            listeners = [asyncio.create_task(_listen(ws, received, 1)) for ws in sockets]
            await asyncio.sleep(0.5 if i else 2.0)  # all subscribed and waiting
            event = BoardEvent.make(
                project, EventType.TASK_UPDATED, {"taskId": str(uuid.uuid4())}, None
            )
            sent = time.perf_counter()
            await publish(event, state.events)
            await asyncio.wait_for(asyncio.gather(*listeners), 120)
            if i == 0:
                rss_after = api.rss_kib()  # every subscription is live and has sent once
                continue
            rounds.append([(t - sent) * 1000 for t in received])
    delays = [d for r in rounds for d in r]
    return {
        "n": n,
        "connect_s": connect_s,
        "rss_before_mib": rss_before / 1024,
        "rss_after_mib": rss_after / 1024,
        "kib_per_connection": (rss_after - rss_before) / n,
        "p50": percentile(delays, 50),
        "p99": percentile(delays, 99),
        "max": max(delays),
        "last_p50": [percentile(r, 50) for r in rounds],
        "all_received": all(len(r) == n for r in rounds),
    }


def measure(n: int, events: int) -> dict[str, Any]:
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(database())
        valkey = stack.enter_context(redis_server())
        api = stack.enter_context(api_process(url, valkey, data_dir))

        async def go() -> dict[str, Any]:
            state = AppState(settings=settings(data_dir, valkey), database_url=url)
            try:
                await state.events.connect()
                return await _fanout(state, api, n, events)
            finally:
                await state.close()

        return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10)
    args = parser.parse_args()
    print(machine())  # noqa: T201
    print(f"load average before: {load_average()}")  # noqa: T201
    r = measure(args.subscribers, args.events)
    headers = [
        "subscribers",
        "events",
        "all delivered",
        "p50 ms",
        "p99 ms",
        "max ms",
        "connect all s",
        "API RSS MiB before → after",
        "KiB / connection",
    ]
    row = [
        r["n"],
        args.events,
        "yes" if r["all_received"] else "NO",
        f"{r['p50']:.1f}",
        f"{r['p99']:.1f}",
        f"{r['max']:.1f}",
        f"{r['connect_s']:.1f}",
        f"{r['rss_before_mib']:.0f} → {r['rss_after_mib']:.0f}",
        f"{r['kib_per_connection']:.0f}",
    ]
    print(table(headers, [row]))  # noqa: T201
    print("per-event p50 ms: " + ", ".join(f"{v:.1f}" for v in r["last_p50"]))  # noqa: T201
    print(f"load average after: {load_average()}")  # noqa: T201


if __name__ == "__main__":
    main()
