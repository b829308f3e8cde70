"""Database calls from sockets, run on a pool of threads.

Channels' ``database_sync_to_async`` is thread-sensitive: every database call of every socket in a Daphne
process runs on one shared thread, one after another. Under chat load that thread is the bottleneck
(busy nearly all the time, half of it waiting for PostgreSQL, while the event loop idles), so a
heartbeat, an ack or an agent's claim waits behind everybody else's handoff.

Our socket code keeps no thread-bound state (no ``threading.local`` of its own, no transaction spanning
two calls; every call opens and closes its own), so its calls can run side by side: :func:`socket_db`
runs them on a pool of ``SOCKET_DB_THREADS`` threads, each with its connection from the process's
connection pool (size ``DATABASE_POOL_MAX_SIZE`` above the thread count). On SQLite, which has one writer
anyway, ``SOCKET_DB_THREADS`` is 0 and calls keep Channels' single thread.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connections

P = ParamSpec("P")
R = TypeVar("R")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor | None:
    global _executor
    threads = settings.SOCKET_DB_THREADS
    if threads <= 0:
        return None
    if _executor is None or _executor._max_workers != threads:
        with _executor_lock:
            if _executor is None or _executor._max_workers != threads:
                _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="socket-db")
    return _executor


_thread = threading.local()


def _thread_context() -> contextvars.Context:
    """The socket thread's own context, the same for every call it runs.

    ``sync_to_async`` runs a call in a copy of the caller's context, and Django keeps its cache clients in
    context-local storage: every socket (and every task a socket starts) would get a cache client, and a
    Redis connection, of its own, built on its first call. In the thread's own context a thread builds one
    and reuses it, as Celery's threads and Django's request threads do.
    """
    context = getattr(_thread, "context", None)
    if context is None:
        context = _thread.context = contextvars.Context()
    return context


def socket_db_reset() -> None:
    """Wait for the socket threads' calls to finish and stop the threads (a new pool starts on the next
    call). For tests, which must not leave a call running into the next test or the database's teardown."""
    global _executor
    with _executor_lock:
        executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=True)


def socket_db(fn: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``fn`` as a coroutine run on the socket threads (closing stale connections before and after, as
    Channels does), or on Channels' single database thread when ``SOCKET_DB_THREADS`` is 0."""

    def in_thread(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return _thread_context().run(fn, *args, **kwargs)
        finally:
            # Back to the pool at once: a thread holds no connection between calls.
            connections.close_all()

    @functools.wraps(fn)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        executor = _pool()
        if executor is None:
            return await DatabaseSyncToAsync(fn)(*args, **kwargs)
        runner = DatabaseSyncToAsync(in_thread, thread_sensitive=False, executor=executor)
        return await runner(*args, **kwargs)

    call.func = fn  # the plain function, as Channels' wrapper has it (tests call it directly)
    return call
