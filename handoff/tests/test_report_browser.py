"""The reports page in a real browser, on a desktop screen and on a phone: every section's chart and
table shows, the filters work, nothing spills sideways out of the page, and a CSV link downloads its
table; the CSAT section shows its tiles, charts, tables and the customers' comments linked to their
conversations. Screenshots go to ``artifacts/browser/``."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from handoff.tests.report_history import History
from helpdesk.models import Conversation, Membership
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_live_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASONS = ["explicit_request"] * 5 + ["sensitive_topic"] * 2 + ["low_confidence"] * 2 + ["negative_sentiment"]
COMMENTS = [
    "Quick and friendly, sorted in minutes.",
    "The bot found the answer straight away",
    "Took too long to reach a person and I had to explain everything twice, which is not what I expect "
    "from a shop I have bought three bikes from",
    "fine",
    "https://example.com/orders/123456789/very-long-path-that-should-wrap-instead-of-widening-the-page",
]


@pytest.fixture
def live_url():
    with browser_live_server() as url:
        yield url


def recent_history(make_tenant, make_agent) -> Membership:
    """Eight weeks of traffic ending now: two bots, a queue with business hours and one without, three
    agents and an admin; most resolved conversations rated, some with a comment."""
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
            resolved = history.conversation(bot, when, Conversation.Status.RESOLVED)
            if rng.random() < 0.6:
                score = rng.choices(range(1, 6), weights=[1, 1, 2, 4, 6])[0]
                comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                history.rating(resolved, when + timedelta(minutes=3), score, comment)
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
        rated = joined + timedelta(minutes=65)
        if rng.random() < 0.7 and rated < now:
            score = rng.choices(range(1, 6), weights=[2, 1, 2, 4, 5])[0]
            comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
            history.rating(conversation, rated, score, comment, agent=agent)
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
            for section, charts in (
                ("deflection", 1),
                ("handoffs", 2),
                ("pickup", 1),
                ("csat", 3),
                ("agents", 1),
            ):
                expect(page.locator(f"#{section} .report-table").first).to_be_visible()
                expect(page.locator(f"#{section} svg.chart-svg")).to_have_count(charts)
            expect(page.locator("#table-agents tbody tr")).to_have_count(4)
            expect(page.locator("#table-agents thead")).to_contain_text("CSAT")
            # CSAT: the tiles, a chart beside each table, and the newest 20 comments, each linked to its
            # conversation.
            csat = page.locator("#csat")
            expect(csat.locator(".tile")).to_have_count(4)
            expect(csat.locator(".tile").first).to_contain_text("%")
            expect(page.locator("#table-csat tbody tr")).to_have_count(3)
            expect(page.locator("#table-csat tbody tr.total")).to_contain_text("Everyone")
            expect(page.locator("#table-csat_comments tbody tr")).to_have_count(20)
            expect(page.locator("#table-csat_comments tbody a").first).to_have_attribute(
                "href", re.compile(r"^/inbox/c/\d+/$")
            )
            # Every bar chart's labels sit inside its box, however long (reasons, names).
            cut = page.evaluate(
                """[...document.querySelectorAll('svg.chart-svg.rows')].flatMap(svg => {
                    const box = svg.getBoundingClientRect();
                    return [...svg.querySelectorAll('text')]
                        .filter(t => t.getBoundingClientRect().left < box.left - 1)
                        .map(t => t.textContent);
                })"""
            )
            assert cut == [], f"{label}: labels cut at a chart's left edge: {cut}"
            comment_box = page.locator("#table-csat_comments td.wrap").first.bounding_box()
            assert comment_box["width"] <= viewport[0], f"{label}: a comment is wider than the screen"
            expect(page.locator("#table-handoff_queues")).to_contain_text("Asked for a person")
            # Nothing wider than the screen: wide tables scroll inside their own box.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{label}: the page is {overflow}px wider than the screen"
            page.screenshot(path=str(ARTIFACTS / f"reports-{label}.png"), full_page=True)
            csat.screenshot(path=str(ARTIFACTS / f"reports-csat-{label}.png"))

            with page.expect_download() as download:
                page.locator("#pickup a.csv").first.click()
            assert download.value.suggested_filename.startswith("pickup-")
            assert "Queue,Offered to agents" in Path(download.value.path()).read_text(encoding="utf-8")
            with page.expect_download() as download:
                page.locator("#csat a.csv").last.click()
            assert download.value.suggested_filename.startswith("csat_comments-")
            assert "Rated at,Score,Comment" in Path(download.value.path()).read_text(encoding="utf-8")

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
