"""A real Daphne server for browser tests: the production command in its own process, on the test database.

A separate process (not a fork of the test process, whose threads and event loops do not survive a fork)
that sees the same PostgreSQL test database; Celery runs eagerly inside it so the bot answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]  # the project, where manage.py and config/ are


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def shared_database_url() -> str:
    """The URL of the database this test process uses (the test database, not the configured one)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@contextmanager
def live_asgi_server(log_path: Path, host: str = "127.0.0.1", timeout: float = 30) -> Iterator[str]:
    """Serve the project with Daphne on a free port and yield its base URL; stop it afterwards.

    The server's output goes to ``log_path``, kept beside the test's other artifacts.
    """
    port = _free_port(host)
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_DEBUG": "true",
        "ALLOWED_HOSTS": f"{host},localhost",
    }
    daphne = Path(sys.executable).with_name("daphne")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(daphne), "-b", host, "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"The live server stopped: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"The live server did not answer within {timeout}s") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
