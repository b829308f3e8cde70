"""Load bench: the product under chat load, against a bare Channels app in the same run.

Starts a production-like stack on loopback (a PostgreSQL database of its own, created, migrated, seeded
and dropped at the end; its own ``redis-server`` on a free port; ``--processes`` Daphne servers with the
options of docker-compose.yml; ``--workers`` Celery workers (default 1) with the default pool (16 threads);
``CELERY_TASK_ALWAYS_EAGER=false``),
and the bare echo app (``bench/bare_app.py``) on as many Daphne servers, on the same Redis. Then, from
this one client process:

1. bot: ``--bot-customers`` customers each ask a knowledge question within a second (bot answer latency);
2. relay, product then bare: ``--customers`` widget sockets and ``--agents`` inbox sockets; each customer
   asks for a person (handoff -> the owning agent's ``handoff.created``), the agent claims
   and opens the conversation, then each customer sends one message every ``--interval`` seconds for
   ``--duration`` seconds and its agent answers each at once;
3. storm, product then bare: ``--storm`` widget sockets opened within one second (handshake, ``hello``).

It prints progress, then one table: p50/p95/p99 of each figure for the product and the bare app, their
ratio, the counts of messages lost (sent and not received when nothing arrived for 15 s, or 90 s after
the load stopped) and duplicated, and the CPU seconds each server process used during each phase.

    .venv/bin/python bench/load.py                       # 200 customers, 20 agents, 60 s
    .venv/bin/python bench/load.py --customers 1000      # the big figure
    .venv/bin/python bench/load.py --processes 2         # scale-out: two Daphne servers of each app

``--target ws://127.0.0.1:8000 --bot-key pk_... --agent-sessions FILE`` drives a product that is already
running (one session cookie per line in FILE); the bare app and its Redis are still started here. The
product's own conversations are started in its database before the load (``widget_conversation_start``,
what a visitor's first message does); a running product's are started the way a visitor starts one, a
session from the widget endpoint and a first "Hello" on the socket, whose answer is awaited before the
phases (that product's widget rate limit must allow the sessions made here). Load stays on 127.0.0.1 and
is bounded: at most 2,000 customers and 5,000 storm sockets, and each phase has a deadline. Every process
started here runs in its own process group and is stopped at the end, also on Ctrl+C or an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_driver import Target, Tracker, bot_phase, percentile, relay_phase, storm_phase  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from tests.fault.harness import (  # noqa: E402
    BIN,
    HOST,
    Database,
    HarnessError,
    Service,
    clean_env,
    free_port,
    http_json,
    http_ok,
    postgres_server_url,
    production_daphne_flags,
    redis_ping,
    run_checked,
    script_output,
    start_together,
    tail,
)

MAX_CUSTOMERS = 2000
MAX_STORM = 5000
SEED_SCRIPT = ROOT / "bench" / "load_seed.py"
TOKENS_SCRIPT = ROOT / "tests" / "fault" / "tokens.py"
RELAY_METRICS = [
    "relay customer -> agent",
    "relay agent -> customer",
    "handoff -> inbox",
    "ack customer",
    "ack agent",
    "ack handoff message",
]


def daphne_flags() -> list[str]:
    """The flags docker-compose.yml runs Daphne with (as the fault suite reads them)."""
    return production_daphne_flags()


class Stack:
    """The product (database, Redis, Daphne servers, worker) and the bare app, each stopped at the end."""

    def __init__(
        self,
        workdir: Path,
        processes: int,
        agents: int,
        own_product: bool,
        storm_tokens: int = 0,
        workers: int = 1,
        conversations: int = 0,
    ) -> None:
        self.logs = workdir / "logs"
        self.daphne_flags = daphne_flags()
        self.storm_count = storm_tokens
        self.storm_tokens: list[str] = []
        self.conversation_count = conversations
        self.conversations: list[tuple[int, str]] = []
        self.logs.mkdir(parents=True, exist_ok=True)
        self.agents = agents
        self.own_product = own_product
        self.redis_port = free_port()
        self.redis_url = f"redis://{HOST}:{self.redis_port}/0"
        self.redis = Service(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.redis_port), "--bind", HOST, "--save", "", "--appendonly", "no"),
                *("--dir", str(workdir), "--daemonize", "no", "--maxclients", "10000"),
            ],
            env=clean_env(),
            log_dir=self.logs,
            ready=lambda service: redis_ping(self.redis_port),
            ready_timeout=15,
        )
        self.database = Database(postgres_server_url(), name=f"helpdesk_load_{os.getpid()}")
        self.env = {
            **clean_env(),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "load-bench-" + os.urandom(16).hex(),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": self.database.url,
            "REDIS_URL": self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CHANNELS_PREFIX": "load",
            "WIDGET_RATE_LIMIT": "1000000/min",
            "API_RATE_LIMIT": "1000000/min",
            "EMAIL_URL": "consolemail://",
            "LOG_LEVEL": "WARNING",
        }
        self.product_ports = [free_port() for _ in range(processes)] if own_product else []
        self.bare_ports = [free_port() for _ in range(processes)]
        self.daphnes = [
            self._daphne(f"daphne{i + 1}", port, "config.asgi:application", self.env)
            for i, port in enumerate(self.product_ports)
        ]
        bare_env = {**clean_env(), "REDIS_URL": self.redis_url, "CHANNELS_PREFIX": "bare"}
        self.bares = [
            self._daphne(f"bare{i + 1}", port, "bench.bare_app:application", bare_env)
            for i, port in enumerate(self.bare_ports)
        ]
        self.workers = [
            Service(
                f"worker{i + 1}" if workers > 1 else "worker",
                [
                    str(BIN / "celery"),
                    *("-A", "config", "worker", "-n", f"load-{os.getpid()}-{i + 1}@%h"),
                    *("--without-mingle", "--without-gossip", "--loglevel=INFO"),
                ],
                env=self.env,
                log_dir=self.logs,
                ready=lambda service: " ready." in service.log_since_start(),
            )
            for i in range(workers)
        ]
        self.seed: dict = {}
        self._exit = ExitStack()

    def _daphne(self, name: str, port: int, app: str, env: dict[str, str]) -> Service:
        return Service(
            name,
            [str(BIN / "daphne"), "-b", HOST, "-p", str(port), *self.daphne_flags, app],
            env=env,
            log_dir=self.logs,
            ready=lambda service: http_ok(f"http://{HOST}:{port}/healthz"),
        )

    @property
    def services(self) -> list[Service]:
        product = [*self.daphnes, *self.workers] if self.own_product else []
        return [self.redis, *product, *self.bares]

    def start(self) -> None:
        self._exit.callback(self._stop_all)
        self.redis.start()
        if self.own_product:
            self.database.create()
            self._exit.callback(self.database.drop)
            manage = [sys.executable, "manage.py"]
            run_checked([*manage, "migrate", "--noinput", "-v", "0"], self.env, self.logs / "setup.log")
            code = f"import runpy; runpy.run_path({str(SEED_SCRIPT)!r})"
            env = {**self.env, "LOAD_AGENTS": str(self.agents)}
            self.seed = script_output(
                run_checked([*manage, "shell", "-c", code], env, self.logs / "setup.log"), "SEED="
            )
            minting = self._mint_storm_tokens()
        start_together(self.services[1:])
        if self.own_product:
            self._collect_storm_tokens(minting)

    def _mint_storm_tokens(self, processes: int = 2) -> list[subprocess.Popen]:
        """The customers' and the storm's conversations, started while the servers boot by the fault
        suite's token script (``widget_conversation_start``, what a visitor's first message does, without
        the message), so the phases talk in distinct conversations without a minute of requests first."""
        code = f"import runpy; runpy.run_path({str(TOKENS_SCRIPT)!r})"
        total = self.conversation_count + self.storm_count
        running = []
        for index in range(processes):
            count = total // processes + (1 if index < total % processes else 0)
            if not count:
                continue
            env = {**self.env, "FAULT_TOKENS": str(count), "FAULT_BOT_KEY": self.seed["bot_key"]}
            process = subprocess.Popen(
                [sys.executable, "manage.py", "shell", "-c", code],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            self._exit.callback(_kill_group, process)
            running.append(process)
        return running

    def _collect_storm_tokens(self, running: list[subprocess.Popen]) -> None:
        made: list[tuple[int, str]] = []
        for process in running:
            stdout, stderr = process.communicate(timeout=300)
            if process.returncode != 0:
                raise HarnessError(f"making conversations failed:\n{stderr[-2000:]}")
            made.extend((pk, token) for pk, token in script_output(stdout, "CONVERSATIONS="))
        self.conversations = made[: self.conversation_count]
        self.storm_tokens = [token for _, token in made[self.conversation_count :]]

    def close(self) -> None:
        self._exit.close()

    def _stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def check_alive(self) -> list[str]:
        return [service.name for service in self.services if not service.alive()]


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in a process group (the worker's pool too)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def postgres_cpu_seconds() -> float:
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class CpuMeter:
    """CPU seconds used by each server process (and PostgreSQL, and this client) between two readings."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.start = self.read()
        self.began = time.monotonic()

    def read(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        values = {"client (this process)": usage.ru_utime + usage.ru_stime}
        for service in self.stack.services:
            if service.process is not None:
                values[service.name] = group_cpu_seconds(service.process.pid)
        values["postgresql (all backends)"] = postgres_cpu_seconds()
        return values

    def report(self) -> str:
        end = self.read()
        wall = time.monotonic() - self.began
        parts = [f"{name} {max(0.0, end[name] - self.start.get(name, 0)):.1f}s" for name in end]
        return f"CPU over {wall:.0f}s wall: " + ", ".join(parts)


async def settle(stack: Stack, limit: float = 30.0) -> None:
    """Wait (at most ``limit`` seconds) until no server uses more than 10% of a core, so the disconnects
    of one phase do not weigh on the next."""
    deadline = time.monotonic() + limit
    last = CpuMeter(stack).start
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        now = CpuMeter(stack).start
        busy = [
            name for name in now if name != "client (this process)" and now[name] - last.get(name, 0) > 0.1
        ]
        last = now
        if not busy:
            return


async def _first_message(ws_base: str, token: str) -> tuple[int, str]:
    """Say "Hello" as a new visitor: the ``session`` frame names the conversation it started and its
    token. Returns once the bot answered, so that answer does not arrive during a phase."""
    session = None
    async with connect(f"{ws_base}/ws/widget/?token={token}", open_timeout=60, max_size=None) as ws:
        await ws.send(json.dumps({"type": "message", "text": "Hello", "client_msg_id": "first"}))
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "session":
                session = (frame["conversation_id"], frame["token"])
            elif kind == "error":
                raise HarnessError(f"first message: {frame}")
            messages = frame.get("messages") or ([frame["message"]] if kind == "message" else [])
            answered = any(
                m.get("author_kind") in ("bot", "system") and not (m.get("data") or {}).get("greeting")
                for m in messages
            )
            if session is not None and answered:
                return session
    raise HarnessError("the socket closed before the first message was answered")


async def widget_conversations(
    http_bases: list[str], ws_bases: list[str], bot_key: str, count: int
) -> list[tuple[int, str]]:
    """``count`` conversations of a running product, started the way visitors start them: a session from
    ``POST /api/v1/widget/sessions/``, then a first message on the socket; 16 at a time."""
    gate = asyncio.Semaphore(16)

    async def one(index: int) -> tuple[int, str] | None:
        url = http_bases[index % len(http_bases)] + "/api/v1/widget/sessions/"
        async with gate:
            for _ in range(3):
                status, body = await asyncio.to_thread(http_json, url, {"bot_key": bot_key}, 60)
                if status != 201:
                    continue
                with contextlib.suppress(Exception):
                    return await asyncio.wait_for(
                        _first_message(ws_bases[index % len(ws_bases)], body["token"]), 90
                    )
            return None

    made = [pair for pair in await asyncio.gather(*(one(i) for i in range(count))) if pair is not None]
    if len(made) < count:
        print(f"  {count - len(made)} widget conversations could not be started", flush=True)
    return made


def row(name: str, product: list[float], bare: list[float] | None) -> str:
    def triple(values: list[float]) -> str:
        if not values:
            return "-"
        return " / ".join(f"{percentile(values, p) * 1000:.0f}" for p in (50, 95, 99))

    ratio = "-"
    if product and bare:
        ratio = " / ".join(
            f"{percentile(product, p) / max(percentile(bare, p), 1e-6):.1f}x" for p in (50, 95, 99)
        )
    return f"| {name} | {triple(product)} | {len(product)} | {triple(bare or [])} | {ratio} |"


def report(args, results: dict[str, Tracker], notes: list[str]) -> str:
    product = results.get("product relay", Tracker())
    bare = results.get("bare relay", Tracker())
    lines = [
        f"Load bench {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores: {args.customers} customers,"
        f" {args.agents} agents, 1 message / {args.interval:g} s each for {args.duration:g} s,"
        f" {args.processes} Daphne process(es) per app, {args.bot_customers} bot questions,"
        f" storm of {args.storm}",
        "",
        "| figure (ms) | product p50 / p95 / p99 | n | bare p50 / p95 / p99 | product/bare |",
        "| --- | --- | --- | --- | --- |",
    ]
    for metric in RELAY_METRICS:
        lines.append(row(metric, product.latencies.get(metric, []), bare.latencies.get(metric, [])))
    bot = results.get("product bot", Tracker())
    lines.append(row("bot answer", bot.latencies.get("bot answer", []), None))
    lines.append(row("ack bot question", bot.latencies.get("ack bot question", []), None))
    if bot.latencies.get("bot handed off instead"):
        lines.append(row("bot handed off instead", bot.latencies["bot handed off instead"], None))
    storm, bare_storm = results.get("product storm", Tracker()), results.get("bare storm", Tracker())
    for metric in ("storm handshake", "storm hello"):
        lines.append(row(metric, storm.latencies.get(metric, []), bare_storm.latencies.get(metric, [])))
    lines.append("")
    lines.append("| messages | product sent / lost / duplicated | bare sent / lost / duplicated |")
    lines.append("| --- | --- | --- |")
    for metric in ("relay customer -> agent", "relay agent -> customer"):
        cells = [f"{t.count(metric)} / {t.lost(metric)} / {t.duplicated(metric)}" for t in (product, bare)]
        lines.append(f"| {metric} | {cells[0]} | {cells[1]} |")
    lines.append("")
    for name, tracker in results.items():
        errors = {k: v for k, v in tracker.errors.items() if v}
        if errors:
            lines.append(f"errors ({name}): {dict(errors)}")
    lines.extend(notes)
    return "\n".join(lines)


async def run_phases(args, stack: Stack, product: Target, bare: Target, bot_key: str, http_bases) -> tuple:
    results: dict[str, Tracker] = {}
    notes: list[str] = []
    conversations, storm_tokens = list(stack.conversations), list(stack.storm_tokens)
    needed = args.customers + args.bot_customers
    missing = needed - len(conversations) + args.storm - len(storm_tokens)
    if missing > 0:
        print(f"Starting {missing} widget conversations over HTTP and the socket ...", flush=True)
        began = time.monotonic()
        made = await widget_conversations(http_bases, product.ws_bases, bot_key, missing)
        print(f"  started {len(made)} in {time.monotonic() - began:.1f}s", flush=True)
        short = max(0, needed - len(conversations))
        conversations += made[:short]
        storm_tokens += [token for _, token in made[short:]]
    relay_pairs = conversations[: args.customers]
    bot_pairs = conversations[args.customers : needed]

    if args.bot_customers:
        print(f"Bot phase: {len(bot_pairs)} customers ask a question within a second", flush=True)
        results["product bot"] = await bot_phase(product, bot_pairs)

    for target, pairs in (
        (product, relay_pairs),
        (bare, [(100000 + i, str(100000 + i)) for i in range(args.customers)]),
    ):
        print(f"Relay phase on {target.name}: {len(pairs)} customers, {args.agents} agents", flush=True)
        meter = CpuMeter(stack)
        await settle(stack)
        results[f"{target.name} relay"] = await relay_phase(
            target,
            pairs,
            agents=args.agents,
            duration=args.duration,
            interval=args.interval,
            handoff_spread=(
                args.handoff_spread if args.handoff_spread is not None else max(10.0, args.customers / 20)
            ),
        )
        notes.append(f"{target.name} relay {meter.report()}")
        dead = stack.check_alive()
        if dead:
            notes.append(f"processes dead after {target.name} relay: {dead}")

    if args.storm:
        for target, tokens in ((product, storm_tokens), (bare, [str(200000 + i) for i in range(args.storm)])):
            print(f"Storm on {target.name}: {len(tokens)} sockets within 1 s", flush=True)
            await settle(stack)
            meter = CpuMeter(stack)
            results[f"{target.name} storm"] = await storm_phase(target, tokens)
            notes.append(f"{target.name} storm {meter.report()}")
    return results, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds of steady load")
    parser.add_argument("--interval", type=float, default=20, help="seconds between a customer's messages")
    parser.add_argument(
        "--handoff-spread",
        type=float,
        default=None,
        help="seconds over which the customers hand off (default: 20 handoffs a second, at least 10 s)",
    )
    parser.add_argument("--bot-customers", type=int, default=50)
    parser.add_argument("--storm", type=int, default=1000, help="sockets opened within one second")
    parser.add_argument("--processes", type=int, default=1, help="Daphne servers per app")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Celery worker processes, each with the default pool of 16 threads",
    )
    parser.add_argument("--target", action="append", default=[], help="ws:// base of a running product")
    parser.add_argument("--bot-key", default="")
    parser.add_argument("--agent-sessions", default="", help="file of agents' sessionid cookies")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs folder")
    args = parser.parse_args()
    if not 1 <= args.customers <= MAX_CUSTOMERS or not 0 <= args.storm <= MAX_STORM:
        parser.error(f"--customers is 1..{MAX_CUSTOMERS} and --storm 0..{MAX_STORM}")
    if args.target and not (args.bot_key and args.agent_sessions):
        parser.error("--target needs --bot-key and --agent-sessions")
    if any("127.0.0.1" not in t and "localhost" not in t for t in args.target):
        parser.error("--target must be on loopback")

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-load-"))
    stack = Stack(
        workdir,
        args.processes,
        args.agents,
        own_product=not args.target,
        storm_tokens=args.storm,
        workers=args.workers,
        conversations=args.customers + args.bot_customers,
    )
    code = 0
    try:
        print(f"Starting the stack (logs in {stack.logs}) ...", flush=True)
        stack.start()
        if args.target:
            ws_bases = args.target
            sessions = Path(args.agent_sessions).read_text().split()
            bot_key = args.bot_key
        else:
            ws_bases = [f"ws://{HOST}:{port}" for port in stack.product_ports]
            sessions, bot_key = stack.seed["sessions"], stack.seed["bot_key"]
        if len(sessions) < args.agents:
            raise HarnessError(f"{args.agents} agents need as many sessions, got {len(sessions)}")
        http_bases = [base.replace("ws://", "http://") for base in ws_bases]
        product = Target("product", ws_bases, sessions)
        bare = Target("bare", [f"ws://{HOST}:{port}" for port in stack.bare_ports], [])
        results, notes = asyncio.run(run_phases(args, stack, product, bare, bot_key, http_bases))
        print()
        print(report(args, results, notes), flush=True)
    except KeyboardInterrupt:
        print("Interrupted; stopping every process", flush=True)
        code = 130
    except HarnessError as exc:
        print(f"The stack failed: {exc}", flush=True)
        code = 1
    finally:
        for service in stack.services:
            if service.process is not None and service.process.poll() is not None:
                print(f"--- {service.name} exited ({service.log_path}):\n{tail(service.log_path, 15)}")
        stack.close()
        if args.keep_logs or code:
            print(f"Logs kept in {stack.logs}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
