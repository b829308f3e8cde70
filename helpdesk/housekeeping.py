"""Periodic work that keeps customers from being stuck, run inside every web process.

The jobs (``HOUSEKEEPING_JOBS``: the outbox sweep with the bot-turn watchdog, pickup deadlines, presence
expiry, the ticket email sweep) are plain functions named by dotted path, each with its interval. They used
to run only under Celery beat, so with no beat (the embedded mode) or no worker (a crashed deployment) a
waiting customer was never re-offered and a lost bot turn was never noticed. Now each web process runs
them on a daemon thread, started with the first request or socket (:class:`HousekeepingStarter`); beat
may still schedule the same functions (they are safe to run twice, at once, in several processes).

A job that several processes would all run in the same interval runs in one: the first process to add
the job's key to the cache takes the turn. Without a shared cache (the embedded mode) every process runs
it; when the cache is down the job runs anyway, because doing idempotent work twice beats not doing it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils.module_loading import import_string

from helpdesk.language import language_warm_up

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0


@dataclass
class Job:
    path: str
    every: float
    next_at: float = 0.0


def jobs_from_settings() -> list[Job]:
    return [Job(path=path, every=float(every)) for path, every in getattr(settings, "HOUSEKEEPING_JOBS", [])]


def _turn_taken(job: Job) -> bool:
    """Whether this process takes this interval's turn of ``job`` (see the module docstring)."""
    try:
        return bool(cache.add(f"housekeeping:{job.path}", 1, timeout=max(int(job.every * 0.8), 1)))
    except Exception:
        return True


def job_run(path: str) -> object:
    """Run one job now, in this thread. Used by the loop and by tests."""
    return import_string(path)()


def jobs_run_due(jobs: list[Job], now: float) -> int:
    """Run the jobs whose time has come; returns how many ran. A failing job is logged and retried at its
    next interval; it never stops the others."""
    ran = 0
    for job in jobs:
        if job.next_at > now:
            continue
        job.next_at = now + job.every
        if not _turn_taken(job):
            continue
        try:
            job_run(job.path)
            ran += 1
        except Exception:
            logger.exception("Housekeeping job %s failed", job.path)
        finally:
            close_old_connections()
    return ran


class Housekeeper(threading.Thread):
    def __init__(self, jobs: list[Job]) -> None:
        super().__init__(name="housekeeping", daemon=True)
        self.jobs = jobs
        self.stopping = threading.Event()

    def run(self) -> None:
        # The language models load beside the jobs (never delaying them) rather than on a customer's
        # first message, which they would hold up for about a second.
        threading.Thread(target=language_warm_up, name="language-warm-up", daemon=True).start()
        # Let the process finish starting before the first round.
        self.stopping.wait(TICK_SECONDS)
        while not self.stopping.is_set():
            jobs_run_due(self.jobs, time.monotonic())
            self.stopping.wait(TICK_SECONDS)


_started: Housekeeper | None = None
_start_lock = threading.Lock()


def housekeeping_start() -> Housekeeper | None:
    """Start this process's housekeeping thread once, if ``HOUSEKEEPING_IN_PROCESS`` is on."""
    global _started
    if not getattr(settings, "HOUSEKEEPING_IN_PROCESS", False):
        return None
    with _start_lock:
        if _started is None or not _started.is_alive():
            _started = Housekeeper(jobs_from_settings())
            _started.start()
            logger.info("Housekeeping started: %s", ", ".join(j.path for j in _started.jobs))
        return _started


class HousekeepingStarter:
    """ASGI middleware: starts the housekeeping thread with the process's first connection.

    Starting on first use rather than at import keeps management commands and tests that import the
    application from starting threads they did not ask for.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.started = False

    async def __call__(self, scope, receive, send):
        if not self.started and scope.get("type") in ("http", "websocket"):
            self.started = True
            housekeeping_start()
        return await self.app(scope, receive, send)
