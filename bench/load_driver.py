"""The load bench's clients and phases: widget customers and inbox agents over real WebSockets.

Every latency is taken in this one client process with ``time.monotonic()``: a frame sent by one socket
and received by another. Messages are followed by their ``client_msg_id``: a message sent and never seen
by the other side by the end of the drain is *lost*; one seen twice is *duplicated*. The same code drives
the product and the bare app (``bench/bare_app.py``), which speak the same frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HANDOFF_TEXT = "please put me through to a human agent"
QUESTIONS = [
    "How long does delivery take?",
    "Can I return accessories?",
    "How much does a service cost?",
    "What warranty do frames have?",
    "Can I pay by card?",
    "How do I pick a frame size?",
]
OPEN_TIMEOUT = 60


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@dataclass
class Tracker:
    """What one phase sent and saw: latencies by metric, and every tracked message's fate."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sent: dict[str, tuple[str, float]] = field(default_factory=dict)  # client_msg_id -> (metric, time)
    seen: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    def send(self, metric: str) -> str:
        client_msg_id = uuid.uuid4().hex
        self.sent[client_msg_id] = (metric, time.monotonic())
        return client_msg_id

    def arrive(self, client_msg_id: str | None, metric: str) -> None:
        entry = self.sent.get(client_msg_id or "")
        if entry is None or entry[0] != metric:
            return
        self.seen[client_msg_id] += 1
        if self.seen[client_msg_id] == 1:
            self.latencies[metric].append(time.monotonic() - entry[1])

    def lost(self, metric: str) -> int:
        return sum(1 for cid, (m, _) in self.sent.items() if m == metric and not self.seen[cid])

    def duplicated(self, metric: str) -> int:
        return sum(n - 1 for cid, n in self.seen.items() if n > 1 and self.sent[cid][0] == metric)

    def count(self, metric: str) -> int:
        return sum(1 for m, _ in self.sent.values() if m == metric)


@dataclass
class Target:
    """Where the clients go: one or more servers (sockets are spread over them), the bot's key and the
    agents' session cookies (empty for the bare app)."""

    name: str
    ws_bases: list[str]
    sessions: list[str]

    def base(self, index: int) -> str:
        return self.ws_bases[index % len(self.ws_bases)]


class Socket:
    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task | None = None

    async def open(self, url: str, **kwargs) -> None:
        self.ws = await connect(
            url, open_timeout=OPEN_TIMEOUT, max_size=None, ping_interval=20, ping_timeout=60, **kwargs
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") == "error":
                    self.tracker.errors[frame.get("code", "?")] += 1
                self.on_frame(frame)
        except ConnectionClosed:
            self.tracker.errors["closed"] += 1

    def on_frame(self, frame: dict) -> None:
        raise NotImplementedError

    async def send(self, frame: dict) -> None:
        try:
            await self.ws.send(json.dumps(frame))
        except ConnectionClosed:
            self.tracker.errors["send_on_closed"] += 1

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self.reader is not None:
            self.reader.cancel()


class Customer(Socket):
    def __init__(self, tracker: Tracker, conversation_id: int, token: str) -> None:
        super().__init__(tracker)
        self.conversation_id = conversation_id
        self.token = token
        self.ready = asyncio.Event()
        self.question_at: float | None = None
        self.bot_answered = asyncio.Event()

    def on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "ack":
            entry = self.tracker.sent.get(frame.get("client_msg_id") or "")
            if entry is not None:
                metric = "ack customer" if entry[0] == "relay customer -> agent" else f"ack {entry[0]}"
                self.tracker.latencies[metric].append(time.monotonic() - entry[1])
        elif kind == "message":
            message = frame["message"]
            author = message.get("author_kind")
            if author == "agent":
                self.tracker.arrive(message.get("client_msg_id"), "relay agent -> customer")
            elif author == "bot" and self.question_at is not None and not self.bot_answered.is_set():
                data = message.get("data") or {}
                metric = "bot answer" if data.get("event") != "handoff" else "bot handed off instead"
                self.tracker.latencies[metric].append(time.monotonic() - self.question_at)
                self.bot_answered.set()

    async def say(self, text: str, metric: str) -> str:
        client_msg_id = self.tracker.send(metric)
        await self.send({"type": "message", "text": text, "client_msg_id": client_msg_id})
        return client_msg_id


class Agent(Socket):
    """Claims and opens the conversations it owns as their ``handoff.created`` arrives, and answers each
    customer message at once."""

    def __init__(self, tracker: Tracker, owned: dict[int, Customer], handoff_sent: dict[int, float]) -> None:
        super().__init__(tracker)
        self.owned = owned
        self.handoff_sent = handoff_sent
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "handoff.created":
            conversation_id = (frame.get("conversation") or {}).get("id")
            if conversation_id in self.owned and conversation_id in self.handoff_sent:
                sent = self.handoff_sent.pop(conversation_id)
                self.tracker.latencies["handoff -> inbox"].append(time.monotonic() - sent)
                self.spawn(self.take(conversation_id))
        elif kind == "messages":
            customer = self.owned.get(frame.get("conversation_id"))
            if customer is not None:
                customer.ready.set()
        elif kind == "ack":
            entry = self.tracker.sent.get(frame.get("client_msg_id") or "")
            if entry is not None:
                self.tracker.latencies["ack agent"].append(time.monotonic() - entry[1])
        elif kind == "message":
            message = frame["message"]
            if message.get("author_kind") == "customer":
                cid = message.get("client_msg_id")
                first = self.tracker.seen[cid] == 0 and cid in self.tracker.sent
                self.tracker.arrive(cid, "relay customer -> agent")
                if first and self.tracker.sent[cid][0] == "relay customer -> agent":
                    self.spawn(self.reply(message["conversation_id"]))

    async def take(self, conversation_id: int) -> None:
        await self.send({"type": "claim", "conversation_id": conversation_id})
        await self.send({"type": "open", "conversation_id": conversation_id, "last_seq": 0})

    async def reply(self, conversation_id: int) -> None:
        client_msg_id = self.tracker.send("relay agent -> customer")
        await self.send(
            {
                "type": "message",
                "conversation_id": conversation_id,
                "text": "Thanks, I'm looking into it now.",
                "client_msg_id": client_msg_id,
            }
        )

    async def heartbeat(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self.send({"type": "ping", "idle": False})


async def open_all(sockets_and_urls, limit: int = 50, **kwargs) -> int:
    """Open sockets, ``limit`` handshakes at a time; returns how many failed."""
    gate = asyncio.Semaphore(limit)
    failed = 0

    async def one(sock: Socket, url: str, extra: dict) -> None:
        nonlocal failed
        async with gate:
            try:
                await sock.open(url, **extra)
            except Exception as exc:
                failed += 1
                sock.tracker.errors[f"open: {type(exc).__name__}"] += 1

    await asyncio.gather(*(one(s, u, e) for s, u, e in sockets_and_urls))
    return failed


async def progress(label: str, tracker: Tracker, started: float, every: float = 5.0) -> None:
    while True:
        await asyncio.sleep(every)
        parts = []
        for metric in ("relay customer -> agent", "relay agent -> customer", "bot answer"):
            total = tracker.count(metric)
            if total:
                got = len(tracker.latencies[metric])
                p50 = percentile(tracker.latencies[metric], 50) * 1000
                parts.append(f"{metric}: {got}/{total} p50 {p50:.0f} ms")
        handoffs = len(tracker.latencies["handoff -> inbox"])
        errors = sum(tracker.errors.values())
        print(
            f"  [{label} {time.monotonic() - started:5.0f}s] handoffs {handoffs}; "
            + "; ".join(parts)
            + f"; errors {errors}",
            flush=True,
        )


async def relay_phase(
    target: Target,
    conversations: list[tuple[int, str]],
    *,
    agents: int,
    duration: float,
    interval: float,
    handoff_spread: float = 10.0,
    ready_timeout: float = 60.0,
    drain: float = 15.0,
    drain_limit: float = 90.0,
) -> Tracker:
    """C customers hand off, M agents claim and open their conversations, then each customer sends one
    message per ``interval`` for ``duration`` seconds and its agent answers each at once."""
    tracker = Tracker()
    started = time.monotonic()
    ticker = asyncio.create_task(progress(target.name, tracker, started))
    customers = [Customer(tracker, cid, token) for cid, token in conversations]
    owned: list[dict[int, Customer]] = [{} for _ in range(agents)]
    for index, customer in enumerate(customers):
        owned[index % agents][customer.conversation_id] = customer
    handoff_sent: dict[int, float] = {}
    agent_sockets = [Agent(tracker, owned[i], handoff_sent) for i in range(agents)]
    heartbeats: list[asyncio.Task] = []
    try:
        await open_all(
            [
                (
                    agent,
                    target.base(i) + "/ws/inbox/",
                    {
                        "origin": target.base(i).replace("ws://", "http://"),
                        "additional_headers": (
                            {"Cookie": f"sessionid={target.sessions[i]}"} if target.sessions else {}
                        ),
                    },
                )
                for i, agent in enumerate(agent_sockets)
            ]
        )
        heartbeats = [asyncio.create_task(a.heartbeat(30)) for a in agent_sockets if a.ws]
        failed = await open_all(
            [(c, f"{target.base(i)}/ws/widget/?token={c.token}", {}) for i, c in enumerate(customers)]
        )
        live = [c for c in customers if c.ws is not None]
        print(
            f"  [{target.name}] {len(agent_sockets)} agents and {len(live)} customers connected"
            f" ({failed} failed) in {time.monotonic() - started:.1f}s; handing off",
            flush=True,
        )
        handing = time.monotonic()
        for index, customer in enumerate(live):
            await asyncio.sleep(max(0.0, handing + handoff_spread * index / len(live) - time.monotonic()))
            handoff_sent[customer.conversation_id] = time.monotonic()
            await customer.say(HANDOFF_TEXT, "handoff message")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in live)), ready_timeout)
        ready = sum(1 for c in live if c.ready.is_set())
        print(
            f"  [{target.name}] {ready}/{len(live)} conversations claimed and open after "
            f"{time.monotonic() - started:.1f}s; steady load for {duration:.0f}s"
            + ("" if ready == len(live) else " (the others chat once open)"),
            flush=True,
        )
        end = time.monotonic() + duration

        async def chat(customer: Customer) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(customer.ready.wait(), max(0.0, end - time.monotonic()))
            if not customer.ready.is_set():
                return
            await asyncio.sleep(random.uniform(0, interval))
            n = 0
            while time.monotonic() < end:
                n += 1
                await customer.say(f"Any news on order SP-{10000 + n}? ({n})", "relay customer -> agent")
                await asyncio.sleep(min(interval, max(0.0, end - time.monotonic())))

        await asyncio.gather(*(chat(c) for c in live))
        # Drain: wait while messages still arrive (a saturated server delivers late, which is not a
        # loss), and stop ``drain`` seconds after the last arrival or at ``drain_limit`` in all.
        drained, limit = time.monotonic(), time.monotonic() + drain_limit
        arrived = sum(tracker.seen.values())
        while time.monotonic() < min(limit, drained + drain):
            if not tracker.lost("relay customer -> agent") and not tracker.lost("relay agent -> customer"):
                break
            await asyncio.sleep(0.5)
            if sum(tracker.seen.values()) > arrived:
                arrived, drained = sum(tracker.seen.values()), time.monotonic()
        tracker.errors["handoff never reached its agent"] += len(handoff_sent)
        tracker.errors["conversation never opened"] += sum(1 for c in live if not c.ready.is_set())
    finally:
        ticker.cancel()
        for task in heartbeats:
            task.cancel()
        await asyncio.gather(*(s.close() for s in [*customers, *agent_sockets]))
    return tracker


async def bot_phase(target: Target, conversations: list[tuple[int, str]], timeout: float = 60) -> Tracker:
    """B customers each ask one knowledge question within about a second; the bot's answer is timed."""
    tracker = Tracker()
    started = time.monotonic()
    ticker = asyncio.create_task(progress(target.name + " bot", tracker, started))
    customers = [Customer(tracker, cid, token) for cid, token in conversations]
    try:
        await open_all(
            [(c, f"{target.base(i)}/ws/widget/?token={c.token}", {}) for i, c in enumerate(customers)]
        )
        live = [c for c in customers if c.ws is not None]
        await asyncio.sleep(1)
        for i, customer in enumerate(live):
            customer.question_at = time.monotonic()
            await customer.say(QUESTIONS[i % len(QUESTIONS)], "bot question")
            await asyncio.sleep(1 / max(1, len(live)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(c.bot_answered.wait() for c in live)), timeout)
        tracker.errors["bot never answered"] += sum(1 for c in live if not c.bot_answered.is_set())
    finally:
        ticker.cancel()
        await asyncio.gather(*(c.close() for c in customers))
    return tracker


async def storm_phase(target: Target, tokens: list[str], spread: float = 1.0) -> Tracker:
    """Open one socket per token within ``spread`` seconds; time the handshake and the ``hello`` frame."""
    tracker = Tracker()
    sockets: list[ClientConnection] = []

    async def one(index: int, token: str) -> None:
        await asyncio.sleep(spread * index / len(tokens))
        began = time.monotonic()
        try:
            ws = await connect(
                f"{target.base(index)}/ws/widget/?token={token}", open_timeout=OPEN_TIMEOUT, max_size=None
            )
        except Exception as exc:
            tracker.errors[f"storm open: {type(exc).__name__}"] += 1
            return
        sockets.append(ws)
        tracker.latencies["storm handshake"].append(time.monotonic() - began)
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), OPEN_TIMEOUT))
            if frame.get("type") == "hello":
                tracker.latencies["storm hello"].append(time.monotonic() - began)
            else:
                tracker.errors[f"storm first frame {frame.get('type')}"] += 1
        except Exception as exc:
            tracker.errors[f"storm hello: {type(exc).__name__}"] += 1

    try:
        await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))
        print(
            f"  [{target.name} storm] {len(tracker.latencies['storm handshake'])}/{len(tokens)} handshakes, "
            f"{len(tracker.latencies['storm hello'])} hellos",
            flush=True,
        )
    finally:

        async def close(ws: ClientConnection) -> None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)

        await asyncio.gather(*(close(ws) for ws in sockets))
    return tracker
