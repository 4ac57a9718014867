"""Beat tests use the real Redis fixture of the job tests."""

from tests.jobs.conftest import redis_url

__all__ = ["redis_url"]
