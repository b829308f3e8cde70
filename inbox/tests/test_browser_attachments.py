"""Attachments both ways in real browsers: a customer attaches a photo in the widget, the agent sees it
arrive live in the conversation and again after a reload; the agent attaches a PDF in the reply box and
the customer sees it in the widget. Screenshots at 1280x800 and 390x844 go to ``artifacts/browser/``."""

import pytest

from helpdesk.tests.attachment_support import PDF_BYTES, image_bytes
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_url(monkeypatch, tmp_path):
    # The server is another process: its uploads go to this test's folder.
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    with browser_live_server() as url:
        yield url


def loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_photo_from_the_widget_reaches_the_agent_and_a_pdf_comes_back(
    live_url, make_tenant, make_bot, make_agent, monkeypatch, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    tenant = make_tenant("acme", "Acme Bikes")
    bot = make_bot(tenant, "Spoke")
    make_agent(tenant, "alice", name="Alice")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "scratched-frame.jpg"
    photo.write_bytes(image_bytes(1200, 800, format="JPEG", color=(30, 110, 170)))
    label = tmp_path / "return-label.pdf"
    label.write_bytes(PDF_BYTES)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        agent_page = browser.new_context(viewport=DESKTOP).new_page()
        customer_page = browser.new_context(viewport=DESKTOP).new_page()

        agent_page.goto(f"{live_url}/accounts/login/?next=/inbox/")
        agent_page.fill("input[name=username]", "alice")
        agent_page.fill("input[name=password]", "pw-alice")
        agent_page.click("button[type=submit]")
        expect(agent_page.locator("#live-state")).to_have_text("Live", timeout=10_000)

        customer_page.goto(f"{live_url}/chat/demo/{bot.public_key}/")
        widget = customer_page.locator("#helpdesk-widget")
        expect(widget.locator(".m-bot").first).to_be_visible(timeout=10_000)
        widget.locator("textarea").fill("I want to talk to a human, my new frame is scratched")
        widget.locator("textarea").press("Enter")

        row = agent_page.locator('[data-list="waiting"] .conv-row')
        expect(row).to_have_count(1, timeout=10_000)
        row.locator("a").click()
        expect(agent_page.locator("#messages")).to_contain_text("my new frame is scratched")
        agent_page.click("#claim")
        expect(agent_page.locator("#conv-status")).to_have_text("With an agent", timeout=10_000)

        # The customer attaches the photo with the paperclip, then sends it with a few words.
        widget.locator(".clip input").set_input_files(str(photo))
        expect(widget.locator(".pending-ready")).to_contain_text("scratched-frame.jpg", timeout=10_000)
        widget.locator("textarea").fill("Here is a photo")
        widget.locator("textarea").press("Enter")
        mine = widget.locator(".m-customer", has_text="Here is a photo")
        expect(mine.locator(".file-image img")).to_be_visible(timeout=10_000)
        assert loaded(mine.locator(".file-image img"))
        expect(widget.locator(".pending")).to_be_hidden()

        # The agent sees it arrive live, as a thumbnail that opens the original.
        live = agent_page.locator("#messages .msg-customer", has_text="Here is a photo")
        expect(live.locator(".attachment-image img")).to_be_visible(timeout=10_000)
        assert loaded(live.locator(".attachment-image img"))
        href = live.locator(".attachment-image a").get_attribute("href")
        original = agent_page.request.get(live_url + href)
        assert (original.status, original.headers["content-type"]) == (200, "image/jpeg")
        assert original.headers["x-content-type-options"] == "nosniff"

        # And after a reload, rendered by the server.
        agent_page.reload()
        again = agent_page.locator("#messages .msg-customer", has_text="Here is a photo")
        expect(again.locator(".attachment-image img")).to_be_visible(timeout=10_000)
        assert loaded(again.locator(".attachment-image img"))

        # The agent attaches a PDF in the reply box; the customer gets it as a link.
        expect(agent_page.locator("#live-state")).to_have_text("Live", timeout=10_000)
        agent_page.locator("#attach-input").set_input_files(str(label))
        expect(agent_page.locator("#attach-pending .attach-ready")).to_contain_text("return-label.pdf")
        agent_page.fill("#reply textarea", "Here is your return label.")
        agent_page.press("#reply textarea", "Enter")
        expect(agent_page.locator("#messages .msg-agent .attachment .file")).to_contain_text(
            "return-label.pdf"
        )
        theirs = widget.locator(".m-agent", has_text="Here is your return label.")
        expect(theirs.locator(".file-doc a")).to_contain_text("return-label.pdf", timeout=10_000)
        pdf = customer_page.request.get(theirs.locator(".file-doc a").get_attribute("href"))
        assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
        assert pdf.headers["content-disposition"].startswith("attachment;")

        agent_page.screenshot(path=str(ARTIFACTS / "attachments-agent-1280.png"))
        customer_page.screenshot(path=str(ARTIFACTS / "attachments-widget-1280.png"))

        # The same on a phone: the widget resumes the conversation full screen, the agent's page fits.
        agent_page.set_viewport_size(PHONE)
        agent_page.reload()
        expect(agent_page.locator("#messages .attachment-image img").first).to_be_visible(timeout=10_000)
        agent_page.locator("#messages .attachment-image").first.scroll_into_view_if_needed()
        agent_page.screenshot(path=str(ARTIFACTS / "attachments-agent-390.png"))
        # The files and the paperclip fit the phone's width (whatever else the page holds).
        mine = ".attachments, .attachments *, .attach, .attach *"
        widest = agent_page.evaluate(
            "(mine) => Math.max(...Array.from(document.querySelectorAll(mine), "
            "(el) => el.getBoundingClientRect().right))",
            mine,
        )
        assert widest <= PHONE["width"]
        customer_page.set_viewport_size(PHONE)
        customer_page.reload()
        widget = customer_page.locator("#helpdesk-widget")
        widget.locator(".launcher").click()
        expect(widget.locator(".m-customer .file-image img")).to_be_visible(timeout=10_000)
        expect(widget.locator(".clip")).to_be_visible()
        customer_page.screenshot(path=str(ARTIFACTS / "attachments-widget-390.png"))
        browser.close()
