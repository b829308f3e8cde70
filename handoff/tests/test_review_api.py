"""GET /api/v1/reports/handoff-reviews/: the review rates of the known week with the report's scope,
credentials, another company's bot, bad input and the schema."""

from __future__ import annotations

import pytest

from handoff.tests.report_history import WEEK_FIRST, WEEK_LAST
from handoff.tests.test_review_rates import reviewed_week
from helpdesk.models import ApiKey, Bot
from helpdesk.tests.api_support import client_for, key_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/handoff-reviews/"
WEEK = {"from": WEEK_FIRST.isoformat(), "to": WEEK_LAST.isoformat()}


@pytest.fixture
def week(make_tenant):
    return reviewed_week(make_tenant)


def test_the_rates_with_their_scope(week):
    history, spoke = week
    api = client_for(key_for(history.tenant, ApiKey.Scope.READ))

    body = api.get(URL, WEEK).json()

    assert (body["from"], body["to"], body["timezone"], body["bucket"]) == (
        "2026-03-02",
        "2026-03-08",
        "America/Chicago",
        "day",
    )
    assert len(body["series"]) == 7
    assert body["series"][0] == {
        "day": "2026-03-02",
        "reviewed_handoffs": 4,
        "right_call": 1,
        "unnecessary": 2,
        "late": 1,
        "reviewed_bot_resolved": 2,
        "missed": 1,
        "false_handoff_rate": 0.5,
        "late_rate": 0.25,
        "missed_rate": 0.5,
    }
    assert (body["total"]["false_handoff_rate"], body["total"]["missed"]) == (0.5, 1)
    narrowed = api.get(URL, {**WEEK, "bot": spoke.pk}).json()
    assert (narrowed["bot_id"], narrowed["total"]["reviewed_handoffs"]) == (spoke.pk, 5)


def test_another_companys_bot_is_a_404_and_bad_input_a_400(week, make_tenant):
    history, _ = week
    api = client_for(key_for(history.tenant, ApiKey.Scope.READ))
    theirs = Bot.objects.for_tenant(history.tenant).exclude(name__in=["Spoke", "Ledger"]).first()
    assert theirs is None
    globex_bot = Bot.objects.unscoped("a test looks up another company's bot").get(name="Gizmo")

    assert api.get(URL, {**WEEK, "bot": globex_bot.pk}).status_code == 404
    reversed_range = api.get(URL, {"from": "2026-03-08", "to": "2026-03-02"})
    assert reversed_range.status_code == 400 and reversed_range.json()["error"]["code"] == "invalid"
    assert api.get(URL, {"from": "yesterday"}).status_code == 400
    assert client_for(None).get(URL, WEEK).status_code == 401


def test_the_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert URL in schema["paths"]
