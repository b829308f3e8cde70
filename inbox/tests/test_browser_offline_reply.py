"""An agent answers, in a real browser, a conversation that went to the offline path: the reply goes out
by email on its ticket and the thread says so, on a desktop (1280x800) and a phone (390x844).
Screenshots go to ``artifacts/browser/``."""

from __future__ import annotations

import pytest

from inbox.tests.test_browser_pages import VIEWPORTS, fits_the_screen, in_another_thread
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "A new wheel ships today, tracking to follow."


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


@pytest.fixture
def offline(make_tenant, make_bot, make_agent):
    """A customer the bot sent to the offline path (nobody online, continue by email), with their ticket."""
    from chatbot.services import customer_message_receive, widget_conversation_start
    from helpdesk.models import Conversation, OfflinePolicy
    from tests.support.db import every_tenant
    from tickets.models import Ticket

    bot = make_bot(make_tenant("acme"), require_agent_online=True, offline_policy=OfflinePolicy.EMAIL)
    make_agent(bot.tenant, "alice", name="Alice")
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    for i, text in enumerate(["Hi, my email is sam@example.org. My wheel is bent.", "can I talk to a human"]):
        customer_message_receive(conversation=conversation, text=text, client_msg_id=f"c{i}")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OFFLINE
    return conversation, every_tenant(Ticket).get(conversation=conversation)


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_a_reply_to_an_offline_conversation_goes_out_on_its_ticket(live_url, offline, screen):
    from playwright.sync_api import expect, sync_playwright

    from tests.support.db import every_tenant
    from tickets.models import TicketReply

    conversation, ticket = offline
    viewport = VIEWPORTS[screen]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=viewport, is_mobile=screen == "phone").new_page()
        page.goto(f"{live_url}/accounts/login/?next=/inbox/c/{conversation.pk}/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "pw-alice")
        page.click("button[type=submit]")
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)
        expect(page.locator("body")).to_contain_text(f"went to ticket {ticket.reference}")

        page.fill("#reply textarea[name=text]", REPLY)
        page.press("#reply textarea[name=text]", "Enter")
        sent = page.locator("#messages .relayed")
        expect(sent).to_have_text(f"Emailed to the customer on {ticket.reference}", timeout=10_000)
        expect(page.locator("#messages")).to_contain_text(REPLY)
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"offline-reply-{viewport['width']}.png"), full_page=True)

        replies = in_another_thread(
            lambda: list(
                every_tenant(TicketReply)
                .filter(ticket_id=ticket.pk, author_kind="agent")
                .values_list("body", flat=True)
            )
        )
        assert replies == [REPLY]
        page.reload()  # the mark stays with the message
        expect(page.locator("#messages .relayed")).to_have_text(
            f"Emailed to the customer on {ticket.reference}"
        )
        browser.close()
