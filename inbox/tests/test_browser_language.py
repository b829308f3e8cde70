"""The inbox in Spanish in a real browser (Accept-Language from the browser's locale "es-ES"), on a desktop
(1280x800) and a phone (390x844): the page's words, the scripts' words from the embedded catalog, live
changes in Spanish, and longer words still fit the screen. Screenshots go to ``artifacts/browser/``."""

from __future__ import annotations

import re

import pytest

from inbox.tests.test_browser_pages import VIEWPORTS, desk, fits_the_screen, live_url  # noqa: F401
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_inbox_in_spanish_on_a_desktop_and_a_phone(live_url, desk, screen):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewport = VIEWPORTS[screen]
    size = f"{viewport['width']}x{viewport['height']}"
    waiting_id = desk["waiting"].pk

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=viewport, locale="es-ES", is_mobile=screen == "phone", has_touch=screen == "phone"
        )
        page = context.new_page()
        page.goto(f"{live_url}/accounts/login/?next=/inbox/")
        expect(page.locator("h1")).to_have_text("Iniciar sesión")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "pw-alice")
        page.click("button[type=submit]")

        # The page's words and the scripts' words.
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("#live-state")).to_have_text("En directo", timeout=10_000)
        expect(page.locator(".topbar")).to_contain_text("Bandeja de entrada")
        waiting_row = page.locator(f'[data-list="waiting"] [data-conversation-id="{waiting_id}"]')
        expect(waiting_row.locator(".status")).to_have_text(re.compile(r"^#1 · esperando \d+\s+minutos?$"))
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"inbox-es-{size}.png"), full_page=True)

        # The keyboard shortcuts' help, drawn by a script.
        page.keyboard.press("?")
        expect(page.locator("#shortcuts-title")).to_have_text("Atajos de teclado")
        fits_the_screen(page)
        page.keyboard.press("Escape")

        # A conversation: claimed live, its status in Spanish from the script.
        page.goto(f"{live_url}/inbox/c/{waiting_id}/")
        expect(page.locator("#claim")).to_have_text("Atender")
        expect(page.locator("#claim")).to_be_enabled(timeout=10_000)
        page.click("#claim")
        expect(page.locator("#conv-status")).to_have_text("Con un agente", timeout=10_000)
        expect(page.locator("textarea[name=text]")).to_have_attribute(
            "placeholder", re.compile("^Responde al cliente")
        )
        fits_the_screen(page)
        page.screenshot(path=str(ARTIFACTS / f"conversation-es-{size}.png"), full_page=True)
        browser.close()
