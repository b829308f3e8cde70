"""The handoff review in a real browser, on a desktop screen and on a phone: an agent marks a handoff as
late on the conversation page, and a lead confirms it in the review queue. Nothing spills sideways out of
either page. Screenshots go to ``artifacts/browser/``."""

from __future__ import annotations

import pytest

from handoff.models import HandoffReview
from handoff.tests.review_support import customer_seqs, handed_off
from helpdesk.models import Membership
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


def log_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/accounts/login/?next=/inbox/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox/")


def no_overflow(page, label: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{label}: the page is {overflow}px wider than the screen"


def test_an_agent_marks_a_handoff_and_a_lead_confirms_it(
    live_url, make_tenant, make_bot, make_agent, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tenant = make_tenant("acme", "Acme Bikes")
    bot = make_bot(tenant)
    make_agent(tenant, "alice", name="Alice")
    make_agent(tenant, "lena", role=Membership.Role.LEAD, name="Lena")
    turns = (
        "How long does delivery take?",
        "and can I return a bike?",
        "talk to a human please",
    )
    conversations = {"desktop": handed_off(bot, turns), "phone": handed_off(bot, turns)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, viewport in (("desktop", (1280, 800)), ("phone", (390, 844))):
            conversation = conversations[label]
            second = customer_seqs(conversation)[1]
            size = {"width": viewport[0], "height": viewport[1]}

            agent = browser.new_context(viewport=size).new_page()
            log_in(agent, live_url, "alice")
            agent.goto(f"{live_url}/inbox/c/{conversation.pk}/")
            form = agent.locator("#review-form")
            expect(form).to_be_visible()
            form.get_by_label("Late: it should have come sooner").check()
            form.locator("select[name=at_seq]").select_option(str(second))
            form.locator("select[name=signal]").select_option("person")
            form.locator("textarea[name=note]").fill("They wanted a person from the second message")
            agent.locator("#review").screenshot(path=str(ARTIFACTS / f"review-form-{label}.png"))
            form.get_by_role("button", name="Save review").click()
            expect(agent.locator("#review-state")).to_contain_text("Late: it should have come sooner")
            expect(agent.locator("#review-state")).to_contain_text(f"at message #{second}")
            expect(agent.locator("#review-state")).to_contain_text("waiting for a lead to confirm")
            no_overflow(agent, f"conversation, {label}")
            agent.screenshot(path=str(ARTIFACTS / f"review-marked-{label}.png"), full_page=True)
            agent.context.close()

            lead = browser.new_context(viewport=size).new_page()
            log_in(lead, live_url, "lena")
            lead.get_by_role("link", name="Review", exact=True).click()
            expect(lead.locator("h1")).to_have_text("Review queue")
            row = lead.locator(f"#review-{conversation.pk}")
            expect(row).to_contain_text("Late: it should have come sooner")
            expect(row).to_contain_text("and can I return a bike?")
            expect(row).to_contain_text("by alice")
            no_overflow(lead, f"review queue, {label}")
            lead.screenshot(path=str(ARTIFACTS / f"review-queue-{label}.png"), full_page=True)
            row.get_by_role("button", name="Confirm", exact=True).click()
            expect(lead.locator(f"#review-{conversation.pk}")).to_have_count(0)
            lead.context.close()

            review = HandoffReview.objects.for_tenant(tenant).get(conversation=conversation)
            assert review.confirmed and (review.verdict, review.at_seq, review.signal) == (
                "late",
                second,
                "person",
            )
        browser.close()
