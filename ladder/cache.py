"""The Redis cache the site can live without.

Only allauth's rate-limit counters (and its record of spent two-factor codes) live in
the cache. Losing them for a while is better than answering every request with a
500, so an unreachable Redis reads as an empty cache and writes go nowhere.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


# Keys that record a one-time code as spent (allauth's TOTP replay guard).
ONE_TIME_MARKERS = ("allauth.mfa.totp.used",)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, except that Redis being down is a cache miss, not an error.

    Reads return the default, writes do nothing, ``incr``/``decr`` raise ``ValueError``
    as for a missing key. A failure logs one warning and skips Redis for
    ``retry_after`` seconds, so a Redis that hangs costs one socket timeout, not one
    per cache call. Socket timeouts default to half a second (override in OPTIONS).
    """

    default_options: ClassVar[dict[str, Any]] = {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
    }
    retry_after: float = 5.0

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = {**self.default_options, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._skip_until = 0.0

    def _attempt[**P, T](
        self, fallback: T, operation: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        if time.monotonic() < self._skip_until:
            return fallback
        try:
            return operation(*args, **kwargs)
        except UNREACHABLE as error:
            self._skip_until = time.monotonic() + self.retry_after
            logger.warning(
                "Redis cache unreachable (%s); carrying on without it for %ss",
                error,
                self.retry_after,
            )
            return fallback

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._attempt(default, super().get, key, default, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._attempt({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._attempt(False, super().has_key, key, version)

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        # True, unlike the other writes: allauth takes its rate-limit lock with add()
        # and answers 429 when it can't, so False would lock everyone out. Except for
        # "this two-factor code was used" markers: there, failing closed (a code can't
        # be checked as unused, so it's refused) beats letting a code be replayed.
        fallback = not str(key).startswith(ONE_TIME_MARKERS)
        return self._attempt(fallback, super().add, key, value, timeout, version)

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._attempt(None, super().set, key, value, timeout, version)

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        # Django's contract: the keys that could not be stored.
        return self._attempt(list(data), super().set_many, data, timeout, version)

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._attempt(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._attempt(False, super().delete, key, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._attempt(None, super().delete_many, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # decr() and incr_version() come through here or through get().
        value = self._attempt(None, super().incr, key, delta, version)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def clear(self) -> None:
        self._attempt(None, super().clear)
