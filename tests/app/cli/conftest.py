"""Fixtures of the command-line tests: a real Redis (tests/jobs/conftest.py)."""

from tests.jobs.conftest import redis_url

__all__ = ["redis_url"]
