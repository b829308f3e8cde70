"""Readiness: is each dependency of a web process there, and can the process serve traffic?

Liveness (``/healthz``) only says the process answers; an orchestrator restarts a process that fails it,
so it must not depend on anything else (a dead database would otherwise restart every web process and
fix nothing). Readiness (``/readyz``) asks each dependency and says which are down; a load balancer
stops sending traffic to a process that is not ready.

What counts as required: the database (the truth), and, when configured, the Redis of the channel
layer (sockets of other processes) and the Celery broker (the bot's turns). The cache is reported but
optional: rate limits fall back to per-process counting without it. Celery workers are reported but
optional too: without them turns wait in the outbox and the watchdog hands conversations to people,
and taking every web process out of rotation would only make that worse. In the embedded mode the
channel layer, broker and workers live inside the process and are reported as ``embedded``.

Every probe has a short timeout; the workers' ping (a broadcast that waits for replies) is cached for
``READINESS_WORKERS_CACHE_SECONDS`` so frequent probes cost one ping per interval per process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connection

OK = "ok"
DOWN = "down"
EMBEDDED = "embedded"
PROBE_TIMEOUT_SECONDS = 0.5


@dataclass
class Check:
    status: str
    required: bool
    ms: float = 0.0
    error: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.error:
            data.pop("error")
        if not self.detail:
            data.pop("detail")
        data["ms"] = round(self.ms, 1)
        return data


@dataclass
class Readiness:
    checks: dict[str, Check]

    @property
    def ready(self) -> bool:
        return not any(check.required and check.status == DOWN for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {"ready": self.ready, "checks": {name: check.as_json() for name, check in self.checks.items()}}


def _timed(required: bool, probe) -> Check:
    started = time.perf_counter()
    try:
        status, detail = probe()
    except Exception as error:  # noqa: BLE001 - any failure of a dependency means it is down
        return Check(
            DOWN, required, (time.perf_counter() - started) * 1000, f"{type(error).__name__}: {error}"
        )
    return Check(status, required, (time.perf_counter() - started) * 1000, detail=detail)


def _redis_ping(url: str) -> None:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def embedded_tasks() -> bool:
    """Tasks run inside the web process (eagerly or on its threads): no broker, no workers."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER or getattr(settings, "TASKS_IN_THREADS", False))


def database_check() -> Check:
    def probe() -> tuple[str, dict]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK, {"vendor": connection.vendor}

    return _timed(True, probe)


def cache_check() -> Check:
    def probe() -> tuple[str, dict]:
        cache.set("readiness:probe", 1, timeout=10)
        return OK, {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}

    return _timed(False, probe)


def channel_layer_check() -> Check:
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if layer.get("BACKEND", "").endswith("InMemoryChannelLayer"):
        return Check(EMBEDDED, False)

    def probe() -> tuple[str, dict]:
        for host in layer.get("CONFIG", {}).get("hosts", []):
            address = host.get("address") if isinstance(host, dict) else host
            if isinstance(address, str):
                _redis_ping(address)
        return OK, {}

    return _timed(True, probe)


def broker_check() -> Check:
    if embedded_tasks():
        return Check(EMBEDDED, False)
    url = settings.CELERY_BROKER_URL

    def probe() -> tuple[str, dict]:
        if url.startswith(("redis://", "rediss://", "unix://")):
            _redis_ping(url)
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=PROBE_TIMEOUT_SECONDS) as broker:
                broker.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
        return OK, {}

    return _timed(True, probe)


class _WorkersPing:
    """One ``celery inspect ping`` per interval per process, shared by concurrent probes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.result: Check | None = None

    def check(self, broker: Check) -> Check:
        if embedded_tasks():
            return Check(EMBEDDED, False)
        if broker.status == DOWN:
            return Check(DOWN, False, error="broker unreachable")
        interval = getattr(settings, "READINESS_WORKERS_CACHE_SECONDS", 5.0)
        with self.lock:
            if self.result is None or time.monotonic() - self.checked_at >= interval:
                self.result = _timed(False, self._ping)
                self.checked_at = time.monotonic()
            return self.result

    @staticmethod
    def _ping() -> tuple[str, dict]:
        from celery import current_app

        replies = current_app.control.ping(timeout=PROBE_TIMEOUT_SECONDS) or []
        workers = sorted(name for reply in replies for name in reply)
        return (OK if workers else DOWN), {"workers": workers}


workers_ping = _WorkersPing()


async def readiness_report() -> Readiness:
    """Probe every dependency at once; the slowest probe bounds the answer (about half a second)."""
    database = sync_to_async(database_check, thread_sensitive=True)()
    others = asyncio.gather(
        asyncio.to_thread(cache_check),
        asyncio.to_thread(channel_layer_check),
        asyncio.to_thread(broker_check),
    )
    database_result, (cache_result, layer_result, broker_result) = await asyncio.gather(database, others)
    workers_result = await asyncio.to_thread(workers_ping.check, broker_result)
    return Readiness(
        {
            "database": database_result,
            "channel_layer": layer_result,
            "broker": broker_result,
            "workers": workers_result,
            "cache": cache_result,
        }
    )
