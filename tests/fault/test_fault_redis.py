"""Redis (channel layer, broker, cache) stops for three seconds in the middle of live conversations."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from tests.fault.accounting import accounts, last_seq, public_seqs
from tests.fault.clients import Closed, Widget, carries_message_from
from tests.fault.harness import BOT_TURN_WATCHDOG_SECONDS, HOUSEKEEPING_INTERVAL_SECONDS

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(400)]

OUTAGE_SECONDS = 3
RESUME_BOUND = 10
QUESTIONS = [
    "How long does delivery take?",
    "Can I return an unused helmet?",
    "How much does a standard service cost?",
    "How do I pick a frame size?",
    "When do accessories arrive?",
    "Is brake adjustment part of the service?",
    "Can I return a bike after three weeks?",
    "Do you deliver bikes quickly?",
]


def delivers(frame: dict) -> bool:
    """A frame the server pushed with messages in it: a live ``message``, or a ``messages`` batch sent
    on its own (the customers here never reconnect without it showing in ``reconnects``)."""
    return frame["type"] == "message" or (frame["type"] == "messages" and bool(frame.get("messages")))


def is_bot_message(frame: dict) -> bool:
    return carries_message_from(frame, ("bot", "system"))


class Customer:
    """A widget that behaves like the real one: a message not acknowledged is sent again with the same
    client_msg_id, and a closed socket is reopened (on either process) resuming from its last seq."""

    def __init__(self, name: str, token: str, home: int) -> None:
        self.name = name
        self.widget = Widget(token, name)
        self.home = home
        self.attempted: list[str] = []
        self.acked: set[str] = set()
        self.errors: list[dict] = []
        self.reconnects = 0

    @property
    def conversation_id(self) -> int | None:
        """Known once the first message started the conversation."""
        return self.widget.conversation_id

    async def ensure_open(self, live) -> None:
        if self.widget.is_open:
            return
        for attempt in range(20):
            try:
                await self.widget.join(live.ws((self.home + attempt) % 2), timeout=5)
                self.reconnects += 1
                return
            except Exception:
                await asyncio.sleep(0.5)

    async def say(self, text: str, cid: str, timeout: float = 3) -> None:
        if cid not in self.attempted:
            self.attempted.append(cid)
        if not self.widget.is_open:
            return
        try:
            frame = await self.widget.say(text, cid, timeout=timeout)
        except (TimeoutError, Closed, OSError) as exc:
            self.errors.append({"cid": cid, "exception": type(exc).__name__})
            return
        except Exception as exc:  # the socket broke under the send
            self.errors.append({"cid": cid, "exception": type(exc).__name__})
            return
        if frame["type"] == "ack":
            self.acked.add(cid)
        else:
            self.errors.append(frame)

    async def resend_unacked(self, live, texts: dict[str, str], deadline: float) -> None:
        while time.monotonic() < deadline and set(self.attempted) - self.acked:
            await self.ensure_open(live)
            for cid in [c for c in self.attempted if c not in self.acked]:
                await self.say(texts[cid], cid)
            if set(self.attempted) - self.acked:
                await asyncio.sleep(0.5)


async def test_redis_stopped_for_three_seconds_loses_no_message_and_answers_each_once(live):
    from helpdesk.events import conversation_group

    # Given four customers, two on each process, each with an answered question
    customers = []
    for i in range(4):
        session = live.widget_session(index=i % 2)
        customer = Customer(f"customer{i + 1}", session["token"], i % 2)
        await customer.widget.join(live.ws(i % 2))
        customers.append(customer)
    texts: dict[str, str] = {}

    def text_for(customer: Customer, n: int) -> tuple[str, str]:
        cid = f"{customer.name}-m{n}"
        texts[cid] = f"{QUESTIONS[(n + int(customer.name[-1])) % len(QUESTIONS)]} (ref {cid})"
        return texts[cid], cid

    marks = {c.name: c.widget.mark() for c in customers}
    await asyncio.gather(*(c.say(*text_for(c, 1), timeout=10) for c in customers))
    await asyncio.gather(*(c.widget.wait_for(is_bot_message, 30, marks[c.name]) for c in customers))
    # ... and one more question each, still in flight when Redis goes
    await asyncio.gather(*(c.say(*text_for(c, 2), timeout=10) for c in customers))
    assert all(c.acked == {f"{c.name}-m1", f"{c.name}-m2"} for c in customers)

    # When Redis is killed for three seconds while they keep writing, once a second
    live.redis_stop(signal.SIGKILL)
    stopped_at = time.monotonic()

    async def during(customer: Customer) -> None:
        for n in (3, 4, 5):
            await customer.say(*text_for(customer, n), timeout=0.9)
            await asyncio.sleep(max(0.0, stopped_at + (n - 2) - time.monotonic()))

    await asyncio.gather(*(during(c) for c in customers))
    await asyncio.sleep(max(0.0, stopped_at + OUTAGE_SECONDS - time.monotonic()))
    live.redis.start()
    back_at = time.monotonic()
    marks = {c.name: c.widget.mark() for c in customers}
    print(f"Redis down for {back_at - stopped_at:.1f}s")

    # ... and after it is back each customer writes again (reopening a closed socket as the widget does)
    for customer in customers:
        await customer.ensure_open(live)
    await asyncio.gather(*(c.say(*text_for(c, 6), timeout=10) for c in customers))
    await asyncio.gather(*(c.resend_unacked(live, texts, back_at + 20) for c in customers))

    # Then live delivery resumes on every customer's socket within 10 s of Redis being back
    resumed_after = {}
    for customer in customers:
        try:
            await customer.widget.wait_for(
                delivers,
                max(0.1, back_at + RESUME_BOUND + 5 - time.monotonic()),
                marks[customer.name],
            )
        except (TimeoutError, Closed):
            resumed_after[customer.name] = None
            continue
        first = next(t for t, f in customer.widget.frames[marks[customer.name] :] if delivers(f))
        resumed_after[customer.name] = round(first - back_at, 2)
    print(f"live delivery resumed after (s): {resumed_after}")
    print(
        "frames since Redis came back: "
        + str({c.name: [f["type"] for _, f in c.widget.frames[marks[c.name] :]] for c in customers})
    )
    print(
        "subscribers of each conversation's group: "
        + str(
            {
                c.name: live.group_size(conversation_group(live.seed.tenant_id, c.conversation_id))
                for c in customers
            }
        )
    )
    print(f"reconnects: { {c.name: c.reconnects for c in customers} }")
    print(f"send errors: { {c.name: c.errors for c in customers} }")

    # And every stored customer message is answered once or handed off, none lost, none answered twice
    bound = BOT_TURN_WATCHDOG_SECONDS + 2 * HOUSEKEEPING_INTERVAL_SECONDS + 10
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if all(a.settled for c in customers for a in accounts(live.database, c.conversation_id)):
            break
        await asyncio.sleep(0.5)
    for customer in customers:
        rows = accounts(live.database, customer.conversation_id)
        print(
            f"{customer.name}: "
            + ", ".join(f"{a.client_msg_id}:{a.answers}{'H' if a.handed else ''}" for a in rows)
        )
    for customer in customers:
        rows = accounts(live.database, customer.conversation_id)
        assert sorted(a.client_msg_id for a in rows) == sorted(customer.attempted)
        assert set(customer.attempted) == customer.acked
        assert [a.client_msg_id for a in rows if a.answers > 1] == []
        assert [a.client_msg_id for a in rows if not a.settled] == []
    assert all(after is not None and after <= RESUME_BOUND for after in resumed_after.values())

    # And each socket has every message of its conversation, without a gap or a duplicate
    for customer in customers:
        visible = public_seqs(live.database, customer.conversation_id)
        settle = time.monotonic() + 10
        while customer.widget.last_seq < visible[-1] and time.monotonic() < settle:
            await asyncio.sleep(0.2)
        newest = last_seq(live.database, customer.conversation_id)
        print(f"{customer.name}: delivered {customer.widget.delivered} (conversation at {newest})")
        assert customer.widget.duplicates() == []
        assert sorted(customer.widget.delivered) == visible
    for customer in customers:
        await customer.widget.close()
