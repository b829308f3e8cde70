"""Real WebSocket clients (the ``websockets`` library) that speak the widget's and the inbox's protocol.

A client keeps every frame it received with the time it arrived, and every message ``seq`` delivered to
it in ``messages``/``message`` frames (acks are confirmations, not deliveries), across reconnects, so
tests can check for gaps and duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

OPEN_TIMEOUT = 30


def carries_message_from(frame: dict, kinds: tuple[str, ...]) -> bool:
    """Whether ``frame`` brings the customer a message by one of ``kinds`` (other than the greeting): a live
    ``message`` frame, or a ``messages`` page, which is how a socket gets what was stored before it joined
    the conversation's group (a bot answering a visitor's first message can be that quick)."""
    if frame["type"] == "message":
        messages = [frame["message"]]
    elif frame["type"] == "messages":
        messages = frame["messages"]
    else:
        return False
    return any(m["author_kind"] in kinds and not (m.get("data") or {}).get("greeting") for m in messages)


class Closed(Exception):
    """The socket closed while a frame was awaited."""


class JsonSocket:
    path = ""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.frames: list[tuple[float, dict]] = []
        self.delivered: list[int] = []
        self.last_seq = 0
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task | None = None
        self.changed = asyncio.Event()
        self.close_code: int | None = None
        self.sessions = 0

    # Connection -----------------------------------------------------------------------------------

    def url(self, base: str, **query: Any) -> str:
        raise NotImplementedError

    def connect_kwargs(self, base: str) -> dict:
        return {}

    async def open(self, base: str, timeout: float = OPEN_TIMEOUT, **query: Any) -> None:
        self.ws = await connect(
            self.url(base, **query),
            open_timeout=timeout,
            max_size=None,
            ping_interval=20,
            ping_timeout=20,
            **self.connect_kwargs(base),
        )
        self.close_code = None
        self.sessions += 1
        self.reader = asyncio.create_task(self._read(self.ws))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                frame = {"type": "_binary", "size": len(raw)} if isinstance(raw, bytes) else json.loads(raw)
                self._record(frame)
        except ConnectionClosed:
            pass
        finally:
            if ws is self.ws:
                self.close_code = ws.close_code if ws.close_code is not None else 1006
            self.changed.set()

    def _record(self, frame: dict) -> None:
        self.frames.append((time.monotonic(), frame))
        messages = []
        if frame.get("type") == "messages":
            messages = frame.get("messages") or []
        elif frame.get("type") == "message":
            messages = [frame["message"]]
        for message in messages:
            self.delivered.append(message["seq"])
            self.last_seq = max(self.last_seq, message["seq"])
        self.changed.set()

    @property
    def is_open(self) -> bool:
        return self.ws is not None and self.close_code is None

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)

    def abandon(self) -> None:
        """Forget the socket without a closing handshake (its server died)."""
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            self.ws.transport.abort()
        self.close_code = 1006

    # Frames ---------------------------------------------------------------------------------------

    async def send(self, frame: Any) -> None:
        if isinstance(frame, bytes | str):
            await self.ws.send(frame)
        else:
            await self.ws.send(json.dumps(frame))

    def mark(self) -> int:
        return len(self.frames)

    async def wait_for(self, predicate, timeout: float, after: int = 0) -> dict:
        """The first frame from index ``after`` that ``predicate`` accepts; TimeoutError or Closed if none."""
        deadline = time.monotonic() + timeout
        index = after
        while True:
            while index < len(self.frames):
                frame = self.frames[index][1]
                index += 1
                if predicate(frame):
                    return frame
            if not self.is_open:
                raise Closed(f"{self.name}: closed with {self.close_code}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: no matching frame within {timeout}s")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    async def wait_closed(self, timeout: float) -> int | None:
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=timeout)
        return self.close_code

    def duplicates(self) -> list[int]:
        seen, dupes = set(), []
        for seq in self.delivered:
            if seq in seen:
                dupes.append(seq)
            seen.add(seq)
        return dupes


class Widget(JsonSocket):
    """A visitor's socket. A new visitor's token names no conversation; their first message starts it and
    the server answers with a ``session`` frame whose token this client keeps for its reconnects, as the
    widget does. ``conversation_id`` is known from then on (or from ``hello``, for a token that names one).
    """

    def __init__(self, token: str, name: str = "") -> None:
        super().__init__(name)
        self.token = token
        self.conversation_id: int | None = None

    def _record(self, frame: dict) -> None:
        if frame.get("type") == "session":
            self.token = frame["token"]
            self.conversation_id = frame["conversation_id"]
        elif frame.get("type") == "hello" and frame.get("conversation_id") is not None:
            self.conversation_id = frame["conversation_id"]
        super()._record(frame)

    def url(self, base: str, **query: Any) -> str:
        extra = "".join(f"&{key}={value}" for key, value in query.items())
        return f"{base}/ws/widget/?token={self.token}{extra}"

    def connect_kwargs(self, base: str) -> dict:
        return {"origin": "https://shop.example"}

    async def join(self, base: str, timeout: float = OPEN_TIMEOUT, resume: bool = True) -> dict:
        """Open the socket (resuming after the last seq seen) and wait for hello and the backlog."""
        mark = self.mark()
        query = {"last_seq": self.last_seq} if resume and self.last_seq else {}
        await self.open(base, timeout=timeout, **query)
        hello = await self.wait_for(lambda f: f["type"] in ("hello", "error"), timeout, mark)
        if hello["type"] == "hello":
            await self.wait_for(lambda f: f["type"] == "messages", timeout, mark)
        return hello

    async def say(self, text: str, client_msg_id: str, timeout: float = 10) -> dict:
        """Send a message and return its ack (or the error frame that answered it)."""
        mark = self.mark()
        await self.send({"type": "message", "text": text, "client_msg_id": client_msg_id})
        return await self.wait_for(
            lambda f: (
                (f["type"] == "ack" and f.get("client_msg_id") == client_msg_id)
                or (f["type"] == "error" and f.get("ref") in (client_msg_id, None))
            ),
            timeout,
            mark,
        )


class Agent(JsonSocket):
    def __init__(self, session_key: str, name: str = "") -> None:
        super().__init__(name)
        self.session_key = session_key

    def url(self, base: str, **query: Any) -> str:
        return f"{base}/ws/inbox/"

    def connect_kwargs(self, base: str) -> dict:
        return {
            "origin": base.replace("ws://", "http://"),
            "additional_headers": {"Cookie": f"sessionid={self.session_key}"},
        }

    async def join(self, base: str, timeout: float = OPEN_TIMEOUT) -> dict:
        mark = self.mark()
        await self.open(base, timeout=timeout)
        return await self.wait_for(lambda f: f["type"] in ("hello", "error"), timeout, mark)

    async def ping(self, timeout: float = 10) -> dict:
        mark = self.mark()
        await self.send({"type": "ping", "idle": False})
        return await self.wait_for(lambda f: f["type"] in ("pong", "error"), timeout, mark)


HANDSHAKE_ERRORS = (OSError, InvalidHandshake, InvalidStatus, TimeoutError, ConnectionClosed, Closed)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
