"""The agents' pages in a real browser, on a desktop (1280x800) and a phone (390x844): labels in words, a
bot answer's formatting and sources, the thread following the newest message, reopening a resolved
conversation, times in the agent's own zone, and no page wider than the screen. Screenshots go to
``artifacts/browser/``."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AGENT_ZONE = "Asia/Kolkata"  # UTC+5:30: a time shown in UTC can never pass for it
STATUS_CODES = {"bot", "waiting", "assigned", "resolved", "offline"}
RICH_ANSWER = (
    "Two ways to return it:\n\n- bring it to **any shop**\n- send it back with the "
    "[return form](https://shop.example/returns/form)"
)
SOURCES = [
    {"title": "Returns policy", "url": "https://shop.example/returns"},
    {"title": "Shops", "url": "https://shop.example/shops"},
]
LONG_WORD = "SP-" + "1234567890" * 30
LONG_LINE = "My order https://shop.example/track?" + "&item=" * 200 + " never arrived " + "x" * 900


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


@pytest.fixture
def desk(make_tenant, make_bot, make_agent):
    """Acme's inbox: a conversation waiting for a person, one with Bob, a resolved one with a long
    history that ends with a formatted bot answer, and a ticket whose transcript has a very long line."""
    from chatbot.services import customer_message_receive
    from helpdesk.models import Conversation, Message
    from helpdesk.services import contact_create, conversation_start, message_create
    from inbox.services import conversation_claim, conversation_resolve
    from tickets.services import ticket_create_for_conversation

    tenant = make_tenant("acme", "Acme Bikes")
    bot = make_bot(tenant, "Spoke")
    alice, bob = make_agent(tenant, "alice", name="Alice"), make_agent(tenant, "bob", name="Bob")

    def start(name: str) -> Conversation:
        return conversation_start(
            tenant=tenant, bot_id=bot.pk, contact=contact_create(tenant=tenant, name=name)
        )

    waiting = start("Wendy Waiting")
    customer_message_receive(conversation=waiting, text="I want to talk to a human", client_msg_id="w1")
    with_bob = start("Bert Busy")
    customer_message_receive(conversation=with_bob, text="let me speak to a person", client_msg_id="b1")
    conversation_claim(membership=bob, conversation=with_bob)

    resolved = start("Rita Resolved")
    for i in range(1, 16):
        message_create(conversation=resolved, author_kind=Message.Author.CUSTOMER, body=f"Question {i}?")
        message_create(conversation=resolved, author_kind=Message.Author.BOT, body=f"Answer {i}.")
    message_create(
        conversation=resolved,
        author_kind=Message.Author.CUSTOMER,
        body=f"<b>not bold</b> and my order {LONG_WORD}",
    )
    message_create(
        conversation=resolved, author_kind=Message.Author.BOT, body=RICH_ANSWER, data={"sources": SOURCES}
    )
    conversation_resolve(membership=alice, conversation=resolved)

    ticketed = start("Theo Ticket")
    message_create(conversation=ticketed, author_kind=Message.Author.CUSTOMER, body=LONG_LINE)
    ticket, _ = ticket_create_for_conversation(conversation=ticketed, reason="sensitive_topic")
    return {"alice": alice, "waiting": waiting, "resolved": resolved, "ticket": ticket}


def in_another_thread(work):
    """Run ``work`` (ORM calls and services) on a thread of its own, as another process would, and return
    its result: this thread runs Playwright's event loop, where Django refuses synchronous database calls
    (and would leave a connection of its own open)."""
    from django.db import connection

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def fits_the_screen(page) -> None:
    """Nothing makes the page scroll sideways."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width}px wide on a {inner_width}px screen"


def thread_at_bottom(page) -> bool:
    return page.evaluate(
        "(() => { const m = document.getElementById('messages');"
        " return m.scrollHeight - m.scrollTop - m.clientHeight <= 2; })()"
    )


def local_clock(iso: str) -> tuple[int, int]:
    when = datetime.fromisoformat(iso).astimezone(ZoneInfo(AGENT_ZONE))
    return when.hour, when.minute


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_agents_pages_read_well_and_work_on_a_desktop_and_a_phone(live_url, desk, screen):
    from playwright.sync_api import expect, sync_playwright

    from helpdesk.models import Conversation, Message
    from helpdesk.services import message_create
    from tests.support.db import every_tenant

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewport = VIEWPORTS[screen]
    size = f"{viewport['width']}x{viewport['height']}"
    resolved_id, waiting_id = desk["resolved"].pk, desk["waiting"].pk
    first_time = every_tenant(Message).filter(conversation_id=resolved_id).order_by("seq").first().created_at

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=viewport,
            timezone_id=AGENT_ZONE,
            locale="en-GB",
            is_mobile=screen == "phone",
            has_touch=screen == "phone",
        )
        page = context.new_page()
        page.goto(f"{live_url}/accounts/login/?next=/inbox/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "pw-alice")
        page.click("button[type=submit]")
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)

        # The inbox: reasons and statuses in words.
        waiting_row = page.locator(f'[data-list="waiting"] [data-conversation-id="{waiting_id}"]')
        expect(waiting_row.locator(".badge")).to_have_text("Asked for a person")
        expect(waiting_row.locator(".status")).to_have_text(re.compile(r"^#1 · waiting \d+\s+minutes?$"))
        expect(
            page.locator('[data-list="open"] .conv-row', has_text="Bert Busy").locator(".status")
        ).to_have_text("Bob")
        statuses = page.locator(".conv-row .status").all_inner_texts()
        assert statuses and not set(statuses) & STATUS_CODES
        assert all("_" not in badge for badge in page.locator(".badge").all_inner_texts())
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"inbox-{size}.png"), full_page=True)

        # Rows that change live say the same words: Alice claims the waiting one in another tab...
        other = context.new_page()
        other.goto(f"{live_url}/inbox/c/{waiting_id}/")
        expect(other.locator("#claim")).to_be_enabled(timeout=10_000)
        other.click("#claim")
        expect(other.locator("#conv-status")).to_have_text("With an agent", timeout=10_000)
        mine = page.locator(f'[data-list="mine"] [data-conversation-id="{waiting_id}"]')
        expect(mine.locator(".status")).to_have_text("You", timeout=10_000)
        expect(mine.locator(".badge")).to_have_text("Asked for a person")
        expect(page.locator(f'[data-list="waiting"] [data-conversation-id="{waiting_id}"]')).to_have_count(0)
        # ... and hands it back to the bot.
        other.click("#handback")
        expect(other.locator("#conv-status")).to_have_text("With the bot", timeout=10_000)
        open_row = page.locator(f'[data-list="open"] [data-conversation-id="{waiting_id}"]')
        expect(open_row.locator(".status")).to_have_text("With the bot", timeout=10_000)
        assert not set(page.locator(".conv-row .status").all_inner_texts()) & STATUS_CODES
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"inbox-live-{size}.png"), full_page=True)
        other.close()

        # A resolved conversation: the formatted answer, its sources, the newest message in view.
        page.goto(f"{live_url}/inbox/c/{resolved_id}/")
        expect(page.locator("#reopen")).to_be_enabled(timeout=10_000)
        answer = page.locator("#messages .msg-bot").last
        expect(answer.locator(".body.rich ul > li")).to_have_count(2)
        expect(answer.locator(".body.rich strong")).to_have_text("any shop")
        expect(answer.locator('.body.rich a[href="https://shop.example/returns/form"]')).to_have_text(
            "return form"
        )
        expect(answer.locator('.sources a[href="https://shop.example/returns"]')).to_have_text(
            "Returns policy"
        )
        expect(answer.locator('.sources a[href="https://shop.example/shops"]')).to_have_text("Shops")
        customer = page.locator("#messages .msg-customer", has_text="not bold")
        expect(customer.locator(".body")).to_have_text(f"<b>not bold</b> and my order {LONG_WORD}")
        expect(customer.locator("b")).to_have_count(0)
        assert thread_at_bottom(page)
        # Times in the agent's zone, not the server's.
        first = page.locator("#messages .msg time").first
        hour, minute = local_clock(first.get_attribute("datetime"))
        assert first.get_attribute("datetime") == first_time.isoformat()
        expect(first).to_have_text(re.compile(rf"(^|\D)0?{hour}:{minute:02d}$"))
        # Resolved: Reopen, not Claim or Resolve.
        for name in ("claim", "handback", "resolve"):
            expect(page.locator(f"#{name}")).to_be_hidden()
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"conversation-resolved-{size}.png"))

        page.click("#reopen")
        expect(page.locator("#conv-status")).to_have_text("With an agent", timeout=10_000)
        expect(page.locator("#messages .msg").last).to_contain_text("Alice reopened the conversation")
        expect(page.locator("#reopen")).to_be_hidden()
        expect(page.locator("#resolve")).to_be_visible()
        expect(page.locator("#handback")).to_be_visible()
        expect(page.locator("#claim")).to_be_hidden()
        page.wait_for_function("document.getElementById('messages').scrollTop > 0")
        assert thread_at_bottom(page)
        reopened = in_another_thread(lambda: every_tenant(Conversation).get(pk=resolved_id))
        assert (reopened.status, reopened.assignee_id) == ("assigned", desk["alice"].user_id)

        # A bot answer arriving live: formatted, with its sources, and the thread follows it.
        in_another_thread(
            lambda: message_create(
                conversation=every_tenant(Conversation).get(pk=resolved_id),
                author_kind=Message.Author.BOT,
                body="Also:\n\n1. print the label\n2. see [tracking](https://shop.example/track)",
                data={"sources": [{"title": "Tracking", "url": "https://shop.example/track"}]},
            )
        )
        live_answer = page.locator("#messages .msg-bot").last
        expect(live_answer.locator(".body.rich ol > li")).to_have_count(2, timeout=10_000)
        expect(live_answer.locator('.body.rich a[href="https://shop.example/track"]')).to_have_text(
            "tracking"
        )
        expect(live_answer.locator('.sources a[href="https://shop.example/track"]')).to_have_text("Tracking")
        expect(live_answer.locator("time")).to_have_text(re.compile(r"\d:\d\d$"))
        page.wait_for_timeout(200)
        assert thread_at_bottom(page)

        # Scrolled up to read older messages, a new one does not pull the thread down: a button says so.
        page.evaluate("document.getElementById('messages').scrollTop = 0")
        in_another_thread(
            lambda: message_create(
                conversation=every_tenant(Conversation).get(pk=resolved_id),
                author_kind=Message.Author.CUSTOMER,
                body="<img src=x onerror=alert(1)> thanks!",
            )
        )
        expect(page.locator("#messages .msg-customer").last).to_contain_text(
            "<img src=x onerror=alert(1)> thanks!", timeout=10_000
        )
        expect(page.locator("#messages img")).to_have_count(0)
        expect(page.locator("#new-below")).to_be_visible()
        assert page.evaluate("document.getElementById('messages').scrollTop") == 0
        page.click("#new-below")
        page.wait_for_function(
            "(() => { const m = document.getElementById('messages');"
            " return m.scrollHeight - m.scrollTop - m.clientHeight <= 2; })()"
        )
        expect(page.locator("#new-below")).to_be_hidden()
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"conversation-reopened-{size}.png"))
        page.screenshot(path=str(ARTIFACTS / f"conversation-reopened-full-{size}.png"), full_page=True)

        # A ticket whose transcript has a very long line wraps it.
        page.goto(f"{live_url}/tickets/{desk['ticket'].number}/")
        expect(page.locator(".transcript")).to_contain_text("never arrived")
        expect(page.locator(".collected .badge")).to_have_text("Sensitive topic")
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"ticket-{size}.png"), full_page=True)

        page.goto(f"{live_url}/tickets/")
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"tickets-{size}.png"), full_page=True)
        browser.close()
