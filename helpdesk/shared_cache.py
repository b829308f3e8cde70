"""The shared cache (Redis in production) as something that may be down.

Nothing we keep in the cache must survive (rate-limit counts, cached reads), so a cache that is
unreachable or times out must cost a request at most its timeout, once: after a failure the shared cache
is left alone for ``SHARED_CACHE_RETRY_SECONDS`` and callers use their fallback (a per-process count, the
database), and a warning is logged at most once a minute per process.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a shared cache raises when its server is gone: the redis client's errors, and socket errors from
# backends that let them through.
CACHE_DOWN_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)
FALLBACK_WARNING_INTERVAL_SECONDS = 60.0
SHARED_CACHE_RETRY_SECONDS = 5.0

MISSING = object()


class CacheOutage:
    """Remembers that the shared cache failed (so callers skip it for a while) and logs it sparingly."""

    def __init__(self, retry_after: float, warn_every: float) -> None:
        self.retry_after = retry_after
        self.warn_every = warn_every
        self.lock = threading.Lock()
        self.down_until = float("-inf")
        self.last_logged = float("-inf")
        self.suppressed = 0

    def is_down(self) -> bool:
        if time.monotonic() < self.down_until:
            with self.lock:
                self.suppressed += 1
            return True
        return False

    def record(self, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            self.down_until = now + self.retry_after
            if now - self.last_logged < self.warn_every:
                self.suppressed += 1
                return
            suppressed, self.suppressed, self.last_logged = self.suppressed, 0, now
        logger.warning(
            "Shared cache unavailable (%s: %s); falling back in this process "
            "(%d more uses since the last warning)",
            type(error).__name__,
            error,
            suppressed,
        )

    def reset(self) -> None:
        with self.lock:
            self.down_until = self.last_logged = float("-inf")
            self.suppressed = 0


cache_outage = CacheOutage(SHARED_CACHE_RETRY_SECONDS, FALLBACK_WARNING_INTERVAL_SECONDS)


def shared_get(key: str) -> Any:
    """The cached value, or :data:`MISSING` when absent or when the cache is down."""
    if cache_outage.is_down():
        return MISSING
    try:
        return cache.get(key, MISSING)
    except CACHE_DOWN_ERRORS as error:
        cache_outage.record(error)
        return MISSING


def shared_set(key: str, value: Any, timeout: float) -> None:
    if cache_outage.is_down():
        return
    try:
        cache.set(key, value, timeout)
    except CACHE_DOWN_ERRORS as error:
        cache_outage.record(error)


def shared_delete(key: str) -> None:
    """Forget ``key``. A cache that is down cannot be told; the value's timeout bounds how stale it gets."""
    if cache_outage.is_down():
        return
    try:
        cache.delete(key)
    except CACHE_DOWN_ERRORS as error:
        cache_outage.record(error)
