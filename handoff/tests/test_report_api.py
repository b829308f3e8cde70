"""The report endpoints of the REST API: the known week's figures, credentials, who sees which agents,
another company's ids, bad input, the schema, and constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.tests.report_history import WEEK_FIRST, WEEK_LAST, History, known_history
from handoff.tests.test_report_page import busy_history
from helpdesk.models import ApiKey, Bot, Membership, Queue
from helpdesk.tests.api_support import client_for, key_for
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports/"
ENDPOINTS = ("deflection", "handoff-breakdown", "pickup", "csat", "agents")
WEEK = {"from": WEEK_FIRST.isoformat(), "to": WEEK_LAST.isoformat()}


@pytest.fixture
def known(make_tenant, make_agent):
    world = known_history(make_tenant, make_agent)
    known_history(make_tenant, make_agent, slug="globex")
    return world


@pytest.fixture
def api_key(known):
    return client_for(key_for(known.tenant, ApiKey.Scope.READ))


def session(membership):
    client = client_for(None)
    client.force_login(membership.user)
    return client


def test_deflection_with_its_scope_and_trend(api_key):
    body = api_key.get(BASE + "deflection/", WEEK).json()
    assert {k: body[k] for k in ("from", "to", "timezone", "bucket", "previous_from", "previous_to")} == {
        "from": "2026-03-02",
        "to": "2026-03-08",
        "timezone": "America/Chicago",
        "bucket": "day",
        "previous_from": "2026-02-23",
        "previous_to": "2026-03-01",
    }
    assert (body["bot_id"], body["queue_id"]) == (None, None)
    spoke = next(b for b in body["bots"] if b["bot_name"] == "Spoke")
    assert (spoke["conversations"], spoke["resolved_by_bot"], spoke["handed_off"]) == (6, 2, 3)
    assert (spoke["deflection_rate"], spoke["previous"]["deflection_rate"], spoke["change_points"]) == (
        0.4,
        0.6667,
        -26.7,
    )
    assert body["total"]["deflection_rate"] == 0.4286
    assert {"bucket": "2026-03-02", "bot_name": "Spoke", "conversations": 2}.items() <= body["series"][
        7
    ].items()


def test_handoff_breakdown_by_reason_queue_hours_and_offline_path(api_key, known):
    body = api_key.get(BASE + "handoff-breakdown/", WEEK).json()
    assert [(r["reason"], r["label"], r["count"]) for r in body["reasons"]] == [
        ("explicit_request", "Asked for a person", 2),
        ("sensitive_topic", "Sensitive topic", 1),
        ("negative_sentiment", "Negative sentiment", 1),
    ]
    support = next(q for q in body["queues"] if q["queue_name"] == "Support")
    assert {
        k: support[k] for k in ("handoffs", "inside_hours", "outside_hours", "offline", "tickets_opened")
    } == {
        "handoffs": 3,
        "inside_hours": 1,
        "outside_hours": 2,
        "offline": 1,
        "tickets_opened": 1,
    }
    assert support["by_reason"] == {"explicit_request": 2, "sensitive_topic": 1, "negative_sentiment": 0}
    assert body["total"]["offline_share"] == 0.25


def test_pickup_per_queue_and_hour_of_the_week(api_key):
    body = api_key.get(BASE + "pickup/", WEEK).json()
    assert body["total"] == {"offered": 3, "accepted": 3, "p50_seconds": 300.0, "p90_seconds": 540.0}
    assert [(q["queue_name"], q["p50_seconds"], q["p90_seconds"]) for q in body["queues"]] == [
        ("Billing", 300.0, 300.0),
        ("Support", 360.0, 552.0),
    ]
    assert len(body["heatmap"]) == 168
    assert body["heatmap"][24 + 10] == {"weekday": 2, "hour": 10, "accepted": 1, "p50_seconds": 120.0}


def test_agents_for_a_key_an_admin_and_an_agent(api_key, known):
    everyone = api_key.get(BASE + "agents/", WEEK).json()
    assert [(a["name"], a["conversations_handled"]) for a in everyone["agents"]] == [
        ("Alice", 2),
        ("Bob", 1),
        ("Carol", 0),
    ]
    alice = everyone["agents"][0]
    assert (alice["first_response_median_seconds"], alice["resolution_median_seconds"]) == (60.0, 900.0)
    assert (alice["csat_responses"], alice["csat_average_score"], alice["csat_rate"]) == (2, 2.5, 0.5)
    assert everyone["only_own"] is False
    assert len(session(known.carol).get(BASE + "agents/", WEEK).json()["agents"]) == 3
    own = session(known.bob).get(BASE + "agents/", WEEK).json()
    assert own["only_own"] is True
    assert [(a["name"], a["first_response_median_seconds"]) for a in own["agents"]] == [("Bob", 180.0)]


def test_csat_totals_by_who_resolved_agents_reasons_series_and_comments(api_key, known):
    body = api_key.get(BASE + "csat/", WEEK).json()
    assert (body["from"], body["timezone"], body["bucket"]) == ("2026-03-02", "America/Chicago", "day")
    assert body["total"] == {
        "responses": 5,
        "average_score": 3.0,
        "csat_rate": 0.4,
        "comments": 4,
        "by_score": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1},
    }
    assert [
        (r["resolved_by"], r["responses"], r["average_score"], r["csat_rate"]) for r in body["by_resolver"]
    ] == [
        ("bot", 3, 3.33, 0.3333),
        ("agent", 2, 2.5, 0.5),
    ]
    assert body["agents"] == [
        {
            "user_id": known.alice.user_id,
            "name": "Alice",
            "responses": 2,
            "average_score": 2.5,
            "csat_rate": 0.5,
        }
    ]
    assert [(r["reason"], r["responses"]) for r in body["reasons"]] == [
        ("explicit_request", 1),
        ("sensitive_topic", 1),
        ("negative_sentiment", 1),
        (None, 2),
    ]
    assert len(body["series"]) == 7
    assert body["series"][0] == {
        "bucket": "2026-03-02",
        "responses": 2,
        "average_score": 3.5,
        "csat_rate": 0.5,
        "bot": {"responses": 2, "average_score": 3.5, "csat_rate": 0.5},
        "agent": {"responses": 0, "average_score": None, "csat_rate": None},
    }
    newest = body["comments"][0]
    assert {k: newest[k] for k in ("score", "comment", "resolved_by", "resolved_by_name", "agent_id")} == {
        "score": 1,
        "comment": "Still no refund after a week",
        "resolved_by": "agent",
        "resolved_by_name": "Alice",
        "agent_id": known.alice.user_id,
    }
    # 23:55 on Thursday 5 March in Chicago.
    assert newest["rated_at"] == "2026-03-06T05:55:00Z"
    assert [c["score"] for c in body["comments"]] == [1, 3, 4, 5]
    assert body["only_own"] is False


def test_csat_comments_as_many_as_asked(api_key):
    assert [c["score"] for c in api_key.get(BASE + "csat/", {**WEEK, "comments": 2}).json()["comments"]] == [
        1,
        3,
    ]
    assert api_key.get(BASE + "csat/", {**WEEK, "comments": 0}).json()["comments"] == []


def test_an_agents_session_sees_only_their_own_csat_row_and_comments(api_key, known):
    own = session(known.alice).get(BASE + "csat/", WEEK).json()
    assert own["only_own"] is True
    assert own["total"]["responses"] == 5  # the team's
    assert [a["name"] for a in own["agents"]] == ["Alice"]
    assert [c["comment"] for c in own["comments"]] == [
        "Still no refund after a week",
        "Alice sorted out my refund",
    ]
    bob = session(known.bob).get(BASE + "csat/", WEEK).json()
    assert [(a["name"], a["responses"]) for a in bob["agents"]] == [("Bob", 0)]
    assert bob["comments"] == []
    assert len(session(known.carol).get(BASE + "csat/", WEEK).json()["comments"]) == 4


def test_filters_name_the_scope(api_key, known):
    body = api_key.get(BASE + "pickup/", {**WEEK, "queue": known.billing.pk}).json()
    assert body["queue_id"] == known.billing.pk
    assert [q["queue_name"] for q in body["queues"]] == ["Billing"]
    body = api_key.get(BASE + "deflection/", {**WEEK, "bot": known.ledger.pk}).json()
    assert [b["bot_name"] for b in body["bots"]] == ["Ledger"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_report_needs_credentials(known, endpoint):
    response = client_for(None).get(BASE + endpoint + "/", WEEK)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("field, model", [("bot", Bot), ("queue", Queue)])
def test_another_companys_bot_or_queue_is_not_found_like_a_missing_one(
    api_key, known, endpoint, field, model
):
    theirs = every_tenant(model).exclude(tenant=known.tenant).first()
    response = api_key.get(BASE + endpoint + "/", {**WEEK, field: theirs.pk})
    missing = api_key.get(BASE + endpoint + "/", {**WEEK, field: 987654321})
    assert response.status_code == 404
    assert response.json() == missing.json()


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"from": "2026-02-30"}, "from", "Date has wrong format."),
        ({"from": "2026-03-08", "to": "2026-03-01"}, "to", "The first day is after the last day."),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to", "Ask for at most 366 days at once."),
        ({"from": "9999-12-31"}, "from", "Ask for days between 2000 and 2099."),
        ({"bot": "abc"}, "bot", "The input is not valid."),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_key, params, field, message):
    response = api_key.get(BASE + "deflection/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"]
    assert message in error["message"] + " ".join(error["fields"][field])


@pytest.mark.parametrize(
    "value, message",
    [
        ("201", "Ensure this value is less than or equal to 200."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("many", "A valid integer is required."),
    ],
)
def test_a_bad_number_of_comments_is_a_400_naming_the_field(api_key, value, message):
    response = api_key.get(BASE + "csat/", {**WEEK, "comments": value})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"comments": [message]}
    # A reversed range is refused here as on every report.
    bad_dates = api_key.get(BASE + "csat/", {"from": "2026-03-08", "to": "2026-03-01"})
    assert (bad_dates.status_code, list(bad_dates.json()["error"]["fields"])) == (400, ["to"])


def test_the_schema_documents_the_report_endpoints(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for endpoint in ENDPOINTS:
        operation = schema["paths"][f"{BASE}{endpoint}/"]["get"]
        extra = {"comments"} if endpoint == "csat" else set()
        assert {"from", "to", "bot", "queue", *extra} == {p["name"] for p in operation["parameters"]}
        assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    csat = schema["components"]["schemas"]["CsatReportOut"]["properties"]
    assert {"total", "by_resolver", "agents", "reasons", "series", "comments", "only_own"} <= set(csat)
    agent = schema["components"]["schemas"]["ReportAgentOut"]["properties"]
    assert {"csat_responses", "csat_average_score", "csat_rate"} <= set(agent)
    # The summary report stays where it was.
    assert "/api/v1/reports/handoffs/" in schema["paths"]


def test_the_summary_report_still_answers(api_key):
    response = api_key.get(
        "/api/v1/reports/handoffs/", {"from": "2026-03-02T00:00:00Z", "to": "2026-03-09T00:00:00Z"}
    )
    assert response.status_code == 200
    assert response.json()["total"] == 4


def test_each_report_costs_the_same_queries_at_10_and_200_conversations(make_tenant, make_agent):
    tenant = make_tenant("busy")
    history = History(tenant)
    support = history.queue("Support", zone="Europe/Paris", windows=[(d, (8, 0), (18, 0)) for d in range(5)])
    history.bot("Spoke", support)
    history.bot("Pitch", history.queue("Sales"))
    for n in range(3):
        make_agent(tenant, f"busy-{n}")
    admin = make_agent(tenant, "busy-admin", role=Membership.Role.ADMIN)
    client = client_for(key_for(tenant, ApiKey.Scope.READ))
    params = {"from": "2026-03-01", "to": "2026-03-14"}
    counts: dict[str, list[int]] = {endpoint: [] for endpoint in ENDPOINTS}
    busy_history(history, admin, 10)
    client.get(BASE + "pickup/", params)  # the key's first use of the minute also records it as used
    for more in (0, 190):
        busy_history(history, admin, more, first=10)
        for endpoint in ENDPOINTS:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(BASE + endpoint + "/", params).status_code == 200
            counts[endpoint].append(len(captured))
    assert all(small == large for small, large in counts.values()), counts
    assert all(large <= 10 for _, large in counts.values()), counts
    print("endpoint queries", counts)
