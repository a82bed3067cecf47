"""CI runs on real PostgreSQL and Redis; these tests prove it, and that the parts of
the product that live in the cache (rate limits) really use Redis there."""

import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from tests.factories import PASSWORD

REQUIRED = os.environ.get("LADDER_REQUIRE_SERVICES") == "1"


def _need(variable: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        if REQUIRED:
            pytest.fail(f"{variable} must be set in CI")
        pytest.skip(f"{variable} not set: running on the zero-setup defaults")
    return value


@pytest.mark.django_db
def test_ci_runs_on_postgresql():
    _need("DATABASE_URL")
    if REQUIRED:
        assert connection.vendor == "postgresql"


@pytest.mark.redis
def test_failed_log_ins_are_counted_in_redis(client, individual):
    import redis

    url = _need("REDIS_URL")
    assert isinstance(caches["default"], RedisCache)
    client.post("/accounts/login/", {"login": "maya@example.com", "password": "wrong"})
    keys = redis.Redis.from_url(url).keys("ladder-test:*")
    assert any(b"login_failed" in key for key in keys), keys
    # And the limit holds across connections: five failures lock the account's key.
    for _ in range(4):
        client.post("/accounts/login/", {"login": "maya@example.com", "password": "wrong"})
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
