"""The widget in a real browser: embedded with the README's one line on a site of another origin,
storing nothing until the visitor writes, resuming after its socket drops, opened and closed by mouse and
keyboard, telling of answers that came while it was closed, showing the bot's formatting, and on a phone.
Screenshots go to ``artifacts/browser/``."""

import json
import re
import time
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from helpdesk.models import Contact, Conversation, Message
from helpdesk.services import message_create
from helpdesk.visitor_tokens import visitor_token_read
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server, static_site
from tests.support.db import every_tenant

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


def _stored_rows() -> tuple[int, int, int]:
    return every_tenant(Conversation).count(), every_tenant(Contact).count(), every_tenant(Message).count()


def _saved(page, bot) -> dict:
    """What the widget keeps in the site's localStorage."""
    return json.loads(
        page.evaluate(f"() => localStorage.getItem('helpdesk-widget:{bot.public_key}')") or "{}"
    )


def test_the_widget_works_on_a_site_of_another_origin_and_keeps_its_look(live_url, bot):
    from playwright.sync_api import expect, sync_playwright

    # The README's snippet, with data-open so the chat starts at once.
    snippet = (
        f'<script src="{live_url}/static/widget/widget.js" data-bot-key="{bot.public_key}" '
        'data-open="true" async></script>'
    )
    with (
        static_site({"/": SHOP_PAGE.format(snippet=snippet)}) as shop,
        sync_playwright() as pw,
        _closing_its_connection(),
    ):
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

        # Open, with the greeting and a live socket, and nothing stored: no conversation, contact or message
        widget = page.locator("#helpdesk-widget")
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        expect(widget.locator(".panel")).to_have_attribute("data-connection", "open")
        assert _stored_rows() == (0, 0, 0)
        first = _saved(page, bot)
        assert first["conversation_id"] is None and visitor_token_read(first["token"]).pending

        # The first message starts the conversation: the greeting at seq 1, the question at seq 2
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        expect(widget.locator(".m-customer .text")).to_have_text(QUESTION, timeout=10_000)
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=15_000)
        conversation = every_tenant(Conversation).get(bot=bot)
        assert list(conversation.messages.order_by("seq").values_list("seq", "author_kind", "body")[:2]) == [
            (1, "bot", bot.greeting),
            (2, "customer", QUESTION),
        ]
        shown = widget.locator(".m").evaluate_all("els => els.map(el => Number(el.dataset.seq))")
        assert shown == [1, 2, 3]  # the stored greeting took the place of the one shown before

        # The modules came cross-origin (CORS mode), so every one of them carried the header.
        assert static_headers == {
            "/static/widget/widget.js": "*",
            "/static/widget/chat.js": "*",
            "/static/shared/socket.js": "*",
            "/static/shared/i18n.js": "*",
            "/static/widget/attachments.js": "*",
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

        # ... and the widget keeps the conversation's token, which the next page resumes with
        kept = _saved(page, bot)
        assert kept["conversation_id"] == conversation.pk
        assert visitor_token_read(kept["token"]).conversation_id == conversation.pk
        page.reload()
        expect(widget.locator(".m-customer .text")).to_have_text(QUESTION, timeout=10_000)
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days")
        assert every_tenant(Conversation).count() == 1
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

        losing["on"] = True
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        conversation = _wait_for(lambda: every_tenant(Conversation).filter(bot=bot).first())
        asked = _wait_for(
            lambda: every_tenant(Message).filter(conversation=conversation, author_kind="customer").first()
        )
        _wait_for(
            lambda: (
                every_tenant(Message)
                .filter(conversation=conversation, author_kind="bot", seq__gt=asked.seq)
                .exists()
            )
        )
        expect(widget.locator(".m")).to_have_count(
            1
        )  # nothing of it reached the page, not even the new token

        sockets[0]["route"].close(code=1012, reason="restarting")
        losing["on"] = False
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=10_000)
        expect(widget.locator(".panel")).to_have_attribute("data-connection", "open")

        stored = list(
            every_tenant(Message)
            .filter(conversation=conversation, private=False)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        shown = [
            int(seq) for seq in widget.locator(".m").evaluate_all("els => els.map(el => el.dataset.seq)")
        ]
        assert shown == stored
        assert every_tenant(Message).filter(conversation=conversation, body=QUESTION).count() == 1

        second = sockets[1]
        # Both times from 0: the page had shown nothing stored (its greeting came with the session), and
        # both times with the first token, since the frame with the conversation's token was lost.
        queries = [parse_qs(urlparse(s["url"]).query) for s in sockets]
        assert [q["last_seq"] for q in queries] == [["0"], ["0"]]
        assert queries[0]["token"] == queries[1]["token"]
        resent = [f["client_msg_id"] for s in sockets for f in s["sent"] if f["type"] == "message"]
        assert len(resent) == 2 and resent[0] == resent[1]
        acks = [f for f in second["received"] if f["type"] == "ack"]
        assert [(a["client_msg_id"], a["duplicate"]) for a in acks] == [(resent[0], True)]
        # The reconnect found the conversation the lost message started, and the page now keeps its token
        assert [f["conversation_id"] for f in second["received"] if f["type"] == "session"] == [
            conversation.pk
        ]
        assert _saved(page, bot)["conversation_id"] == conversation.pk
        assert every_tenant(Conversation).count() == 1
        page.screenshot(path=str(ARTIFACTS / "widget-resumed.png"))
        browser.close()


# The shadow root's focused element, by class: where keyboard focus is inside the widget.
FOCUSED = "host => host.shadowRoot.activeElement && host.shadowRoot.activeElement.className"
ZONE = "Europe/Berlin"


def _clock(moment: datetime) -> re.Pattern:
    """How a browser in ZONE with the en-GB locale shows a time: 24-hour, "14:05" (the hour's leading zero
    depends on the browser's locale data: "1:05" or "01:05")."""
    local = moment.astimezone(ZoneInfo(ZONE))
    return re.compile(rf"^0?{local.hour}:{local.minute:02d}$")


def test_the_launcher_and_the_close_button_open_and_close_the_panel_and_escape_returns_focus(live_url, bot):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1100, "height": 800}, locale="en-GB", timezone_id=ZONE
        )
        page = context.new_page()
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        launcher, panel = widget.locator(".launcher"), widget.locator(".panel")

        # The demo page starts it open, the header saying the connection; once the customer writes, every
        # message shows its local time (the greeting's is when the conversation started).
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        expect(widget.locator(".conn")).to_have_attribute("data-state", "open")
        expect(widget.locator(".conn-text")).to_have_text("Connected")
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=15_000)
        conversation = Conversation.objects.for_tenant(bot.tenant_id).get(bot=bot)
        greeting = conversation.messages.get(seq=1)
        expect(widget.locator(".m-bot time").first).to_have_text(_clock(greeting.created_at))
        assert re.fullmatch(r"\d{1,2}:\d\d", widget.locator(".m-bot time").first.inner_text())
        asked = conversation.messages.get(body=QUESTION)
        expect(widget.locator(".m-customer time")).to_have_text(_clock(asked.created_at))

        # A chat bubble, not a character, on the launcher.
        assert launcher.evaluate("el => !!el.querySelector('svg') && el.textContent.trim() === ''")
        expect(launcher).to_have_attribute("aria-expanded", "true")
        page.screenshot(path=str(ARTIFACTS / "widget-desktop-open.png"))

        widget.locator(".close").click()
        expect(panel).to_be_hidden()
        expect(launcher).to_have_attribute("aria-expanded", "false")
        expect(launcher).to_have_attribute("aria-label", "Open chat")
        assert widget.evaluate(FOCUSED) == "launcher"

        launcher.click()
        expect(panel).to_be_visible()
        assert widget.evaluate(FOCUSED) == ""  # the message box (a textarea has no class)
        assert widget.evaluate("host => host.shadowRoot.activeElement.tagName") == "TEXTAREA"
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        assert widget.evaluate(FOCUSED) == "launcher"
        page.screenshot(path=str(ARTIFACTS / "widget-desktop-closed.png"))

        launcher.click()  # the launcher closes what it opened, too
        expect(panel).to_be_visible()
        launcher.click()
        expect(panel).to_be_hidden()

        # No network on the device: the panel says so, and says when it is back.
        launcher.click()
        context.set_offline(True)
        expect(widget.locator(".conn-text")).to_have_text("Offline")
        expect(widget.locator(".conn")).to_have_attribute("data-state", "offline")
        context.set_offline(False)
        expect(widget.locator(".conn-text")).to_have_text("Connected", timeout=10_000)
        browser.close()


def test_an_answer_that_arrives_while_the_panel_is_closed_shows_a_badge_on_the_launcher(live_url, bot):
    """The server's frames are held back while the customer closes the panel, then delivered: the bot's
    answer arrives with the panel closed."""
    from playwright.sync_api import expect, sync_playwright

    held = {"on": False, "frames": []}

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(server.send)

        def server_to_page(message):
            if held["on"]:
                held["frames"].append(message)
            else:
                ws.send(message)

        server.on_message(server_to_page)
        held["release"] = lambda: [ws.send(frame) for frame in held["frames"]]

    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        page.route_web_socket(lambda url: "/ws/widget/" in url, route)
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        launcher, badge = widget.locator(".launcher"), widget.locator(".badge")
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        expect(widget.locator(".panel")).to_have_attribute("data-connection", "open")
        expect(badge).to_be_hidden()

        held["on"] = True
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        page.keyboard.press("Escape")
        expect(widget.locator(".panel")).to_be_hidden()
        conversation = _wait_for(
            lambda: Conversation.objects.for_tenant(bot.tenant_id).filter(bot=bot).first()
        )
        _wait_for(lambda: conversation.messages.filter(author_kind="bot", seq__gt=1).exists())
        held["on"] = False
        held["release"]()

        # The customer's own message (its ack) is not news; the bot's answer is.
        expect(badge).to_be_visible(timeout=10_000)
        expect(badge).to_have_text("1")
        expect(launcher).to_have_attribute("aria-label", "Open chat, 1 new message")
        page.screenshot(path=str(ARTIFACTS / "widget-unread-badge.png"))

        launcher.click()
        expect(badge).to_be_hidden()
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days")
        expect(launcher).to_have_attribute("aria-label", "Close chat")
        browser.close()


def test_the_bots_markdown_shows_as_formatting_and_nobody_elses_text_does(live_url, bot):
    from playwright.sync_api import expect, sync_playwright

    customer_text = "**not bold** <b>nor this</b> <img src=x onerror=\"document.title='owned'\">"
    answer = (
        "Returns are **free** within 30 days:\n\n"
        "1. Pack the bike\n2. Print the label from `My orders`\n\n"
        "See [our returns page](https://shop.example/returns). "
        "<script>document.title='owned'</script> [click](javascript:document.title='owned')"
    )
    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        widget.locator("textarea").fill(customer_text)
        widget.locator("textarea").press("Enter")
        expect(widget.locator(".m-customer .text")).to_have_text(customer_text, timeout=10_000)
        conversation = Conversation.objects.for_tenant(bot.tenant_id).get(bot=bot)
        _wait_for(lambda: conversation.messages.filter(author_kind="bot", seq__gt=2).exists())
        message_create(
            conversation=conversation,
            author_kind=Message.Author.BOT,
            body=answer,
            data={"sources": [{"title": "Returns", "url": "https://shop.example/returns"}]},
        )
        page.reload()  # the same conversation, from the saved token; its history has the new answer

        rich = widget.locator(".m-bot .text.rich").last
        expect(rich.locator("strong")).to_have_text("free", timeout=10_000)
        expect(rich.locator("ol > li")).to_have_text(["Pack the bike", "Print the label from My orders"])
        expect(rich.locator("code")).to_have_text("My orders")
        link = rich.locator("a")
        expect(link).to_have_count(1)
        expect(link).to_have_text("our returns page")
        expect(link).to_have_attribute("href", "https://shop.example/returns")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
        expect(rich).to_contain_text("<script>document.title='owned'</script>")
        expect(rich).to_contain_text("[click](javascript:")
        source = widget.locator(".m-bot .sources a").last
        expect(source).to_have_text("Returns")
        expect(source).to_have_attribute("href", "https://shop.example/returns")

        # The customer's Markdown and HTML stayed text: no element came of it, and nothing ran.
        customer = widget.locator(".m-customer .text")
        expect(customer).to_have_text(customer_text)
        assert customer.evaluate("el => el.children.length") == 0
        assert widget.evaluate("host => host.shadowRoot.querySelectorAll('script, img').length") == 0
        assert page.title() != "owned"
        page.screenshot(path=str(ARTIFACTS / "widget-formatting.png"))
        browser.close()


# A stand-in for the browser's visual viewport whose height a test sets, as an on-screen keyboard does.
FAKE_VISUAL_VIEWPORT = """
(() => {
  let keyboard = 0;
  const viewport = new EventTarget();
  Object.defineProperties(viewport, {
    height: { get: () => window.innerHeight - keyboard },
    width: { get: () => window.innerWidth },
    offsetTop: { get: () => 0 },
  });
  window.visualViewport = viewport;
  window.__showKeyboard = (height) => {
    keyboard = height;
    viewport.dispatchEvent(new Event("resize"));
  };
})();
"""


def _inside(box: dict, width: int, height: int) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )


def test_on_a_phone_the_panel_fills_the_screen_and_the_message_box_stays_in_view(live_url, bot):
    from playwright.sync_api import expect, sync_playwright

    width, height = 390, 844
    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.add_init_script(FAKE_VISUAL_VIEWPORT)
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        launcher, panel = widget.locator(".launcher"), widget.locator(".panel")

        # The demo page fits the phone's width, and the widget waits closed: a full-screen panel at once
        # would hide the whole site.
        expect(launcher).to_be_visible(timeout=10_000)
        expect(panel).to_be_hidden()
        scroll = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
        )
        assert scroll[0] <= scroll[2] and scroll[1] <= scroll[2], scroll
        page.mouse.wheel(300, 0)
        assert page.evaluate("() => window.scrollX") == 0
        assert _inside(launcher.bounding_box(), width, height)
        page.screenshot(path=str(ARTIFACTS / "widget-phone-closed.png"))

        launcher.tap()
        expect(widget.locator(".m-bot").first).to_contain_text(bot.greeting[:20], timeout=10_000)
        panel.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")  # its slide-in
        assert panel.bounding_box() == {"x": 0, "y": 0, "width": width, "height": height}
        for part in ("textarea", ".send", ".close"):
            assert _inside(widget.locator(part).bounding_box(), width, height), part
        widget.locator("textarea").fill(QUESTION)
        widget.locator(".send").tap()
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "widget-phone-open.png"))

        # The keyboard takes 340 px: the panel shrinks to what is left, the box and Send stay above it.
        page.evaluate("() => window.__showKeyboard(340)")
        visible = height - 340
        expect(panel).to_have_css("height", f"{visible}px")
        for part in ("textarea", ".send", ".close"):
            assert _inside(widget.locator(part).bounding_box(), width, visible), part
        page.screenshot(path=str(ARTIFACTS / "widget-phone-keyboard.png"))

        widget.locator(".close").tap()
        expect(panel).to_be_hidden()
        expect(launcher).to_be_visible()
        assert widget.evaluate(FOCUSED) == "launcher"
        browser.close()


def test_a_resolved_conversation_asks_for_a_rating_and_takes_it(live_url, bot):
    from django.db import transaction
    from playwright.sync_api import expect, sync_playwright

    from helpdesk.models import Rating
    from helpdesk.services import conversation_status_set

    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        rate = widget.locator(".rate")
        widget.locator("textarea").fill(QUESTION)
        widget.locator("textarea").press("Enter")
        expect(widget.locator(".m-bot").nth(1)).to_contain_text("5 to 7 working days", timeout=15_000)
        expect(rate).to_be_hidden()

        conversation = Conversation.objects.for_tenant(bot.tenant_id).get(bot=bot)
        with transaction.atomic():
            conversation_status_set(conversation=conversation, status=Conversation.Status.RESOLVED)

        expect(rate).to_be_visible(timeout=10_000)
        expect(widget.locator(".rate-send")).to_be_disabled()
        widget.locator(".star").nth(3).click()
        expect(widget.locator('.star[aria-pressed="true"]')).to_have_count(4)
        widget.locator(".rate-comment").fill("Clear answer, thanks")
        page.screenshot(path=str(ARTIFACTS / "widget-rating.png"))
        widget.locator(".rate-send").click()

        expect(widget.locator(".rate-thanks")).to_be_visible(timeout=10_000)
        expect(widget.locator(".stars")).to_be_hidden()
        rating = _wait_for(
            lambda: Rating.objects.for_tenant(bot.tenant_id).filter(conversation=conversation).first()
        )
        assert (rating.score, rating.comment, rating.resolved_by) == (4, "Clear answer, thanks", "bot")
        browser.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_a_spanish_browser_gets_the_widget_and_the_bots_own_texts_in_spanish(live_url, bot, width, height):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw, _closing_its_connection():
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": width, "height": height}, locale="es-ES").new_page()
        page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = page.locator("#helpdesk-widget")
        launcher = widget.locator(".launcher")
        if width <= 480:  # on a phone the demo page does not start it open
            expect(launcher).to_have_attribute("aria-label", "Abrir el chat", timeout=10_000)
            launcher.click()
        box = widget.locator("textarea")
        expect(box).to_have_attribute("placeholder", "Escribe tu mensaje…", timeout=10_000)
        expect(widget.locator(".close")).to_have_attribute("aria-label", "Cerrar el chat")
        expect(widget.locator(".conn-text")).to_have_text("Conectado", timeout=10_000)
        expect(widget.locator(".send")).to_contain_text("Enviar")

        box.fill("Hola, quiero hablar con una persona, por favor")
        box.press("Enter")
        # The bot's own handoff message follows the language the customer wrote in; the widget's status
        # line is its own words, from the Spanish catalog.
        expect(widget.locator(".m-bot").last).to_contain_text("Te paso con un agente", timeout=15_000)
        expect(widget.locator(".state")).to_have_text("Te estamos pasando con una persona…")
        page.screenshot(path=str(ARTIFACTS / f"widget-spanish-{width}.png"))
        browser.close()
