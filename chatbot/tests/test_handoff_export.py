"""manage.py handoff_export: confirmed reviews become a scenario file that handoff_eval replays, with the
expectation each verdict asks for, the customer's personal data masked, and clear errors that write
nothing."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from handoff.review.services import review_confirm, review_correct, review_mark
from handoff.tests.review_support import bot_resolved, customer_seqs, handed_off
from helpdesk.models import Contact, Membership

pytestmark = pytest.mark.django_db

QUESTION = "How long does delivery take?"


@pytest.fixture
def desk(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    return {
        "tenant": tenant,
        "bot": make_bot(tenant, currency="EUR", refund_handoff_amount=150),
        "agent": make_agent(tenant, "alice"),
        "lead": make_agent(tenant, "lena", role=Membership.Role.LEAD),
    }


def reviewed_history(desk) -> dict:
    """One conversation per verdict, each confirmed by the lead, and one marked but not confirmed."""
    bot, agent, lead = desk["bot"], desk["agent"], desk["lead"]
    right = handed_off(bot)
    review_mark(membership=agent, conversation=right, verdict="right_call")
    unnecessary = handed_off(bot)
    review_mark(membership=agent, conversation=unnecessary, verdict="unnecessary")
    late = handed_off(bot, (QUESTION, "and can I return a bike?", "talk to a human please"))
    review_mark(
        membership=agent, conversation=late, verdict="late", at_seq=customer_seqs(late)[1], signal="person"
    )
    missed = bot_resolved(bot)
    personal = bot_resolved(
        bot, ("Hi, Maria Lopez here (maria.lopez@example.org, +44 20 7946 0958). " + QUESTION, "thanks")
    )
    Contact.objects.for_tenant(desk["tenant"]).filter(pk=personal.contact_id).update(name="María López")
    for conversation in (right, unnecessary, late, personal):
        review_confirm(membership=lead, conversation=conversation)
    review_correct(
        membership=lead,
        conversation=missed,
        verdict="missed",
        at_seq=customer_seqs(missed)[1],
        signal="complaint",
    )
    waiting = handed_off(bot)
    review_mark(membership=agent, conversation=waiting, verdict="unnecessary")
    return {
        "right": right,
        "unnecessary": unnecessary,
        "late": late,
        "missed": missed,
        "personal": personal,
        "waiting": waiting,
    }


def test_the_export_round_trips_through_handoff_eval(desk, tmp_path):
    history = reviewed_history(desk)
    path, results = tmp_path / "reviews.json", tmp_path / "results.json"

    call_command("handoff_export", "--tenant", "acme", "--output", str(path), "--no-progress")

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "handoff-scenarios/1"
    assert data["bot"] == {
        "name": "Spoke",
        "confidence_threshold": 0.35,
        "max_unresolved_turns": 3,
        "refund_handoff_amount": 150.0,
        "currency": "EUR",
        "order_number_pattern": r"SP-\d{5}",
    }
    assert [a["title"] for a in data["kb"]] == ["Delivery", "Returns", "Servicing", "Frame sizes"]
    scenarios = {s["id"]: s for s in data["scenarios"]}
    expected = {
        f"review-{history['right'].pk}": ([QUESTION, "talk to a human please"], 2, "explicit_request"),
        f"review-{history['unnecessary'].pk}": ([QUESTION, "talk to a human please"], None, None),
        f"review-{history['late'].pk}": (
            [QUESTION, "and can I return a bike?", "talk to a human please"],
            2,
            "explicit_request",
        ),
        f"review-{history['missed'].pk}": ([QUESTION, "and can I return a bike?"], 2, "sensitive_topic"),
        f"review-{history['personal'].pk}": (
            ["Hi, [name] [name] here ([email], [phone]). " + QUESTION, "thanks"],
            None,
            None,
        ),
    }
    assert set(scenarios) == set(expected)  # the review waiting for a lead is not exported
    for sid, (turns, handoff_at, reason) in expected.items():
        assert scenarios[sid]["turns"] == turns, sid
        assert scenarios[sid]["expect"].get("handoff_at") == handoff_at, sid
        assert scenarios[sid]["expect"].get("reason") == reason, sid

    call_command("handoff_eval", str(path), "--json", str(results), "--no-progress")

    outcomes = {o["id"]: o for o in json.loads(results.read_text())["scenarios"]}
    assert set(outcomes) == set(expected)
    # The replay hands off as it happened: right where the review says it was right, and where it was
    # unnecessary, late or missed the scenario fails until the detector learns better.
    assert outcomes[f"review-{history['right'].pk}"] | {"collected": None} == {
        "id": f"review-{history['right'].pk}",
        "handoff_at": 2,
        "reason": "explicit_request",
        "collected": None,
        "ok": True,
    }
    assert outcomes[f"review-{history['personal'].pk}"]["ok"] is True
    unnecessary = outcomes[f"review-{history['unnecessary'].pk}"]
    assert (unnecessary["handoff_at"], unnecessary["ok"]) == (2, False)
    late = outcomes[f"review-{history['late'].pk}"]
    assert (late["handoff_at"], late["ok"]) == (3, False)
    missed = outcomes[f"review-{history['missed'].pk}"]
    assert (missed["handoff_at"], missed["ok"]) == (None, False)


def test_bot_and_since_narrow_the_export(desk, make_bot, tmp_path):
    history = reviewed_history(desk)
    other = make_bot(desk["tenant"], "Ledger")
    elsewhere = handed_off(other)
    review_confirm(membership=desk["lead"], conversation=elsewhere)
    path = tmp_path / "ledger.json"

    with pytest.raises(
        CommandError, match=r"several bots; choose one with --bot: \d+ \(Spoke\), \d+ \(Ledger\)"
    ):
        call_command("handoff_export", "--tenant", "acme", "--output", str(path), "--no-progress")
    assert not path.exists()

    call_command(
        "handoff_export", "--tenant", "acme", "--bot", "ledger", "--output", str(path), "--no-progress"
    )
    assert [s["id"] for s in json.loads(path.read_text())["scenarios"]] == [f"review-{elsewhere.pk}"]

    call_command(
        "handoff_export",
        "--tenant",
        "acme",
        "--bot",
        str(desk["bot"].pk),
        "--output",
        str(path),
        "--no-progress",
    )
    assert len(json.loads(path.read_text())["scenarios"]) == 5
    with pytest.raises(CommandError, match="No confirmed reviews confirmed since 2999-01-01"):
        call_command(
            "handoff_export", "--tenant", "acme", "--bot", "Spoke", "--since", "2999-01-01",
            "--output", str(tmp_path / "none.json"), "--no-progress",
        )  # fmt: skip
    assert history and not (tmp_path / "none.json").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--tenant", "nobody"], "No company has the slug 'nobody'. Nothing written."),
        (["--tenant", "acme", "--bot", "Nobot"], r"No bot 'Nobot' in acme; its bots are: \d+ \(Spoke\)"),
        (
            ["--tenant", "acme", "--since", "2026-13-01"],
            "--since must be a day written YYYY-MM-DD, not '2026-13-01'",
        ),
        (["--tenant", "globex"], "globex has no confirmed reviews yet: nothing to export"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(desk, make_tenant, tmp_path, arguments, message):
    reviewed_history(desk)
    make_tenant("globex")
    path = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        call_command("handoff_export", *arguments, "--output", str(path), "--no-progress")
    assert list(tmp_path.iterdir()) == []


def test_another_companys_reviews_are_not_exported(desk, make_tenant, make_bot, make_agent, tmp_path):
    reviewed_history(desk)
    globex = make_tenant("globex")
    bot = make_bot(globex, "Gizmo")
    conversation = handed_off(bot)
    review_confirm(
        membership=make_agent(globex, "gus", role=Membership.Role.ADMIN), conversation=conversation
    )
    path = tmp_path / "globex.json"

    call_command("handoff_export", "--tenant", "globex", "--output", str(path), "--no-progress")

    assert [s["id"] for s in json.loads(path.read_text())["scenarios"]] == [f"review-{conversation.pk}"]
