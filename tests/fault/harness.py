"""Real processes for the fault suite: Redis, PostgreSQL database, two Daphne servers, a Celery worker and
beat, each in its own process group, with its log kept in the run's folder.

Every process is started with ``start_new_session`` so that stopping it (SIGTERM, then SIGKILL) reaches
its children too (the worker's pool, for instance). Readiness is polled with a deadline, never slept for.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SEED_SCRIPT = Path(__file__).with_name("seed.py")
TOKENS_SCRIPT = Path(__file__).with_name("tokens.py")

# Short bounds so the suite runs in minutes; the tests read them from here.
PRESENCE_TIMEOUT_SECONDS = 10
HOUSEKEEPING_INTERVAL_SECONDS = 2
BOT_TURN_WATCHDOG_SECONDS = 8
ANTHROPIC_TOTAL_BUDGET_SECONDS = 4


class HarnessError(RuntimeError):
    """A process of the harness did not start or did not become ready."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the test process dies without tearing down (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


class Service:
    """One long-running process with a log, a readiness probe, and start/kill/stop/restart."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str],
        log_dir: Path,
        ready: Callable[[Service], bool],
        ready_timeout: float = 120,
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.ready = ready
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None
        self.log_offset = 0
        self.starts = 0
        self.launched_at = 0.0

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_since_start(self) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            return log.read().decode(errors="replace")

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process without waiting for it to be ready (see :meth:`wait_ready`)."""
        if self.alive():
            return
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            log.write(f"=== start #{self.starts + 1} of {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.starts += 1
        self.launched_at = time.monotonic()

    def wait_ready(self) -> None:
        started = self.launched_at
        remaining = self.ready_timeout - (time.monotonic() - started)
        if not wait_for(lambda: not self.alive() or self.ready(self), remaining, 0.1):
            self.stop()
            raise HarnessError(
                f"{self.name} was not ready within {self.ready_timeout}s:\n{tail(self.log_path)}"
            )
        if not self.alive():
            raise HarnessError(f"{self.name} exited with {self.process.returncode}:\n{tail(self.log_path)}")
        print(f"[harness] {self.name} ready in {time.monotonic() - started:.1f}s (pid {self.process.pid})")

    def signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole process group and wait for the leader to exit."""
        self.signal_group(sig)
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.process.wait(timeout=15)
            # Children of the group (a worker's pool) may outlive the leader for a moment.
            self.signal_group(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM the group, then SIGKILL it if it has not gone within 10 seconds."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


def start_together(services: list[Service]) -> None:
    """Launch every stopped service at once, then wait for each to be ready (Django boots slowly)."""
    waiting = [service for service in services if not service.alive()]
    for service in waiting:
        service.launch()
    for service in waiting:
        service.wait_ready()


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_command(port: int, *args: str) -> bytes:
    """One raw RESP command to the harness's Redis (enough for ZCARD, KEYS and the like)."""
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    with socket.create_connection((HOST, port), timeout=2) as sock:
        sock.sendall(b"".join(parts))
        time.sleep(0.05)
        chunks = []
        sock.settimeout(0.3)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def http_json(url: str, body: dict, timeout: float = 10) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": "https://shop.example"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"{}")
        except ValueError:
            return exc.code, {"raw": raw[:500].decode(errors="replace")}


def production_daphne_flags() -> list[str]:
    """The options the deployment runs Daphne with (the ``web`` service of docker-compose.yml), less
    its address and port, so the harness's servers behave like production ones (handshake timeout,
    socket lifetime, keepalive pings)."""
    compose = ROOT / "docker-compose.yml"
    text = compose.read_text() if compose.exists() else ""
    match = re.search(r"daphne\s(.*?)\S+\.asgi:application", text, re.S)
    if match is None:
        raise RuntimeError(f"No Daphne command with an ASGI application in {compose}")
    words = shlex.split(match.group(1).replace('"', " "))
    flags, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in ("-b", "--bind", "-p", "--port"):
            skip = True
        else:
            flags.append(word)
    return flags


def postgres_server_url() -> str:
    """The PostgreSQL server of the machine (the one the rest of the suite uses when it is PostgreSQL)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(url)
        auth = parsed.username or "postgres"
        if parsed.password:
            auth += f":{parsed.password}"
        return f"postgres://{auth}@{parsed.hostname or HOST}:{parsed.port or 5432}"
    return f"postgres://postgres@{HOST}:5432"


def postgres_reachable() -> bool:
    parsed = urlparse(postgres_server_url())
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 5432), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Database:
    """A database of the harness's own on the machine's PostgreSQL server, dropped afterwards."""

    server_url: str
    name: str = field(default_factory=lambda: f"helpdesk_fault_{os.getpid()}_{uuid.uuid4().hex[:8]}")

    @property
    def url(self) -> str:
        return f"{self.server_url}/{self.name}"

    def create(self) -> None:
        with psycopg.connect(self.server_url + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with psycopg.connect(self.server_url + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        """Run one read; a server that is briefly out of connection slots is tried again for 10 s."""
        deadline = time.monotonic() + 10
        while True:
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    return conn.execute(sql, params).fetchall()
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise HarnessError(f"{exc}\nconnections by database: {self.connections()}") from exc
                time.sleep(0.5)

    def connections(self) -> str:
        """Who holds the server's connections (to explain 'too many clients')."""
        try:
            with psycopg.connect(self.server_url + "/postgres", autocommit=True, connect_timeout=3) as conn:
                rows = conn.execute(
                    "SELECT datname, application_name, count(*) FROM pg_stat_activity "
                    "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 15"
                ).fetchall()
                limit = conn.execute("SHOW max_connections").fetchone()[0]
        except psycopg.OperationalError as exc:
            return f"(cannot connect: {exc})"
        return f"max_connections {limit}: {rows}"

    def value(self, sql: str, params: tuple | dict = ()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None


def run_checked(argv: list[str], env: dict[str, str], log_path: Path, timeout: float = 300) -> str:
    """Run a one-off command (migrate, a seeding script); its output is appended to ``log_path``."""
    started = time.monotonic()
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, start_new_session=True
    )
    with log_path.open("a") as log:
        log.write(f"=== {' '.join(argv)} (exit {result.returncode})\n{result.stdout}\n{result.stderr}\n")
    if result.returncode != 0:
        raise HarnessError(f"{' '.join(argv[:4])} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    print(f"[harness] {' '.join(argv[1:4])} took {time.monotonic() - started:.1f}s")
    return result.stdout


def script_output(stdout: str, marker: str) -> dict:
    """The JSON a seeding script printed on its line starting with ``marker``."""
    for line in stdout.splitlines():
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    raise HarnessError(f"no {marker} line in:\n{stdout[-2000:]}")


def clean_env() -> dict[str, str]:
    """The test process's environment without anything that would point a child at other services."""
    drop = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("ANTHROPIC_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env
