"""Helpers for the tests of every app: socket clients that talk to the real ASGI application."""

from __future__ import annotations

import json
from typing import Any

from channels.testing import WebsocketCommunicator

DEFAULT_TIMEOUT = 5


def asgi_app():
    from config.asgi import application

    return application


class Socket:
    """A JSON WebSocket client over ``WebsocketCommunicator`` with the waits tests need."""

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.comm = WebsocketCommunicator(
            asgi_app(), path, headers=headers or [(b"origin", b"http://testserver")]
        )

    async def connect(self) -> bool:
        connected, _ = await self.comm.connect(timeout=DEFAULT_TIMEOUT)
        return connected

    async def send(self, frame: Any) -> None:
        await self.comm.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def receive(self, timeout: float = DEFAULT_TIMEOUT) -> dict:
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def receive_until(
        self, predicate, timeout: float = DEFAULT_TIMEOUT, limit: int = 50
    ) -> tuple[dict, list]:
        """Frames up to and including the first that ``predicate`` accepts; fails after ``limit`` frames."""
        seen = []
        for _ in range(limit):
            frame = await self.receive(timeout)
            seen.append(frame)
            if predicate(frame):
                return frame, seen
        raise AssertionError(f"No matching frame in {seen!r}")

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def close_code(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        while True:
            output = await self.comm.receive_output(timeout)
            if output["type"] == "websocket.close":
                return output.get("code", 1000)

    async def disconnect(self) -> None:
        await self.comm.disconnect()


def widget_socket(token: str, last_seq: int | None = None) -> Socket:
    query = f"token={token}" + (f"&last_seq={last_seq}" if last_seq is not None else "")
    return Socket(f"/ws/widget/?{query}", headers=[(b"origin", b"https://shop.example")])


def agent_socket(session_key: str | None, origin: bytes = b"http://testserver") -> Socket:
    headers = [(b"origin", origin)]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return Socket("/ws/inbox/", headers=headers)


def session_key_for(user) -> str:
    """A logged-in Django session for ``user``, as the browser would hold it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def messages_of(frames: list[dict]) -> list[dict]:
    out = []
    for frame in frames:
        if frame["type"] == "messages":
            out.extend(frame["messages"])
        elif frame["type"] in ("message", "ack"):
            out.append(frame["message"])
    return out
