"""The widget in a real browser: embedded with the README's one line on a site of another origin, and
resuming after its socket drops. Screenshots go to ``artifacts/browser/``."""

import json
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection

from helpdesk.models import Conversation, Message
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server, static_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "How long does delivery take?"

# A customer's page whose own CSS would wreck a widget that shared the page's styles.
SHOP_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Acme Bikes shop</title>
  <style>
    * {{ font-family: "Comic Sans MS", cursive !important; color: #c00 !important; }}
    button {{ background: #ff0 !important; border-radius: 0 !important; }}
    ol, li {{ list-style: decimal !important; margin: 30px !important; }}
    textarea {{ height: 200px !important; }}
  </style>
</head>
<body>
  <h1>Acme Bikes</h1>
  <p>Our shop, on its own site.</p>
  {snippet}
</body>
</html>
"""


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


@pytest.fixture
def bot(make_tenant, make_bot, monkeypatch):
    bot = make_bot(make_tenant("acme", "Acme Bikes"), "Spoke")
    # Playwright's sync API keeps an event loop in this thread; the test's ORM calls run in it too.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return bot


@contextmanager
def _closing_its_connection():
    """ORM calls made while Playwright's sync API runs get a database connection of their own (its own
    context); close it at the end, or the test database cannot be dropped."""
    try:
        yield
    finally:
        connection.close()


def _wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def test_the_widget_works_on_a_site_of_another_origin_and_keeps_its_look(live_url, bot):
    from playwright.sync_api import expect, sync_playwright

    # The README's snippet, with data-open so the chat starts at once.
    snippet = (
        f'<script src="{live_url}/static/widget/widget.js" data-bot-key="{bot.public_key}" '
        'data-open="true" async></script>'
    )
    with static_site({"/": SHOP_PAGE.format(snippet=snippet)}) as shop, sync_playwright() as pw:
        assert urlparse(shop).netloc != urlparse(live_url).netloc
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        static_headers = {}
        page.on(
            "response",
            lambda r: (
                static_headers.update({urlparse(r.url).path: r.headers.get("access-control-allow-origin")})
                if "/static/" in r.url
                else None
            ),
        )
        page.goto(shop + "/")

        widget = page.locator("#helpdesk-widget")
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        expect(widget.locator(".m-customer")).to_have_text(QUESTION, timeout=10_000)
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=15_000)

        # The modules came cross-origin (CORS mode), so every one of them carried the header.
        assert static_headers == {
            "/static/widget/widget.js": "*",
            "/static/widget/chat.js": "*",
            "/static/shared/socket.js": "*",
            "/static/widget/widget.css": "*",
        }
        # The shop's CSS stops at the shadow root: the widget keeps its own colours, shape and font.
        launcher = widget.locator(".launcher").evaluate(
            "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.borderRadius, s.color] }"
        )
        assert launcher == ["rgb(47, 91, 211)", "50%", "rgb(255, 255, 255)"]
        message = widget.locator(".m-customer").evaluate(
            "el => { const s = getComputedStyle(el); return [s.color, s.fontFamily, s.marginLeft] }"
        )
        assert (message[0], "Comic" in message[1], message[2]) == ("rgb(255, 255, 255)", False, "0px")
        page.screenshot(path=str(ARTIFACTS / "widget-other-origin.png"))
        browser.close()


def test_a_dropped_widget_socket_resumes_without_losing_or_repeating_a_message(live_url, bot):
    """The server's frames are lost on the way (the ack and the bot's answer), then the socket drops: the
    widget reconnects from the last seq it shows, resends its unacknowledged message and shows every
    message once."""
    from playwright.sync_api import expect, sync_playwright

    sockets = []  # one per connection: the route, its URL, the frames each way
    losing = {"on": False}

    def route(ws):
        server = ws.connect_to_server()
        seen = {"route": ws, "url": ws.url, "sent": [], "received": []}
        sockets.append(seen)

        def page_to_server(message):
            seen["sent"].append(json.loads(message))
            server.send(message)

        def server_to_page(message):
            if losing["on"]:
                return
            seen["received"].append(json.loads(message))
            ws.send(message)

        ws.on_message(page_to_server)
        server.on_message(server_to_page)

    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        page.route_web_socket(lambda url: "/ws/widget/" in url, route)
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        expect(widget.locator(".panel")).to_have_attribute("data-connection", "open")
        conversation = Conversation.objects.get(bot=bot)

        losing["on"] = True
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        asked = _wait_for(
            lambda: Message.objects.filter(conversation=conversation, author_kind="customer").first()
        )
        _wait_for(
            lambda: Message.objects.filter(
                conversation=conversation, author_kind="bot", seq__gt=asked.seq
            ).exists()
        )
        expect(widget.locator(".m")).to_have_count(1)  # nothing of it reached the page

        sockets[0]["route"].close(code=1012, reason="restarting")
        losing["on"] = False
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=10_000)
        expect(widget.locator(".panel")).to_have_attribute("data-connection", "open")

        stored = list(
            Message.objects.filter(conversation=conversation, private=False)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        shown = [
            int(seq) for seq in widget.locator(".m").evaluate_all("els => els.map(el => el.dataset.seq)")
        ]
        assert shown == stored
        assert Message.objects.filter(conversation=conversation, body=QUESTION).count() == 1

        second = sockets[1]
        # Both times from the greeting (seq 1), the last message the page showed.
        assert [parse_qs(urlparse(s["url"]).query)["last_seq"] for s in sockets] == [["1"], ["1"]]
        resent = [f["client_msg_id"] for s in sockets for f in s["sent"] if f["type"] == "message"]
        assert len(resent) == 2 and resent[0] == resent[1]
        acks = [f for f in second["received"] if f["type"] == "ack"]
        assert [(a["client_msg_id"], a["duplicate"]) for a in acks] == [(resent[0], True)]
        page.screenshot(path=str(ARTIFACTS / "widget-resumed.png"))
        browser.close()
