"""Connection storms: hundreds of widget sockets opening within one second, over both processes."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.fault.clients import HANDSHAKE_ERRORS, Widget, percentile

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(400)]

SPREAD_SECONDS = 1.0
HELLO_TIMEOUT = 60
STORMS = [300, 1000]


async def storm(live, tokens: list[str]) -> tuple[list[float], list[float], list[str]]:
    """Open one socket per token, started evenly over one second and alternating between the processes;
    returns the handshake times, the times to the backlog after ``hello``, and the failures."""
    widgets = [Widget(token, f"storm{i}") for i, token in enumerate(tokens)]
    handshakes: list[float] = []
    ready: list[float] = []
    failures: list[str] = []
    began = time.monotonic()

    async def one(i: int, widget: Widget) -> None:
        await asyncio.sleep(max(0.0, began + SPREAD_SECONDS * i / len(widgets) - time.monotonic()))
        started = time.monotonic()
        try:
            await widget.open(live.ws(i % 2), timeout=HELLO_TIMEOUT)
            handshakes.append(time.monotonic() - started)
            await widget.wait_for(lambda f: f["type"] == "hello", HELLO_TIMEOUT)
            await widget.wait_for(lambda f: f["type"] == "messages", HELLO_TIMEOUT)
            ready.append(time.monotonic() - started)
        except HANDSHAKE_ERRORS as exc:
            failures.append(f"{widget.name}: {type(exc).__name__}: {str(exc)[:100]}")

    await asyncio.gather(*(one(i, w) for i, w in enumerate(widgets)))
    await asyncio.gather(*(w.close() for w in widgets if w.ws is not None), return_exceptions=True)
    return handshakes, ready, failures


def figures(label: str, values: list[float]) -> str:
    return (
        f"{label} p50 {percentile(values, 0.5) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.0f} ms, max {max(values, default=0) * 1000:.0f} ms"
    )


@pytest.fixture(scope="module")
def visitors(stack) -> list[str]:
    """Tokens of 1,000 visitors' conversations, shared by both storms (the first one closes its sockets)."""
    started = time.monotonic()
    tokens = stack.widget_tokens(max(STORMS))
    print(f"[harness] {len(tokens)} conversations opened in {time.monotonic() - started:.1f}s")
    return tokens


@pytest.mark.parametrize("sockets", STORMS)
async def test_a_storm_of_widget_sockets_has_no_failed_handshake(live, visitors, sockets):
    # Given that many visitors with their tokens
    tokens = visitors[:sockets]

    # When they all connect within one second, half to each process
    started = time.monotonic()
    handshakes, ready, failures = await storm(live, tokens)
    took = time.monotonic() - started

    # Then every handshake succeeds and every socket gets its hello and backlog
    print(f"{sockets} sockets in {took:.1f}s: {len(handshakes)} handshakes, {len(ready)} ready")
    print(figures("handshake", handshakes))
    print(figures("hello + backlog", ready))
    print(f"failures ({len(failures)}): {failures[:10]}")
    assert failures == []
    assert (len(handshakes), len(ready)) == (sockets, sockets)
