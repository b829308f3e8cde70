"""The inbox's tools in a real browser, on a desktop (1280x800) and a phone (390x844): saved views, filters
and search (in the URL, Back works, live rows kept to the filters), keyboard shortcuts and their help
dialog, the sound and desktop-notification controls, and a top bar that fits a phone. Screenshots go to
``artifacts/browser/``."""

from __future__ import annotations

import re

import pytest

from inbox.tests.test_browser_pages import VIEWPORTS, fits_the_screen, in_another_thread
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


def handoff(conversation_id: int, reason: str) -> None:
    """Hand a conversation to the bot's queue for ``reason``, as the detector would."""
    from handoff.services import HandoffRequest, handoff_start
    from helpdesk.models import Conversation
    from tests.support.db import every_tenant

    conversation = every_tenant(Conversation).select_related("bot").get(pk=conversation_id)
    handoff_start(
        conversation=conversation,
        request=HandoffRequest(reason=reason, evidence={}),
        queue=conversation.bot.queue,
        handoff_message=conversation.bot.handoff_message,
    )


def start(tenant, bot, name: str, text: str = "Hello") -> int:
    from helpdesk.models import Message
    from helpdesk.services import contact_create, conversation_start, message_create

    conversation = conversation_start(
        tenant=tenant, bot_id=bot.pk, contact=contact_create(tenant=tenant, name=name)
    )
    message_create(conversation=conversation, author_kind=Message.Author.CUSTOMER, body=text)
    return conversation.pk


@pytest.fixture
def desk(make_tenant, make_bot, make_agent):
    """Acme: Wendy asked for a person, Sam and Sid raised a sensitive topic, Alma is Alice's."""
    from helpdesk.models import Conversation
    from inbox.services import conversation_claim
    from tests.support.db import every_tenant

    tenant = make_tenant("acme", "Acme Bikes")
    bot = make_bot(tenant, "Spoke")
    alice = make_agent(tenant, "alice", name="Alice")
    make_agent(tenant, "bob", name="Bob")
    ids = {
        "wendy": start(tenant, bot, "Wendy Waiting", "I want to talk to a human"),
        "sam": start(tenant, bot, "Sam Sensitive", "I will dispute this charge with my bank"),
        "sid": start(tenant, bot, "Sid Second", "Someone used my card"),
        "alma": start(tenant, bot, "Alma Assigned", "Where is my refund for order SP-12345?"),
    }
    handoff(ids["wendy"], "explicit_request")
    handoff(ids["sam"], "sensitive_topic")
    handoff(ids["sid"], "sensitive_topic")
    handoff(ids["alma"], "explicit_request")
    conversation_claim(membership=alice, conversation=every_tenant(Conversation).get(pk=ids["alma"]))
    return {"tenant": tenant, "bot": bot, "ids": ids}


def browser_page(pw, screen: str, live_url: str, next_path: str = "/inbox/", init_script: str = ""):
    from playwright.sync_api import expect

    viewport = VIEWPORTS[screen]
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(
        viewport=viewport, locale="en-GB", is_mobile=screen == "phone", has_touch=screen == "phone"
    )
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.goto(f"{live_url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "pw-alice")
    page.click("button[type=submit]")
    expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)
    return browser, context, page


def size_of(screen: str) -> str:
    return f"{VIEWPORTS[screen]['width']}x{VIEWPORTS[screen]['height']}"


def names(page, list_name: str = "results") -> list[str]:
    return page.locator(f'[data-list="{list_name}"] .conv-row .who').all_inner_texts()


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_saved_views_filters_and_search_live_in_the_url(live_url, desk, screen):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = size_of(screen)
    with sync_playwright() as pw:
        browser, _context, page = browser_page(pw, screen, live_url)
        fits_the_screen(page)

        # A saved view is a link: Waiting, oldest first, each with its place in the queue.
        page.click('.saved-views a[data-view="waiting"]')
        expect(page).to_have_url(re.compile(r"/inbox/\?status=waiting$"))
        expect(page.locator('.saved-views a[data-view="waiting"]')).to_have_attribute("aria-current", "page")
        assert names(page) == ["Wendy Waiting", "Sam Sensitive", "Sid Second"]
        expect(page.locator('[data-list="results"] .conv-row .status').first).to_have_text(
            re.compile(r"^#1 · waiting \d+\s+minutes?$")
        )
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)

        # Narrowed by reason, from the form: the URL says so.
        page.select_option("#id_reason", "sensitive_topic")
        page.locator("#filters button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"reason=sensitive_topic"))
        expect(page.locator('[data-list="results"] .conv-row')).to_have_count(2)
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)

        # Live rows keep to the filters: a new handoff for another reason stays out, one for this reason
        # comes in, in its place.
        tenant, bot = desk["tenant"], desk["bot"]
        other = in_another_thread(lambda: start(tenant, bot, "Otto Other", "talk to a human"))
        in_another_thread(lambda: handoff(other, "explicit_request"))
        fitting = in_another_thread(lambda: start(tenant, bot, "Fay Fitting", "I'll take this to a lawyer"))
        in_another_thread(lambda: handoff(fitting, "sensitive_topic"))
        expect(page.locator('[data-list="results"] .conv-row', has_text="Fay Fitting")).to_have_count(
            1, timeout=10_000
        )
        expect(page.locator('[data-list="results"] .conv-row', has_text="Otto Other")).to_have_count(0)
        assert names(page) == ["Sam Sensitive", "Sid Second", "Fay Fitting"]
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"inbox-filtered-{size}.png"), full_page=True)

        # Back returns to the saved view, which now has the new rows too.
        page.go_back()
        expect(page).to_have_url(re.compile(r"/inbox/\?status=waiting$"))
        expect(page.locator('[data-list="results"] .conv-row', has_text="Otto Other")).to_have_count(1)

        # Search: a message's words find the conversation.
        page.fill("#search", "refund")
        page.press("#search", "Enter")
        expect(page).to_have_url(re.compile(r"q=refund"))
        # The search keeps the status the form still had: Alma is assigned, so not waiting.
        expect(page.locator('[data-list="results"] .empty')).to_have_text("Nothing here.")
        page.goto(f"{live_url}/inbox/?q=refund")
        assert names(page) == ["Alma Assigned"]
        page.goto(f"{live_url}/inbox/?q=wen")
        assert names(page) == ["Wendy Waiting"]

        # A bad value is named, and the whole inbox shown.
        page.goto(f"{live_url}/inbox/?status=lost&queue=abc")
        expect(page.locator("#filter-problems")).to_contain_text("Some filters could not be used")
        expect(page.locator("#filter-problems li")).to_have_count(2)
        expect(page.locator('[data-list="waiting"] .conv-row')).to_have_count(5)
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"inbox-bad-filter-{size}.png"), full_page=True)
        browser.close()


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_keyboard_shortcuts_and_their_help(live_url, desk, screen):
    from playwright.sync_api import expect, sync_playwright

    size = size_of(screen)
    ids = desk["ids"]
    with sync_playwright() as pw:
        browser, _context, page = browser_page(pw, screen, live_url, "/inbox/?status=waiting")

        # ? opens the help, a modal dialog; Escape closes it.
        page.keyboard.press("?")
        dialog = page.locator("dialog#shortcuts-help")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("heading")).to_have_text("Keyboard shortcuts")
        for key in ("j", "k", "c", "r", "n", "e", "/", "?"):
            expect(dialog.locator("kbd", has_text=re.compile(rf"^{re.escape(key)}$"))).to_have_count(1)
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"shortcuts-help-{size}.png"))
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        # j and k walk the rows; Enter opens one.
        rows = page.locator('[data-list="results"] .conv-row > a')
        page.keyboard.press("j")
        expect(rows.nth(0)).to_be_focused()
        page.keyboard.press("j")
        expect(rows.nth(1)).to_be_focused()
        page.keyboard.press("k")
        expect(rows.nth(0)).to_be_focused()

        # / goes to the search box, where keys are text, not shortcuts.
        page.keyboard.press("/")
        expect(page.locator("#search")).to_be_focused()
        page.keyboard.type("jk?")
        expect(page.locator("#search")).to_have_value("jk?")
        expect(dialog).to_be_hidden()
        page.locator("#search").fill("")
        page.locator("#search").blur()

        # k goes on from the row selected before (the first: it stays there).
        page.keyboard.press("k")
        expect(rows.nth(0)).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"/inbox/c/{ids['wendy']}/$"))
        expect(page.locator("#claim")).to_be_enabled(timeout=10_000)

        # r writes a reply, n a private note; typing there fires nothing.
        page.keyboard.press("r")
        box = page.locator("#reply textarea")
        expect(box).to_be_focused()
        expect(page.locator("#reply input[name=private]")).not_to_be_checked()
        page.keyboard.type("e c j")
        expect(box).to_have_value("e c j")
        expect(page.locator("#conv-status")).to_have_text("Waiting for an agent")
        box.fill("")
        box.blur()
        page.keyboard.press("n")
        expect(box).to_be_focused()
        expect(page.locator("#reply input[name=private]")).to_be_checked()
        box.blur()

        # c claims, e resolves: then only Reopen, and no reply box.
        page.keyboard.press("c")
        expect(page.locator("#conv-status")).to_have_text("With an agent", timeout=10_000)
        page.keyboard.press("e")
        expect(page.locator("#conv-status")).to_have_text("Resolved", timeout=10_000)
        expect(page.locator("#reopen")).to_be_visible()
        for name in ("claim", "resolve", "handback"):
            expect(page.locator(f"#{name}")).to_be_hidden()
        expect(page.locator("#reply")).to_be_hidden()
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"conversation-resolved-by-keys-{size}.png"))

        # j goes to the next conversation of the list the inbox showed.
        page.keyboard.press("j")
        expect(page).to_have_url(re.compile(rf"/inbox/c/{ids['sam']}/$"))
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)
        page.keyboard.press("k")
        expect(page).to_have_url(re.compile(rf"/inbox/c/{ids['wendy']}/$"))
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)
        # / takes the agent to the inbox's search.
        page.keyboard.press("/")
        expect(page).to_have_url(re.compile(r"/inbox/#search$"))
        expect(page.locator("#search")).to_be_focused()
        browser.close()


# The browser's permission prompt is not a page a test can click: this stands in for it (the answer is
# kept in sessionStorage, so it outlives a reload) and records the notifications shown, with the page
# taken for hidden when the test says so.
NOTIFICATION_STAND_IN = """
(() => {
  const key = "test-notification-permission";
  window.shownNotifications = [];
  class StandIn {
    constructor(title, options) { window.shownNotifications.push({ title, body: options && options.body }); }
    static get permission() { return sessionStorage.getItem(key) || "default"; }
    static requestPermission() {
      window.permissionRequests = (window.permissionRequests || 0) + 1;
      sessionStorage.setItem(key, "granted");
      return Promise.resolve("granted");
    }
  }
  window.Notification = StandIn;
  const visibility = () => (window.pageHidden ? "hidden" : "visible");
  Object.defineProperty(document, "visibilityState", { get: visibility });
})();
"""


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_sound_and_desktop_notification_controls_say_what_they_do(live_url, desk, screen):
    from playwright.sync_api import expect, sync_playwright

    size = size_of(screen)

    def open_menu(page) -> None:
        if screen == "phone":
            page.locator(".menu-toggle").click()

    with sync_playwright() as pw:
        browser, context, page = browser_page(pw, screen, live_url, init_script=NOTIFICATION_STAND_IN)
        toggle = page.locator(".menu-toggle")
        if screen == "phone":
            # On a phone the controls are behind the Menu button.
            expect(page.locator("#notify-toggle")).to_be_hidden()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
        else:
            expect(toggle).to_be_hidden()

        notify, state = page.locator("#notify-toggle"), page.locator("#notify-state")
        expect(notify).to_have_text("Turn on desktop notifications")
        expect(state).to_have_text("Notifications: off")
        sound = page.locator("#sound-toggle")
        expect(sound).to_have_text("Mute sound")
        expect(sound).to_have_attribute("aria-pressed", "false")
        assert page.evaluate("window.permissionRequests || 0") == 0  # nothing asked before the click
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"inbox-controls-{size}.png"))

        # The click asks the browser, the agent allows it.
        notify.click()
        expect(notify).to_have_text("Turn off desktop notifications")
        expect(state).to_have_text("Notifications: on")
        assert page.evaluate("window.permissionRequests") == 1
        sound.click()
        expect(sound).to_have_text("Unmute sound")
        expect(sound).to_have_attribute("aria-pressed", "true")
        page.screenshot(path=str(ARTIFACTS / f"inbox-controls-on-{size}.png"))

        # A handoff while the tab is in the background shows a notification, muted or not.
        page.evaluate("window.pageHidden = true")
        tenant, bot = desk["tenant"], desk["bot"]
        new = in_another_thread(lambda: start(tenant, bot, "Nina New", "a person please"))
        in_another_thread(lambda: handoff(new, "explicit_request"))
        page.wait_for_function("window.shownNotifications.length === 1", timeout=10_000)
        assert page.evaluate("window.shownNotifications") == [
            {"title": "New handoff: Nina New", "body": "Asked for a person"}
        ]

        # Both choices are remembered; turned off, it says so.
        page.reload()
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)
        open_menu(page)
        expect(notify).to_have_text("Turn off desktop notifications")
        expect(sound).to_have_text("Unmute sound")
        notify.click()
        expect(state).to_have_text("Notifications: off")
        expect(notify).to_have_text("Turn on desktop notifications")
        assert page.evaluate("window.permissionRequests || 0") == 0  # allowed already: nothing to ask

        # Blocked in the browser: the control says so and cannot be pressed.
        page.evaluate("sessionStorage.setItem('test-notification-permission', 'denied')")
        page.reload()
        expect(page.locator("#live-state")).to_have_text("Live", timeout=10_000)
        open_menu(page)
        expect(notify).to_have_text("Desktop notifications blocked")
        expect(notify).to_be_disabled()
        expect(state).to_have_text("Notifications: blocked")
        if screen == "phone":
            page.keyboard.press("Escape")
            expect(notify).to_be_hidden()
            expect(toggle).to_be_focused()
        browser.close()


def test_the_top_bar_fits_a_phone_on_every_agents_page(live_url, desk):
    from playwright.sync_api import expect, sync_playwright

    conversation = desk["ids"]["alma"]
    with sync_playwright() as pw:
        browser, _context, page = browser_page(pw, "phone", live_url)
        for path in (
            "/inbox/",
            f"/inbox/c/{conversation}/",
            "/inbox/?status=waiting",
            "/tickets/",
            "/reports/",
        ):
            page.goto(live_url + path)
            bar = page.locator(".topbar")
            expect(bar).to_be_visible()
            fits_the_screen(page)
            width, scroll = bar.evaluate("el => [el.clientWidth, el.scrollWidth]")
            assert scroll <= width, f"the top bar of {path} is {scroll}px wide in {width}px"
            # Every item of the bar is inside the screen.
            overflowing = bar.evaluate(
                "el => Array.from(el.querySelectorAll('a, button, span'))"
                ".filter(e => e.offsetParent && e.getBoundingClientRect().right > window.innerWidth + 0.5)"
                ".map(e => e.textContent.trim())"
            )
            assert overflowing == [], f"{path}: {overflowing}"
        page.goto(f"{live_url}/inbox/")
        page.screenshot(
            path=str(ARTIFACTS / "topbar-390x844.png"), clip={"x": 0, "y": 0, "width": 390, "height": 200}
        )
        page.locator(".menu-toggle").click()
        page.screenshot(
            path=str(ARTIFACTS / "topbar-menu-390x844.png"),
            clip={"x": 0, "y": 0, "width": 390, "height": 420},
        )
        browser.close()
