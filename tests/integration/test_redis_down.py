"""Redis down → the site keeps working. The cache backend treats an unreachable Redis
as an empty cache: pages render, people log in (rate limits lapse until it is back),
and a Redis that hangs costs one short timeout. A live Redis still stores everything."""

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from ladder.cache import ResilientRedisCache
from tests.factories import PASSWORD, make_person


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to the end in its own thread (the browser tests leave an
    event loop running in this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


BACKEND = "ladder.cache.ResilientRedisCache"
REQUIRED = os.environ.get("LADDER_REQUIRE_SERVICES") == "1"


@pytest.fixture
def dead_redis() -> Iterator[str]:
    """Where Redis should be but isn't: a port held bound but not listening, so every
    connection is refused and nothing else can start listening there meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{holder.getsockname()[1]}/0"


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A Redis that accepts connections and never answers. A watchdog hangs up after
    five seconds, so a backend without timeouts fails the test instead of hanging it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        watchdog = threading.Timer(5, listener.close)
        watchdog.start()
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        watchdog.cancel()


@pytest.fixture
def live_redis() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        if REQUIRED:
            pytest.fail(f"no Redis answers at {url}")
        pytest.skip(f"no Redis answers at {url}")
    return url


def _use_cache(settings, url: str) -> None:
    settings.CACHES = {
        "default": {"BACKEND": BACKEND, "LOCATION": url, "KEY_PREFIX": "ladder-test"}
    }
    # The settings change drops the cached backends, so the `cache` the conftest clears
    # and allauth uses is now ours.
    assert isinstance(caches["default"], ResilientRedisCache)


@pytest.fixture
def redis_down(settings, dead_redis: str) -> str:
    _use_cache(settings, dead_redis)
    # Nothing answers there: the plain backend fails, so what passes below is ours.
    with pytest.raises(redis.exceptions.ConnectionError):
        RedisCache(dead_redis, {}).get("anything")
    return dead_redis


def _cache_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ladder.cache" and r.levelname == "WARNING"]


# The site, with Redis down.


@pytest.mark.django_db
def test_landing_page_renders(client, redis_down):
    response = client.get("/")
    assert response.status_code == 200
    assert "Where does your work sit as AI climbs?" in response.content.decode()


@pytest.mark.django_db
def test_benchmark_search_answers(client, redis_down):
    response = client.get("/benchmarks/", {"q": "nurse"})
    assert response.status_code == 200
    assert "Registered Nurses" in response.content.decode()


@pytest.mark.django_db
def test_login_page_renders(client, redis_down):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


@pytest.mark.django_db
def test_log_in_goes_through_and_says_why_rate_limits_lapsed(client, redis_down, caplog):
    maya = make_person("maya@example.com", "Maya Patel")
    with caplog.at_level(logging.WARNING, logger="ladder.cache"):
        response = client.post(
            "/accounts/login/", {"login": "maya@example.com", "password": PASSWORD}
        )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(maya.pk)
    # The rate limit really asked Redis, and the failure was logged once, not per call.
    assert len(_cache_warnings(caplog)) == 1


@pytest.mark.django_db
def test_rate_limits_lapse_rather_than_lock_everyone_out(client, redis_down):
    make_person("maya@example.com")
    for _ in range(6):  # past "5/5m/key" for failed log-ins
        client.post("/accounts/login/", {"login": "maya@example.com", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_my_ladder_renders_after_logging_in(client, redis_down):
    make_person("maya@example.com", "Maya Patel")
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    response = client.get("/ladder/")
    assert response.status_code == 200
    assert "Maya Patel" in response.content.decode()


@pytest.mark.django_db
def test_a_hung_redis_costs_one_short_timeout_per_log_in(client, settings, hung_redis):
    _use_cache(settings, hung_redis)
    make_person("maya@example.com")
    started = time.monotonic()
    response = client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    # A dozen cache calls; without timeouts this waits for the watchdog (5 s), and
    # without skipping Redis after the first failure it waits 0.5 s per call.
    assert elapsed < 2, elapsed


# Each cache operation, against a dead Redis.

OPERATIONS = [
    ("get", lambda c: c.get("k", "fallback"), "fallback"),
    ("get_many", lambda c: c.get_many(["a", "b"]), {}),
    ("has_key", lambda c: c.has_key("k"), False),
    ("add", lambda c: c.add("k", 1), True),
    # A spent two-factor code can't be recorded: refuse it rather than allow a replay.
    ("add-totp-used", lambda c: c.add("allauth.mfa.totp.used?user=1&code=123456", 1), False),
    ("set", lambda c: c.set("k", 1), None),
    ("set_many", lambda c: c.set_many({"a": 1, "b": 2}), ["a", "b"]),
    ("touch", lambda c: c.touch("k"), False),
    ("delete", lambda c: c.delete("k"), False),
    ("delete_many", lambda c: c.delete_many(["a", "b"]), None),
    ("clear", lambda c: c.clear(), None),
    ("get_or_set", lambda c: c.get_or_set("k", "made"), "made"),
    ("aget", lambda c: run_async(c.aget("k", "fallback")), "fallback"),
]


@pytest.mark.parametrize(
    ("operation", "expected"),
    [pytest.param(call, expected, id=name) for name, call, expected in OPERATIONS],
)
def test_each_operation_degrades_instead_of_raising(dead_redis, caplog, operation, expected):
    with pytest.raises(redis.exceptions.ConnectionError):
        operation(RedisCache(dead_redis, {}))
    with caplog.at_level(logging.WARNING, logger="ladder.cache"):
        assert operation(ResilientRedisCache(dead_redis, {})) == expected
    assert len(_cache_warnings(caplog)) == 1


@pytest.mark.parametrize("name", ["incr", "decr"])
def test_counting_acts_as_if_the_key_were_missing(dead_redis, name):
    with pytest.raises(redis.exceptions.ConnectionError):
        getattr(RedisCache(dead_redis, {}), name)("k")
    with pytest.raises(ValueError, match="not found"):
        getattr(ResilientRedisCache(dead_redis, {}), name)("k")


def test_one_failure_rests_redis_and_logs_once(hung_redis, caplog):
    backend = ResilientRedisCache(hung_redis, {})
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ladder.cache"):
        assert backend.get("a") is None
        backend.set("b", 1)
        assert backend.get_many(["c"]) == {}
    assert time.monotonic() - started < 1.5
    assert len(_cache_warnings(caplog)) == 1


def test_redis_is_tried_again_after_the_rest(dead_redis, caplog):
    backend = ResilientRedisCache(dead_redis, {})
    backend.retry_after = 0
    with caplog.at_level(logging.WARNING, logger="ladder.cache"):
        backend.get("a")
        backend.get("a")
    assert len(_cache_warnings(caplog)) == 2


def test_timeouts_given_in_options_win(hung_redis):
    backend = ResilientRedisCache(hung_redis, {"OPTIONS": {"socket_timeout": 1.5}})
    started = time.monotonic()
    assert backend.get("a", "fallback") == "fallback"
    assert 1.4 < time.monotonic() - started < 4


# A live Redis: the wrapper passes everything through.


def test_a_live_redis_stores_and_reads(live_redis, caplog):
    backend = ResilientRedisCache(live_redis, {"KEY_PREFIX": f"ladder-test-{uuid.uuid4()}"})
    raw = redis.Redis.from_url(live_redis)
    keys = ["k", "n", "a", "b", "new", "made"]
    try:
        with caplog.at_level(logging.WARNING, logger="ladder.cache"):
            backend.set("k", {"rung": 3})
            assert backend.get("k") == {"rung": 3}
            assert raw.exists(backend.make_key("k"))
            assert backend.has_key("k")
            assert backend.touch("k", 60)
            assert not backend.add("k", "other")
            assert backend.add("new", "value")
            assert backend.set_many({"a": 1, "b": 2}) == []
            assert backend.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
            backend.set("n", 1)
            assert backend.incr("n", 4) == 5
            assert backend.decr("n") == 4
            assert backend.get_or_set("made", "fresh") == "fresh"
            assert backend.get("made") == "fresh"
            assert run_async(backend.aget("n")) == 4
            assert backend.delete("k")
            assert backend.get("k", "gone") == "gone"
            backend.delete_many(["a", "b"])
            assert backend.get_many(["a", "b"]) == {}
            with pytest.raises(ValueError, match="not found"):
                backend.incr("missing")
        assert _cache_warnings(caplog) == []
    finally:
        backend.delete_many(keys)


@pytest.mark.django_db
def test_rate_limits_still_hold_on_a_live_redis(client, settings, live_redis):
    _use_cache(settings, live_redis)
    cache.clear()
    make_person("maya@example.com")
    for _ in range(5):  # "5/5m/key" for failed log-ins
        client.post("/accounts/login/", {"login": "maya@example.com", "password": "wrong"})
    client.post("/accounts/login/", {"login": "maya@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
