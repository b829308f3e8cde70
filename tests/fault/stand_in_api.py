"""A stand-in for the Anthropic Messages API on loopback, so faults of the model can be made on demand.

Modes: ``answer`` (a well-formed forced ``answer`` tool call, citing the first passage it was sent),
``hang`` (never answers until the mode changes or the server stops), ``429`` and ``529`` (the API's
rate-limit and overload errors). The product reaches it through ``ANTHROPIC_BASE_URL``.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERRORS = {
    "429": (429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    "529": (529, "overloaded_error", "Overloaded"),
}
PASSAGE_ID = re.compile(r'<passage id="([^"]+)"')
QUESTION = re.compile(r"<customer_message>\n(.*)\n</customer_message>", re.S)


def answer_body(request: dict) -> dict:
    texts = [
        block.get("text", "")
        for message in request.get("messages", [])
        for block in (message.get("content") or [])
        if isinstance(block, dict)
    ]
    joined = "\n".join(texts)
    question = QUESTION.findall(joined)
    passages = PASSAGE_ID.findall(joined)
    return {
        "id": f"msg_{uuid.uuid4().hex[:20]}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", "claude-sonnet-4-6"),
        "content": [
            {
                "type": "tool_use",
                "id": f"toolu_{uuid.uuid4().hex[:20]}",
                "name": "answer",
                "input": {
                    "answer": "Stand-in answer to: " + (question[-1][:80] if question else "your question"),
                    "confidence": 0.9,
                    "passage_ids": passages[:1],
                    "wants_human": False,
                    "collected": {},
                },
            }
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 120, "output_tokens": 30},
    }


class StandInApi:
    """Runs in a thread of the test process; ``mode`` may be changed at any time."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._mode = "answer"
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.requests = 0
        self.hanging = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - the base class's signature
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                with api._lock:
                    api.requests += 1
                    mode = api._mode
                    released = api._released
                if mode == "hang":
                    with api._lock:
                        api.hanging += 1
                    released.wait()
                    with api._lock:
                        api.hanging -= 1
                    mode = "529"
                if mode in ERRORS:
                    status, kind, text = ERRORS[mode]
                    body = {"type": "error", "error": {"type": kind, "message": text}}
                    self._reply(status, body, {"retry-after": "0"})
                    return
                try:
                    request = json.loads(raw)
                except ValueError:
                    request = {}
                self._reply(200, answer_body(request), {})

            def _reply(self, status: int, body: dict, headers: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", f"req_{uuid.uuid4().hex[:16]}")
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (its own timeout)

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="stand-in-api", daemon=True)

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Switch mode; requests hanging so far are released (they get a 529)."""
        if mode not in ("answer", "hang", *ERRORS):
            raise ValueError(mode)
        with self._lock:
            self._mode = mode
            old, self._released = self._released, threading.Event()
        old.set()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()
