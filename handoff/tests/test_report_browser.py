"""The reports page in a real browser, on a desktop screen and on a phone: every section's chart and
table shows, the filters work, nothing spills sideways out of the page, and a CSV link downloads its
table. Screenshots go to ``artifacts/browser/``."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from handoff.tests.report_history import History
from helpdesk.models import Conversation, Membership
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASONS = ["explicit_request"] * 5 + ["sensitive_topic"] * 2 + ["low_confidence"] * 2 + ["negative_sentiment"]


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


def recent_history(make_tenant, make_agent) -> Membership:
    """Eight weeks of traffic ending now: two bots, a queue with business hours and one without, three
    agents and an admin."""
    rng = random.Random(5)
    tenant = make_tenant("acme", "Acme Bikes")
    history = History(tenant)
    support = history.queue(
        "Support", zone="America/Chicago", windows=[(d, (8, 0), (18, 0)) for d in range(6)]
    )
    billing = history.queue("Billing")
    bots = [(history.bot("Spoke", support), support), (history.bot("Ledger", billing), billing)]
    agents = [make_agent(tenant, name.lower(), name=name) for name in ("Alice", "Bob", "Chen")]
    admin = make_agent(tenant, "dana", role=Membership.Role.ADMIN, name="Dana")
    now = timezone.now()
    for _ in range(260):
        when = now - timedelta(minutes=rng.randint(30, 56 * 24 * 60))
        bot, queue = bots[0] if rng.random() < 0.7 else bots[1]
        if rng.random() < 0.45:
            history.conversation(bot, when, Conversation.Status.RESOLVED)
            continue
        conversation = history.conversation(bot, when)
        handed = when + timedelta(minutes=2)
        reason = rng.choice(REASONS)
        if rng.random() < 0.15:
            history.handoff(conversation, handed, reason, queue, offline=True, status="offline")
            history.ticket(conversation, handed + timedelta(minutes=3))
            continue
        agent = rng.choice(agents)
        joined = handed + timedelta(seconds=rng.randint(20, 900))
        history.handoff(
            conversation,
            handed,
            reason,
            queue,
            accepted=(agent, joined),
            ended=joined + timedelta(minutes=rng.randint(5, 60)),
            status="resolved",
        )
        answered = joined + timedelta(seconds=rng.randint(10, 240))
        history.message(conversation, answered, "agent", author=agent.user)
    return admin


def test_the_reports_page_on_a_desktop_and_a_phone(live_url, make_tenant, make_agent, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    recent_history(make_tenant, make_agent)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, viewport in (("desktop", (1280, 800)), ("phone", (390, 844))):
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
            )
            page = context.new_page()
            page.goto(f"{live_url}/accounts/login/?next=/inbox/")
            page.fill("input[name=username]", "dana")
            page.fill("input[name=password]", "pw-dana")
            page.click("button[type=submit]")
            page.get_by_role("link", name="Reports").click()
            expect(page.locator("h1")).to_have_text("Reports")
            expect(page.locator(".report-range")).to_contain_text("28 days, by day")
            expect(page.locator(".report-range")).to_contain_text("America/Chicago")
            for section in ("deflection", "handoffs", "pickup", "agents"):
                expect(page.locator(f"#{section} .report-table").first).to_be_visible()
            expect(page.locator("svg.chart-svg")).to_have_count(5)
            expect(page.locator("#table-agents tbody tr")).to_have_count(4)
            expect(page.locator("#table-handoff_queues")).to_contain_text("Asked for a person")
            # Nothing wider than the screen: wide tables scroll inside their own box.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{label}: the page is {overflow}px wider than the screen"
            page.screenshot(path=str(ARTIFACTS / f"reports-{label}.png"), full_page=True)

            with page.expect_download() as download:
                page.locator("#pickup a.csv").first.click()
            assert download.value.suggested_filename.startswith("pickup-")
            assert "Queue,Offered to agents" in Path(download.value.path()).read_text(encoding="utf-8")

            page.select_option("select[name=bot]", label="Ledger")
            page.click(".report-filters button")
            expect(page.locator("#table-deflection tbody tr")).to_have_count(2)
            expect(page.locator("#table-deflection tbody tr").first).to_contain_text("Ledger")

            page.fill("input[name=from]", "2026-05-01")
            page.fill("input[name=to]", "2026-04-01")
            page.click(".report-filters button")
            expect(page.locator("#report-errors")).to_have_text(
                "The first day is after the last day.", timeout=10_000
            )
            if label == "phone":
                page.screenshot(path=str(ARTIFACTS / "reports-phone-error.png"))
            context.close()
        browser.close()
