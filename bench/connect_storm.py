"""Connection storm: N widget sockets opened within one second against a real Daphne process.

Starts Daphne on a free loopback port against the product (the embedded mode on a throwaway SQLite file
by default, or whatever ``--env`` / the environment says, e.g. ``DATABASE_URL`` and ``REDIS_URL``), mints
one visitor token per client through ``POST /api/v1/widget/sessions/``, then opens every socket within
``--spread`` seconds and prints the handshake and first-frame (``hello``) times and the failures.

    .venv/bin/python bench/connect_storm.py --clients 300 1000
    .venv/bin/python bench/connect_storm.py --clients 300 --daphne-args "--websocket_connect_timeout 5"

Load stays on 127.0.0.1 and is bounded by ``--clients`` (at most 2,000) and ``--deadline``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DAPHNE = str(Path(PYTHON).with_name("daphne"))
DEMO_BOT_KEY = "pk_demo_northwind"
MAX_CLIENTS = 2000
# The recommended flags (also in the Makefile and docker-compose.yml); --daphne-args replaces them.
DEFAULT_DAPHNE_ARGS = (
    "--websocket_connect_timeout 30 --websocket_timeout -1 --ping-interval 20 --ping-timeout 30 "
    "--application-close-timeout 10 --websocket-max-message-size 4194304 --websocket-max-frame-size 4194304"
)


@dataclass
class StormResult:
    clients: int
    handshake: list[float] = field(default_factory=list)
    hello: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def server_env(extra: dict[str, str], workdir: Path) -> dict[str, str]:
    env = {**os.environ, **extra}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    # Every token comes from one loopback address: lift the per-visitor limit for the bench only.
    env.setdefault("WIDGET_RATE_LIMIT", "1000000/min")
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def prepare_database(env: dict[str, str]) -> None:
    for args in (["migrate", "--noinput"], ["demo_setup"]):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def start_daphne(env: dict[str, str], port: int, daphne_args: str, log_path: Path) -> subprocess.Popen:
    log = log_path.open("wb")
    command = [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "-v", "0", *shlex.split(daphne_args)]
    process = subprocess.Popen(
        [*command, "config.asgi:application"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"daphne exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"daphne did not answer /healthz within 30 s; see {log_path}")


def mint_token(port: int) -> tuple[str | None, float, str]:
    body = json.dumps({"bot_key": DEMO_BOT_KEY}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/widget/sessions/",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            token = json.loads(response.read())["token"]
            return token, time.perf_counter() - started, ""
    except urllib.error.HTTPError as error:
        return None, time.perf_counter() - started, f"HTTP {error.code}"
    except OSError as error:
        return None, time.perf_counter() - started, type(error).__name__


def mint_tokens(port: int, count: int, concurrency: int) -> tuple[list[str], list[float], dict[str, int]]:
    """Every client gets a token: failed sessions are counted, then tried again (up to 5 rounds)."""
    tokens: list[str] = []
    times: list[float] = []
    errors: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(5):
            results = list(pool.map(lambda _: mint_token(port), range(count - len(tokens))))
            for token, elapsed, error in results:
                times.append(elapsed)
                if error:
                    errors[error] = errors.get(error, 0) + 1
                else:
                    tokens.append(token)
            if len(tokens) == count:
                break
    return tokens, times, errors


async def one_client(port: int, token: str, delay: float, hold: asyncio.Event, result: StormResult) -> None:
    await asyncio.sleep(delay)
    url = f"ws://127.0.0.1:{port}/ws/widget/?token={token}"
    started = time.perf_counter()
    try:
        async with websockets.connect(url, open_timeout=60, close_timeout=2, max_queue=None) as ws:
            result.handshake.append(time.perf_counter() - started)
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            if frame.get("type") != "hello":
                result.fail(f"first frame {frame.get('type')}:{frame.get('code', '')}")
                return
            result.hello.append(time.perf_counter() - started)
            await hold.wait()
    except websockets.exceptions.InvalidStatus as error:
        result.fail(f"HTTP {error.response.status_code}")  # Daphne rejects a handshake that timed out: 403
    except websockets.exceptions.InvalidHandshake as error:
        result.fail(type(error).__name__)
    except websockets.exceptions.ConnectionClosed as error:
        result.fail(f"closed {error.rcvd.code if error.rcvd else 'abnormally'}")
    except TimeoutError:
        result.fail("timeout")
    except OSError as error:
        result.fail(type(error).__name__)


async def storm(port: int, tokens: list[str], spread: float, deadline: float) -> StormResult:
    result = StormResult(clients=len(tokens))
    hold = asyncio.Event()
    step = spread / max(1, len(tokens))
    tasks = [asyncio.create_task(one_client(port, t, i * step, hold, result)) for i, t in enumerate(tokens)]
    ends = time.monotonic() + deadline
    while time.monotonic() < ends and len(result.hello) + sum(result.failures.values()) < len(tokens):
        await asyncio.sleep(0.05)
    hold.set()
    _, pending = await asyncio.wait(tasks, timeout=10)
    for task in pending:
        task.cancel()
        result.fail("unfinished")
    return result


def describe(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: none"
    return (
        f"{name}: p50 {percentile(values, 50):.3f}s  p95 {percentile(values, 95):.3f}s  "
        f"p99 {percentile(values, 99):.3f}s  max {max(values):.3f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--spread", type=float, default=1.0, help="seconds over which sockets open")
    parser.add_argument("--deadline", type=float, default=90.0, help="seconds to wait for a storm")
    parser.add_argument("--daphne-args", default=DEFAULT_DAPHNE_ARGS)
    parser.add_argument("--mint-concurrency", type=int, default=8)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    options = parser.parse_args()
    if max(options.clients) > MAX_CLIENTS:
        raise SystemExit(f"at most {MAX_CLIENTS} clients")

    extra = dict(item.split("=", 1) for item in options.env)
    with tempfile.TemporaryDirectory(prefix="connect-storm-") as tmp:
        workdir = Path(tmp)
        env = server_env(extra, workdir)
        prepare_database(env)
        port = free_port()
        print(f"database {env['DATABASE_URL'].split('@')[-1]}  redis {env.get('REDIS_URL') or 'none'}")
        print(f"daphne {options.daphne_args or '(defaults)'}")
        daphne = start_daphne(env, port, options.daphne_args, workdir / "daphne.log")
        try:
            for clients in options.clients:
                started = time.perf_counter()
                tokens, mint_times, mint_errors = mint_tokens(port, clients, options.mint_concurrency)
                minted_in = time.perf_counter() - started
                print(f"\n== {clients} clients ==")
                print(
                    f"sessions: {len(tokens)}/{clients} tokens in {minted_in:.1f}s "
                    f"({options.mint_concurrency} concurrent), errors {mint_errors or 0}; "
                    + describe("latency", mint_times)
                )
                result = asyncio.run(storm(port, tokens, options.spread, options.deadline))
                print(describe("handshake", result.handshake))
                print(describe("hello", result.hello))
                failed = sum(result.failures.values())
                print(f"failures: {failed}/{result.clients} {result.failures or ''}")
                if result.hello:
                    print(f"mean hello {statistics.mean(result.hello):.3f}s")
        finally:
            daphne.terminate()
            try:
                daphne.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daphne.kill()
            log = (workdir / "daphne.log").read_text(errors="replace")
            raised: dict[str, int] = {}
            for line in log.splitlines():
                if re.match(r"^[\w.]+(Error|Exception|Locked)\b.*:", line):
                    raised[line[:120]] = raised.get(line[:120], 0) + 1
            print(f"\nserver log: {log.count('Traceback')} tracebacks")
            for line, count in sorted(raised.items(), key=lambda item: -item[1])[:5]:
                print(f"  {count} x {line}")


if __name__ == "__main__":
    main()
