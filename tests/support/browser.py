"""What the browser tests share: Chromium's flags, where screenshots go, the live server they drive, and
a customer's web site on another origin to embed the widget in."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from tests.support.live_server import live_asgi_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def browser_live_server() -> Iterator[str]:
    """The project under Daphne on the test database; its log is kept beside the screenshots.

    The server is another process, so it needs a database both can see (PostgreSQL): on SQLite's
    in-memory test database the test skips, or fails in CI.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("the browser test needs PostgreSQL in CI (DATABASE_URL)")
        pytest.skip(
            "the browser test needs a database a second process can see: set DATABASE_URL to PostgreSQL"
        )
    with live_asgi_server(ARTIFACTS / "server.log") as url:
        yield url


@contextmanager
def static_site(pages: dict[str, str], host: str = "localhost") -> Iterator[str]:
    """Serve ``pages`` (path -> HTML) over HTTP on a free port of ``host`` and yield the base URL: a
    customer's own site, on another origin than the helpdesk."""

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "Not found").encode())

        def log_message(self, format: str, *args) -> None:
            pass

    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = ThreadingHTTPServer((host, port), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
