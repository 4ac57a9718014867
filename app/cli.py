"""The `trueppm` command: serve, migrate, create-admin, worker, relay, beat, the purges."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from app import embedded
from app.retention.cli import add_parser as add_purge_parser
from app.settings import ConfigError, Settings


def database_url(settings: Settings) -> str:
    """`DATABASE_URL`, or the embedded PostgreSQL started (or reused) for this process."""
    if settings.database_url is not None:
        return settings.database_url
    return embedded.start(settings.pg_data)


def _cgroup_quota(cgroup: Path) -> tuple[str, str] | None:
    """The CPU quota and period of this process's cgroup (v2 `cpu.max`, else v1)."""
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]  # "<quota> <period>"
        return quota, period
    except (OSError, ValueError):
        pass
    try:
        v1 = cgroup / "cpu"
        return (v1 / "cpu.cfs_quota_us").read_text().strip(), (
            (v1 / "cpu.cfs_period_us").read_text().strip()
        )
    except OSError:
        return None


def available_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup CPU quota (a
    container's `cpus` / a pod's CPU limit), rounded up; at least one."""
    cpus = len(os.sched_getaffinity(0))
    found = _cgroup_quota(cgroup)
    if found is not None and found[0] not in ("max", "-1") and int(found[1]) > 0:
        cpus = min(cpus, -(-int(found[0]) // int(found[1])))
    return max(1, cpus)


def serving_processes(settings: Settings, asked: int | None) -> int:
    """How many processes `trueppm serve` runs: `--workers`, else `TRUEPPM_WORKERS`, else
    the CPUs this process may use (`available_cpus`) when Valkey joins the processes, else
    one."""
    workers = asked or settings.workers
    if workers is None:
        return available_cpus() if settings.valkey_url else 1
    if workers > 1 and not settings.valkey_url:
        raise ConfigError(
            f"{workers} workers need VALKEY_URL: without it broadcasts and jobs stay inside "
            "one process (set VALKEY_URL, or serve with --workers 1)"
        )
    return workers


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app.logs import configure_logging

    configure_logging(settings.log_level)
    workers = serving_processes(settings, args.workers)
    url = database_url(settings)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets
    # atexit stop the embedded PostgreSQL instead of leaving it running.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    served = f"http://{settings.host}:{settings.port}/graphql"
    print(f"TruePPM serving on {served} ({workers} process(es))", flush=True)  # noqa: T201
    # uvicorn picks uvloop and httptools (uvicorn[standard]) when they import.
    options: dict[str, object] = {
        "host": settings.host, "port": settings.port, "log_config": None, "proxy_headers": True,
    }  # fmt: skip
    try:
        if workers == 1:
            from app.asgi import create_app

            uvicorn.run(create_app(settings, url), **options)  # type: ignore[arg-type]
        else:
            # Each worker process builds its own app from the environment; the parent makes
            # the generated secret key (if any) first, so that every worker signs alike.
            settings.signing_key()
            os.environ["DATABASE_URL"] = url
            # The workers see a DATABASE_URL even for the embedded database: keep the
            # defaults that depend on it as the parent decided them.
            for name, on in (
                ("TRUEPPM_INTROSPECTION", settings.introspection),
                ("TRUEPPM_GRAPHIQL", settings.graphiql),
            ):
                os.environ.setdefault(name, "true" if on else "false")
            _metrics_folder(settings)
            uvicorn.run(
                "app.asgi:app_from_environment", factory=True, workers=workers,
                **options,  # type: ignore[arg-type]
            )  # fmt: skip
    finally:
        embedded.stop_all()
    return 0


def _metrics_folder(settings: Settings) -> None:
    """Prometheus' multi-process mode for the workers: one fresh folder of samples per serve
    (app/metrics.py), unless the operator chose one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    import shutil

    folder = settings.data_dir / "metrics" / str(os.getpid())
    shutil.rmtree(folder.parent, ignore_errors=True)  # samples of earlier serves
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from app.migrate import downgrade, upgrade

    url = database_url(settings)
    if args.downgrade:
        downgrade(url, args.downgrade)
    else:
        upgrade(url, args.revision)
    return 0


def write_secret_file(path: Path, secret: str) -> None:
    """Write `secret` to a file only its owner can read (created 0600, never widened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")


async def create_admin(settings: Settings, url: str, email: str, *, if_missing: bool) -> str | None:
    """Create the staff user and a first workspace; return the password, or None if it exists."""
    from app.auth.service import create_user, find_user_by_email
    from app.state import AppState, unit_of_work
    from app.workspaces.service import create_workspace

    state = AppState(settings=settings, database_url=url)
    try:
        async with unit_of_work(state.sessions) as uow:
            if await find_user_by_email(uow.session, email) is not None:
                if if_missing:
                    return None
                raise SystemExit(f"a user with e-mail {email} already exists")
            password = secrets.token_urlsafe(18)
            user = await create_user(
                uow.session, email, password, name="Administrator", is_staff=True
            )
            await create_workspace(uow.session, user.id, "Default workspace")
        return password
    finally:
        await state.close()


def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    email = args.email or settings.admin_email
    password = asyncio.run(
        create_admin(settings, database_url(settings), email, if_missing=args.if_missing)
    )
    path = settings.admin_password_file
    if password is None:
        print(f"admin {email} already exists (its first password was written to {path})")  # noqa: T201
        return 0
    write_secret_file(path, password)
    print(f"created staff user {email}")  # noqa: T201
    print(f"password (shown once, also in {path}, mode 0600): {password}")  # noqa: T201
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    """Load the demo program (once) into the configured database and compute its schedules."""
    from app.demo import instructions, load_demo
    from app.migrate import upgrade
    from app.state import AppState

    url = database_url(settings)
    upgrade(url)  # a fresh database works without a separate `trueppm migrate`

    async def run() -> int:
        state = AppState(settings=settings, database_url=url)
        try:
            await state.events.connect()
            result = await load_demo(state, args.email)
        finally:
            await state.close()
        password_file = settings.data_dir / "demo_password"
        if result.password is not None:
            write_secret_file(password_file, result.password)
        served = f"http://{settings.host}:{settings.port}/graphql"
        print(instructions(result, served, password_file))  # noqa: T201
        return 0

    return asyncio.run(run())


def worker_queues() -> list[str]:
    """The queues `trueppm worker` serves, in priority order: schedule recomputes first (users
    wait on them), then periodic jobs, webhook deliveries, then Monte Carlo forecasts (the
    longest)."""
    from app.beat.loop import QUEUE as PERIODIC
    from app.forecasts.dispatch import QUEUE as FORECASTS
    from app.scheduling.queue import QUEUE as SCHEDULING
    from app.webhooks.runner import QUEUE as WEBHOOKS

    return [SCHEDULING, PERIODIC, WEBHOOKS, FORECASTS]


def _worker(settings: Settings, _args: argparse.Namespace) -> int:
    """An RQ worker with the scheduler on (deferred retries need it)."""
    import redis
    from rq import Queue, Worker

    from app.logs import configure_logging

    if settings.valkey_url is None or settings.database_url is None:
        print("trueppm worker needs VALKEY_URL and DATABASE_URL", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(settings.log_level)
    connection = redis.Redis.from_url(settings.valkey_url)
    queues = [Queue(name, connection=connection) for name in worker_queues()]
    worker = Worker(queues, connection=connection)
    worker.work(with_scheduler=True)
    return 0


def _beat(settings: Settings, _args: argparse.Namespace) -> int:
    """The periodic-job scheduler: enqueues registered jobs on RQ and writes the heartbeat.
    Several may run; one acts (a Valkey lock), the others stand by."""
    from app.beat.heartbeat import ValkeyHeartbeat
    from app.beat.loop import Beat, ValkeyBeatBackend
    from app.logs import configure_logging

    if settings.valkey_url is None:
        print(  # noqa: T201
            "trueppm beat needs VALKEY_URL (without it `trueppm serve` runs the periodic jobs)",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings.log_level)

    async def run(url: str) -> None:
        backend = ValkeyBeatBackend(url, lock_ttl=settings.beat_interval * 3)
        heartbeat = ValkeyHeartbeat(url)
        beat = Beat(backend, heartbeat, interval=settings.beat_interval)
        beat.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await beat.stop()  # releases the lock so a standby takes over at once
            await heartbeat.close()
            await backend.close()

    asyncio.run(run(settings.valkey_url))
    return 0


def _relay(settings: Settings, _args: argparse.Namespace) -> int:
    """A standalone relay (the API processes also relay right after their own commits)."""
    from app.interchange.queue import ImportDispatcher
    from app.logs import configure_logging
    from app.scheduling.queue import RQDispatcher
    from app.scheduling.runner import RelayLoop
    from app.sprints.queue import SprintCloseDispatcher
    from app.state import AppState

    if settings.valkey_url is None or settings.database_url is None:
        print("trueppm relay needs VALKEY_URL and DATABASE_URL", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(settings.log_level)

    from datetime import timedelta

    async def run(url: str, valkey: str) -> None:
        state = AppState(settings=settings, database_url=url)
        dispatcher = RQDispatcher(valkey)
        relay = RelayLoop(
            state.sessions,
            dispatcher,
            sweep_every=1.0,
            close_dispatch=SprintCloseDispatcher(dispatcher.connection),
            import_dispatch=ImportDispatcher(dispatcher.connection),
            reclaim_after=timedelta(seconds=settings.schedule_reclaim_seconds),
        )
        relay.start()
        try:
            await asyncio.Event().wait()
        finally:
            await relay.stop()
            await state.close()

    asyncio.run(run(settings.database_url, settings.valkey_url))
    return 0


def _purge_sync(settings: Settings, args: argparse.Namespace) -> int:
    from app.state import AppState, unit_of_work
    from app.sync.purge import purge_sync

    async def run(url: str) -> str:
        state = AppState(settings=settings, database_url=url)
        try:
            async with unit_of_work(state.sessions) as uow:
                result = await purge_sync(
                    uow.session,
                    settings.sync_tombstone_retention_days,
                    settings.sync_batch_retention_hours,
                    dry_run=args.dry_run,
                )
        finally:
            await state.close()
        verb = "would delete" if args.dry_run else "deleted"
        tables = ", ".join(f"{n} {t}" for t, n in result.tombstones.items()) or "none"
        return (
            f"{verb}: tombstones {tables}; push batches {result.batches}; "
            f"{len(result.floors)} project floor(s) raised"
        )

    print(asyncio.run(run(database_url(settings))))  # noqa: T201
    return 0


def _purge_history(settings: Settings, args: argparse.Namespace) -> int:
    """Delete object history older than the retention window (`HISTORY_RETENTION_DAYS`)."""
    from app.history.purge import purge_history
    from app.state import AppState

    days = args.days if args.days is not None else settings.history_retention_days
    if days < 1:
        print("trueppm purge-history: --days must be at least 1", file=sys.stderr)  # noqa: T201
        return 2

    async def run(url: str) -> None:
        state = AppState(settings=settings, database_url=url)
        try:
            result = await purge_history(state.sessions, days, dry_run=args.dry_run)
        finally:
            await state.close()
        verb = "would delete" if result.dry_run else "deleted"
        print(  # noqa: T201
            f"{verb} {result.deleted} history entries recorded before {result.cutoff.isoformat()}"
        )

    asyncio.run(run(database_url(settings)))
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    """The retention purge coordinator (`app/retention/cli.py`)."""
    from app.retention.cli import run_command

    return run_command(settings, database_url(settings), args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trueppm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API (GraphiQL at /graphql)")
    serve.add_argument(
        "--workers", type=int, metavar="N",
        help="processes to run (default TRUEPPM_WORKERS; more than one needs VALKEY_URL)",
    )  # fmt: skip
    serve.set_defaults(run=_serve)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--downgrade", metavar="REVISION", help="downgrade to REVISION")
    migrate.set_defaults(run=_migrate)
    admin = sub.add_parser("create-admin", help="create a staff user with a generated password")
    admin.add_argument("--email", help="defaults to TRUEPPM_ADMIN_EMAIL")
    admin.add_argument("--if-missing", action="store_true", help="do nothing if it exists")
    admin.set_defaults(run=_create_admin)
    demo = sub.add_parser("demo", help="load a demo program (idempotent) and print how to use it")
    demo.add_argument("--email", default="demo@example.com", help="the demo user's e-mail")
    demo.set_defaults(run=_demo)
    sub.add_parser(
        "worker", help="run an RQ worker (scheduling, periodic and forecast jobs)"
    ).set_defaults(run=_worker)
    sub.add_parser(
        "relay", help="dispatch pending schedule and sprint-close requests"
    ).set_defaults(run=_relay)
    add_purge_parser(sub).set_defaults(run=_purge)
    purge = sub.add_parser(
        "purge-sync", help="delete sync tombstones and push batches past their retention"
    )
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge.set_defaults(run=_purge_sync)
    history = sub.add_parser("purge-history", help="delete history past HISTORY_RETENTION_DAYS")
    history.add_argument("--days", type=int, help="override HISTORY_RETENTION_DAYS")
    history.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    history.set_defaults(run=_purge_history)
    sub.add_parser(
        "beat", help="run the periodic-job scheduler and write its heartbeat"
    ).set_defaults(run=_beat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        code: int = args.run(settings, args)
    except ConfigError as exc:
        print(f"trueppm: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
