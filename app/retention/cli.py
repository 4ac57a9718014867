"""`trueppm purge`: run the retention purge now, dry-run it, or show the run log.

Exit status: 0 when the run is `ok`, 1 when it is `partial` or `failed`, 3 when another purge
is already running (the single-flight guard; try again later), 2 for bad arguments.
Heavy imports stay inside the functions so `trueppm --help` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.models import RetentionPurgeRun
    from app.settings import Settings

EXIT_BUSY = 3


def add_parser(sub: Any) -> argparse.ArgumentParser:
    purge = sub.add_parser(
        "purge",
        help="run the retention purge over every bounded table (or show its log)",
        description="Delete rows past their retention windows: history, task runs, done "
        "outbox rows, sync batches and tombstones, old forecast snapshots.",
    )
    mode = purge.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    mode.add_argument("--log", action="store_true", help="show the latest runs instead")
    purge.add_argument("--limit", type=int, default=10, help="runs shown by --log (default 10)")
    purge.add_argument("--json", action="store_true", help="print JSON")
    return purge  # type: ignore[no-any-return]


def _run_lines(run: RetentionPurgeRun, windows: dict[str, str]) -> list[str]:
    verb = "would delete" if run.dry_run else "deleted"
    kind = "dry run" if run.dry_run else "purge"
    lines = [f"{kind} {run.id}: {run.state} in {run.duration_ms} ms"]
    # JSONB does not keep key order: show the steps in their own order.
    names = [n for n in windows if n in run.tables] + [n for n in run.tables if n not in windows]
    for name in names:
        result, window = run.tables[name], windows.get(name, "")
        if result["ok"]:
            outcome = f"{verb} {result['deleted']}"
        else:
            outcome = f"FAILED: {result['error']}"
        lines.append(f"  {name:<22} {window:<38} {outcome} ({result['ms']} ms)")
    lines.append(f"{verb} {run.deleted} rows in all")
    return lines


def _log_lines(runs: list[RetentionPurgeRun]) -> list[str]:
    if not runs:
        return ["no purge has run yet"]
    lines = [f"{'started':<33} {'state':<8} {'dry':<4} {'trigger':<8} {'ms':>8} {'deleted':>9}"]
    for run in runs:
        failed = ", ".join(n for n, t in run.tables.items() if not t.get("ok"))
        lines.append(
            f"{run.started_at.isoformat():<33} {run.state:<8} {'yes' if run.dry_run else 'no':<4}"
            f" {run.trigger:<8} {run.duration_ms if run.duration_ms is not None else '-':>8}"
            f" {run.deleted:>9}" + (f"  failed: {failed}" if failed else "")
        )
    return lines


async def _execute(settings: Settings, url: str, args: argparse.Namespace) -> tuple[int, str]:
    from app.retention.coordinator import PurgeInProgress, run_purge, summary
    from app.retention.log import recent_runs
    from app.retention.steps import STEPS
    from app.state import AppState

    state = AppState(settings=settings, database_url=url)
    try:
        if args.log:
            runs = await recent_runs(state.sessions, args.limit)
            if args.json:
                return 0, json.dumps([summary(r) for r in runs], indent=2)
            return 0, "\n".join(_log_lines(runs))
        try:
            run = await run_purge(state, dry_run=args.dry_run, trigger="cli")
        except PurgeInProgress as busy:
            return EXIT_BUSY, f"trueppm purge: {busy.message}; try again later"
        code = 0 if run.state == "ok" else 1
        if args.json:
            return code, json.dumps(summary(run), indent=2)
        windows = {step.name: step.window(settings) for step in STEPS}
        return code, "\n".join(_run_lines(run, windows))
    finally:
        await state.close()


def run_command(settings: Settings, url: str, args: argparse.Namespace) -> int:
    """`trueppm purge …`: print the outcome; return the exit status."""
    if args.limit < 1:
        print("trueppm purge: --limit must be at least 1", file=sys.stderr)  # noqa: T201
        return 2
    code, text = asyncio.run(_execute(settings, url, args))
    print(text, file=sys.stderr if code == EXIT_BUSY else sys.stdout)
    return code
