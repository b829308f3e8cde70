"""A real Daphne server for browser tests, in its own process, on the test database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections


def _no_setup() -> None:
    """The forked server already has the test process's settings, which name the test database."""


@contextmanager
def live_asgi_server(host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the project's ASGI application (with static files) and yield its base URL."""
    # A forked child must not share the parent's database sockets: close them, both sides reconnect.
    connections.close_all()
    process = DaphneProcess(
        host, partial(make_application, static_wrapper=ASGIStaticFilesHandler), setup=_no_setup
    )
    process.start()
    try:
        while not process.ready.wait(timeout=1):
            if not process.is_alive():
                raise RuntimeError("The live server stopped before it was ready")
        yield f"http://{host}:{process.port.value}"
    finally:
        process.terminate()
        process.join(timeout=10)
