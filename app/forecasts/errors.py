"""Error codes recorded on failed forecast runs (and sent in `forecast_failed`)."""

from __future__ import annotations

PROJECT_NOT_FOUND = "project_not_found"
INVALID_NETWORK = "invalid_network"
QUEUE_UNAVAILABLE = "queue_unavailable"
INTERNAL = "internal_error"
WORKER_LOST = "worker_lost"  # the runner died: its queue job is gone or its heartbeat stopped
WORKER_FAILED = "worker_failed"  # the queue job ended (failed, stopped...) without a result
