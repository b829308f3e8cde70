"""The production-like stack the fault tests break: built once per session, torn down always."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tests.fault.harness import (
    ANTHROPIC_TOTAL_BUDGET_SECONDS,
    BIN,
    BOT_TURN_WATCHDOG_SECONDS,
    HOST,
    HOUSEKEEPING_INTERVAL_SECONDS,
    PRESENCE_TIMEOUT_SECONDS,
    ROOT,
    SEED_SCRIPT,
    TOKENS_SCRIPT,
    Database,
    HarnessError,
    Service,
    clean_env,
    free_port,
    http_json,
    http_ok,
    postgres_server_url,
    production_daphne_flags,
    redis_command,
    redis_ping,
    run_checked,
    script_output,
    start_together,
    tail,
)
from tests.fault.stand_in_api import StandInApi

CHANNELS_PREFIX = "faultsuite"


@dataclass
class Seed:
    tenant_id: int
    bot_key: str
    night_key: str
    agent_user_id: int
    agent_session: str


def _daphne_ready(port: int):
    return lambda service: http_ok(f"http://{HOST}:{port}/healthz")


def _log_says(text: str):
    return lambda service: text in service.log_since_start()


class Stack:
    """Redis, a database, two Daphne servers, a Celery worker and beat, and the stand-in model API."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.mail_dir = workdir / "mail"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(exist_ok=True)
        self.database = Database(postgres_server_url())
        self.api = StandInApi(HOST)
        self.redis_port = free_port()
        self.redis_url = f"redis://{HOST}:{self.redis_port}/0"
        redis_dir = workdir / "redis"
        redis_dir.mkdir(exist_ok=True)
        self.redis = Service(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(redis_dir),
                "--daemonize",
                "no",
            ],
            env=clean_env(),
            log_dir=self.logs,
            ready=lambda service: redis_ping(self.redis_port),
            ready_timeout=15,
        )
        self.env = {
            **clean_env(),
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": self.database.url,
            "REDIS_URL": self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CHANNELS_PREFIX": CHANNELS_PREFIX,
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "EMAIL_URL": f"filemail:///{self.mail_dir}",
            "ANTHROPIC_API_KEY": "test",
            "ANTHROPIC_BASE_URL": self.api.url,
            "ANTHROPIC_TOTAL_BUDGET_SECONDS": str(ANTHROPIC_TOTAL_BUDGET_SECONDS),
            "BOT_TURN_WATCHDOG_SECONDS": str(BOT_TURN_WATCHDOG_SECONDS),
            "HOUSEKEEPING_INTERVAL_SECONDS": str(HOUSEKEEPING_INTERVAL_SECONDS),
            "PRESENCE_TIMEOUT_SECONDS": str(PRESENCE_TIMEOUT_SECONDS),
            "PICKUP_CHECK_SECONDS": "5",
            "WIDGET_RATE_LIMIT": "100000/min",
            "API_RATE_LIMIT": "100000/min",
            "LOG_LEVEL": "INFO",
            "CELERY_TRACE_LOG_LEVEL": "INFO",
        }
        self.daphnes: list[Service] = []
        self.ports: list[int] = []
        for index in (1, 2):
            port = free_port()
            self.ports.append(port)
            self.daphnes.append(
                Service(
                    f"daphne{index}",
                    [
                        str(BIN / "daphne"),
                        "-b",
                        HOST,
                        "-p",
                        str(port),
                        *production_daphne_flags(),
                        "config.asgi:application",
                    ],
                    env=self.env,
                    log_dir=self.logs,
                    ready=_daphne_ready(port),
                )
            )
        self.worker = Service(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-n",
                f"fault-{os.getpid()}@%h",
                "--concurrency=4",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            env=self.env,
            log_dir=self.logs,
            ready=_log_says(" ready."),
        )
        self.beat = Service(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "-s",
                str(workdir / "beat-schedule"),
                "--loglevel=INFO",
            ],
            env=self.env,
            log_dir=self.logs,
            ready=_log_says("beat: Starting"),
        )
        self.seed: Seed | None = None
        self._exit = ExitStack()

    # Lifecycle -------------------------------------------------------------------------------------

    @property
    def services(self) -> list[Service]:
        return [self.redis, *self.daphnes, self.worker, self.beat]

    def start(self) -> None:
        self._exit.callback(self._stop_all)
        self.api.start()
        self._exit.callback(self.api.stop)
        self.redis.start()
        self.database.create()
        self._exit.callback(self.database.drop)
        manage = [sys.executable, "manage.py"]
        run_checked([*manage, "migrate", "--noinput", "-v", "0"], self.env, self.logs / "setup.log")
        code = f"import runpy; runpy.run_path({str(SEED_SCRIPT)!r})"
        stdout = run_checked([*manage, "shell", "-c", code], self.env, self.logs / "setup.log")
        self.seed = Seed(**script_output(stdout, "SEED="))
        start_together(self.services[1:])

    def close(self) -> None:
        self._exit.close()

    def _stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def heal(self) -> None:
        """Bring back whatever a test left stopped, and put the model back to answering."""
        self.api.set_mode("answer")
        if not self.redis.alive():
            self.redis.start()
        start_together(self.services[1:])

    def report(self, lines: int = 30) -> str:
        parts = [
            f"--- {service.name} ({service.log_path})\n{tail(service.log_path, lines)}"
            for service in self.services
        ]
        parts.append(f"--- PostgreSQL {self.database.connections()}")
        return "\n".join(parts)

    # Helpers for tests ------------------------------------------------------------------------------

    def http(self, index: int = 0) -> str:
        return f"http://{HOST}:{self.ports[index]}"

    def ws(self, index: int = 0) -> str:
        return f"ws://{HOST}:{self.ports[index]}"

    def widget_session(self, bot_key: str | None = None, index: int = 0) -> dict:
        """A new visitor's session from the widget endpoint: a token, and no conversation until the
        visitor's first message (``Widget.conversation_id`` knows it from then on)."""
        status, body = http_json(
            self.http(index) + "/api/v1/widget/sessions/", {"bot_key": bot_key or self.seed.bot_key}
        )
        if status != 201:
            raise HarnessError(f"widget session: HTTP {status} {body}")
        return body

    def widget_tokens(self, count: int, bot_key: str | None = None, processes: int = 4) -> list[str]:
        """The visitor tokens of ``count`` new widget conversations (see :meth:`widget_conversations`)."""
        return [token for _, token in self.widget_conversations(count, bot_key, processes)]

    def widget_conversations(
        self, count: int, bot_key: str | None = None, processes: int = 4
    ) -> list[tuple[int, str]]:
        """``count`` widget conversations started at once (as a visitor's first message starts one, without
        the message) and their visitor tokens, made by a few seeding processes in parallel (one
        conversation takes tens of milliseconds; Django takes seconds to boot)."""
        code = f"import runpy; runpy.run_path({str(TOKENS_SCRIPT)!r})"
        chunks = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
        running = []
        for chunk in (c for c in chunks if c):
            env = {**self.env, "FAULT_TOKENS": str(chunk), "FAULT_BOT_KEY": bot_key or self.seed.bot_key}
            running.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "shell", "-c", code],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            )
        conversations = []
        for process in running:
            stdout, stderr = process.communicate(timeout=300)
            if process.returncode != 0:
                raise HarnessError(f"making conversations failed ({process.returncode}):\n{stderr[-2000:]}")
            conversations.extend((pk, token) for pk, token in script_output(stdout, "CONVERSATIONS="))
        return conversations

    def redis_stop(self, sig: int = signal.SIGKILL) -> None:
        self.redis.kill(sig)

    def group_size(self, group: str) -> int:
        """Who is in a channel-layer group, as Redis sees it: the members of the core layer's sorted set
        (one per socket) or, with a pub/sub layer, the subscribers of the group's channel (one per
        process that holds sockets in the group). Tests keep one socket per process per group, so both
        count the same."""
        key = f"{CHANNELS_PREFIX}:group:{group}"
        if redis_command(self.redis_port, "EXISTS", key).strip() == b":1":
            return int(redis_command(self.redis_port, "ZCARD", key).strip().lstrip(b":"))
        reply = redis_command(self.redis_port, "PUBSUB", "NUMSUB", f"{CHANNELS_PREFIX}__group__{group}")
        # *2 $<n> <channel> :<count>
        return int(reply.strip().splitlines()[-1].lstrip(b":"))

    def sent_emails(self) -> list[str]:
        """The raw messages the file email backend wrote, one string each."""
        out = []
        for path in sorted(self.mail_dir.glob("*")):
            text = path.read_text(errors="replace")
            out.extend(chunk for chunk in text.split("-" * 79 + "\n") if chunk.strip())
        return out


def wait_seconds(since: float) -> float:
    return round(time.monotonic() - since, 2)
