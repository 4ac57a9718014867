"""Latency from a GraphQL mutation to its `cpm_complete` on a WebSocket, for a 1k-task project.

Run from the repository root (needs PostgreSQL; `redis-server` on PATH for `queued`)::

    .venv/bin/python -m benchmarks.live_latency                 # both modes, 1,000 tasks
    .venv/bin/python -m benchmarks.live_latency --tasks 200 --runs 5 --mode embedded

Each mode starts real processes on a fresh database: `trueppm serve` and, for `queued`, a
private `redis-server` and one `trueppm worker` (RQ). `embedded` is the default deployment
without `VALKEY_URL`: the relay, the recompute and the event bus all run inside the API
process. A client subscribes to `scheduleEvents` over graphql-transport-ws, then changes the
duration of a first-layer task over HTTP (so a large part of the network moves) and waits
for the `cpm_complete`. The first run computes every task (the seeded rows have no dates);
the steady-state runs toggle the duration back and forth.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from app.models import TaskRun
from app.state import AppState
from benchmarks._timing import machine, table
from benchmarks.live_common import (
    api_process,
    database,
    load_average,
    next_payload,
    redis_server,
    seed_project,
    settings,
    subscription,
    summary,
    token,
    worker_process,
)

SCHEDULE = "subscription($p: ID!) { scheduleEvents(projectId: $p) { type payload } }"
UPDATE = """mutation($id: ID!, $d: Int!) { updateTask(id: $id, input: {duration: $d}) {
  __typename } }"""


async def _runs(state: AppState, api: Any, n_tasks: int, runs: int) -> dict[str, Any]:
    seeded = await seed_project(state, n_tasks)
    bearer = token(state, seeded.user_id)
    latencies, responses, engine, changed = [], [], [], []
    async with (
        subscription(api, bearer, SCHEDULE, {"p": str(seeded.project_id)}) as ws,
        httpx.AsyncClient(base_url=api.http, timeout=120) as http,
    ):
        await asyncio.sleep(0.5)
        for i in range(runs + 1):
            body = {"query": UPDATE, "variables": {"id": str(seeded.first_task), "d": 11 + i % 2}}
            t0 = time.perf_counter()
            response = await http.post(
                "/graphql", json=body, headers={"Authorization": f"Bearer {bearer}"}
            )
            t_response = time.perf_counter()
            assert response.json()["data"]["updateTask"]["__typename"] == "TaskPayload"
            event = (await asyncio.wait_for(next_payload(ws), 300))["scheduleEvents"]
            t_event = time.perf_counter()
            assert event["type"] == "CPM_COMPLETE", event
            latencies.append((t_event - t0) * 1000)
            responses.append((t_response - t0) * 1000)
            engine.append(float(event["payload"]["engineMs"]))
            changed.append(len(event["payload"]["changedTasks"]))
    async with state.sessions() as session:
        durations = list(
            (
                await session.execute(
                    select(TaskRun.duration_ms)
                    .where(TaskRun.project_id == seeded.project_id)
                    .order_by(TaskRun.started_at)
                )
            ).scalars()
        )
    return {
        "tasks": seeded.tasks,
        "links": seeded.links,
        "latency": latencies,
        "response": responses,
        "engine": engine,
        "changed": changed,
        "run_ms": [float(d or 0) for d in durations],
    }


def measure(mode: str, n_tasks: int, runs: int) -> dict[str, Any]:
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(database())
        valkey = stack.enter_context(redis_server()) if mode == "queued" else None
        api = stack.enter_context(api_process(url, valkey, data_dir))
        if valkey is not None:
            stack.enter_context(worker_process(url, valkey, data_dir))

        async def go() -> dict[str, Any]:
            state = AppState(settings=settings(data_dir, None), database_url=url)
            try:
                return await _runs(state, api, n_tasks, runs)
            finally:
                await state.close()

        return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mode", choices=["embedded", "queued", "both"], default="both")
    args = parser.parse_args()
    print(machine())  # noqa: T201
    print(f"load average before: {load_average()}")  # noqa: T201
    rows = []
    for mode in ("embedded", "queued") if args.mode == "both" else (args.mode,):
        result = measure(mode, args.tasks, args.runs)
        first = [result[k][0] for k in ("latency", "run_ms", "engine", "changed")]
        steady = {k: result[k][1:] for k in ("latency", "response", "run_ms", "engine", "changed")}
        lo, median, _p99, hi = summary(steady["latency"])
        rows.append(
            [
                mode,
                f"{result['tasks']} / {result['links']}",
                f"{first[0]:.0f} ({first[3]} changed)",
                f"{median:.0f}",
                f"{lo:.0f}-{hi:.0f}",
                f"{summary(steady['response'])[1]:.0f}",
                f"{summary(steady['run_ms'])[1]:.0f}",
                f"{summary(steady['engine'])[1]:.0f}",
                f"{summary([float(c) for c in steady['changed']])[1]:.0f}",
            ]
        )
    headers = [
        "mode",
        "tasks / links",
        "first run ms",
        "median ms",
        "min-max ms",
        "HTTP response ms",
        "recompute txn ms",
        "engine ms",
        "tasks changed",
    ]
    print(table(headers, rows))  # noqa: T201
    print(f"load average after: {load_average()}; {args.runs} steady runs per mode")  # noqa: T201


if __name__ == "__main__":
    main()
