"""A real browser on each side: a customer asks for a person in the widget, an agent sees it arrive live
in the inbox, opens it with the history and the reason, claims it and replies; the customer sees the
agent join and the reply. Screenshots of both sides go to ``artifacts/browser/``."""

import time

import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


def test_a_handoff_reaches_a_live_inbox_and_the_reply_reaches_the_customer(
    live_url, make_tenant, make_bot, make_agent, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    tenant = make_tenant("acme", "Acme Bikes")
    bot = make_bot(tenant, "Spoke")
    make_agent(tenant, "alice", name="Alice")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are done above.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        agent_page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
        customer_page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()

        agent_page.goto(f"{live_url}/accounts/login/?next=/inbox/")
        agent_page.fill("input[name=username]", "alice")
        agent_page.fill("input[name=password]", "pw-alice")
        agent_page.click("button[type=submit]")
        expect(agent_page.locator("#live-state")).to_have_text("Live", timeout=10_000)

        customer_page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = customer_page.locator("#helpdesk-widget")
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        widget.locator("textarea").fill("I want to talk to a human, my order is SP-12345")
        started = time.monotonic()
        widget.locator("textarea").press("Enter")

        row = agent_page.locator('[data-list="waiting"] .conv-row')
        expect(row).to_have_count(1, timeout=10_000)
        print(f"handoff visible in the inbox after {time.monotonic() - started:.3f}s")
        expect(row.locator(".badge")).to_have_text("Asked for a person")
        agent_page.screenshot(path=str(ARTIFACTS / "agent-inbox.png"))

        row.locator("a").click()
        expect(agent_page.locator("#messages")).to_contain_text("I want to talk to a human")
        expect(agent_page.locator("#messages")).to_contain_text(bot.greeting[:20])
        expect(agent_page.locator(".context .badge")).to_have_text("Asked for a person")
        expect(agent_page.locator("#collected")).to_contain_text("SP-12345")
        agent_page.click("#claim")
        expect(agent_page.locator("#conv-status")).to_have_text("With an agent", timeout=10_000)
        agent_page.fill("#reply textarea", "Hi, I'm Alice. Let me look at SP-12345.")
        agent_page.press("#reply textarea", "Enter")
        expect(agent_page.locator("#messages .msg-agent")).to_contain_text("Let me look at SP-12345")

        expect(widget.locator(".m-system")).to_contain_text("Alice joined", timeout=10_000)
        expect(widget.locator(".m-agent")).to_contain_text("Let me look at SP-12345", timeout=10_000)
        expect(widget.locator(".state")).to_contain_text("Alice")
        customer_page.screenshot(path=str(ARTIFACTS / "customer-widget.png"))
        agent_page.screenshot(path=str(ARTIFACTS / "agent-conversation.png"))
        browser.close()
