"""Marking, confirming and correcting a conversation's handoff decision: who may, what is checked, and
that a refused write changes nothing."""

import pytest

from handoff.models import HandoffReview
from handoff.review.services import review_confirm, review_correct, review_mark
from handoff.tests.review_support import bot_resolved, customer_seqs, handed_off
from helpdesk.errors import Conflict, InvalidInput, PermissionDenied
from helpdesk.models import Membership


@pytest.fixture
def desk(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    agent = make_agent(tenant, "alice")
    lead = make_agent(tenant, "lena", role=Membership.Role.LEAD)
    return bot, agent, lead


def reviews(conversation):
    return HandoffReview.objects.for_tenant(conversation.tenant_id).filter(conversation=conversation)


def test_an_agent_marks_a_handoff_unnecessary_and_a_lead_confirms_it(desk):
    bot, agent, lead = desk
    conversation = handed_off(bot)

    review = review_mark(
        membership=agent, conversation=conversation, verdict="unnecessary", note="FAQ answer"
    )

    assert (review.verdict, review.handed_off, review.at_seq, review.note) == (
        "unnecessary",
        True,
        None,
        "FAQ answer",
    )
    assert review.handoff == conversation.handoffs.get()
    assert review.marked_by_id == agent.user_id and not review.confirmed

    confirmed = review_confirm(membership=lead, conversation=conversation)

    assert confirmed.pk == review.pk and confirmed.confirmed_by_id == lead.user_id and confirmed.confirmed_at
    assert confirmed.verdict == "unnecessary" and not confirmed.corrected


def test_marking_again_replaces_the_marking_until_it_is_confirmed(desk):
    bot, agent, lead = desk
    conversation = handed_off(bot)
    first = customer_seqs(conversation)[0]
    review_mark(membership=agent, conversation=conversation, verdict="unnecessary")

    review = review_mark(membership=agent, conversation=conversation, verdict="late", at_seq=str(first))

    assert reviews(conversation).count() == 1
    assert (review.verdict, review.at_seq) == ("late", first)
    review_confirm(membership=lead, conversation=conversation)
    with pytest.raises(Conflict, match="confirmed"):
        review_mark(membership=agent, conversation=conversation, verdict="right_call")
    assert reviews(conversation).get().verdict == "late"


def test_a_late_handoff_names_a_customer_message_before_the_one_that_handed_off(desk):
    bot, agent, _ = desk
    conversation = handed_off(bot)
    first, trigger = customer_seqs(conversation)
    bot_message = conversation.messages.filter(author_kind="bot").values_list("seq", flat=True).first()

    for at_seq, field_error in (
        (None, "Choose a message."),
        ("", "Choose a message."),
        ("abc", "Not a message number."),
        (trigger, f"Choose a message before message {trigger}."),
        (bot_message, "Choose one of the customer's messages."),
        (9999, "Choose one of the customer's messages."),
        (-3, "Not a message."),
    ):
        with pytest.raises(InvalidInput) as caught:
            review_mark(membership=agent, conversation=conversation, verdict="late", at_seq=at_seq)
        assert caught.value.fields == {"at_seq": [field_error]}, at_seq
    assert not reviews(conversation).exists()

    review = review_mark(
        membership=agent, conversation=conversation, verdict="late", at_seq=first, signal="person"
    )
    assert (review.at_seq, review.signal) == (first, "person")


def test_a_verdict_that_does_not_fit_the_conversation_is_refused_with_the_choices(desk):
    bot, agent, lead = desk
    conversation = handed_off(bot)
    with pytest.raises(InvalidInput, match="use one of right_call, unnecessary, late") as caught:
        review_mark(
            membership=agent,
            conversation=conversation,
            verdict="missed",
            at_seq=customer_seqs(conversation)[0],
        )
    assert "verdict" in caught.value.fields
    with pytest.raises(InvalidInput, match="not a verdict"):
        review_mark(membership=agent, conversation=conversation, verdict="great")
    with pytest.raises(InvalidInput, match="not a handoff signal"):
        review_mark(membership=agent, conversation=conversation, verdict="right_call", signal="pizza")
    with pytest.raises(InvalidInput, match="longer than"):
        review_mark(membership=agent, conversation=conversation, verdict="right_call", note="x" * 2001)
    assert not reviews(conversation).exists()


def test_a_message_sent_with_a_verdict_that_names_none_is_dropped(desk):
    bot, agent, _ = desk
    conversation = handed_off(bot)
    review = review_mark(
        membership=agent,
        conversation=conversation,
        verdict="right_call",
        at_seq=customer_seqs(conversation)[0],
    )
    assert review.at_seq is None


def test_only_leads_mark_a_conversation_the_bot_resolved_as_missed(desk):
    bot, agent, lead = desk
    conversation = bot_resolved(bot)
    second = customer_seqs(conversation)[1]

    with pytest.raises(PermissionDenied, match="leads and admins"):
        review_mark(membership=agent, conversation=conversation, verdict="missed", at_seq=second)
    assert not reviews(conversation).exists()

    review = review_mark(
        membership=lead, conversation=conversation, verdict="missed", at_seq=second, signal="complaint"
    )
    assert (review.handed_off, review.handoff, review.verdict, review.at_seq) == (
        False,
        None,
        "missed",
        second,
    )
    with pytest.raises(InvalidInput, match="use one of right_call, missed"):
        review_mark(membership=lead, conversation=conversation, verdict="unnecessary")


def test_a_conversation_still_with_the_bot_cannot_be_reviewed(desk):
    from chatbot.services import customer_message_receive, widget_conversation_start

    bot, _, lead = desk
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    customer_message_receive(
        conversation=conversation, text="How long does delivery take?", client_msg_id="a"
    )
    with pytest.raises(InvalidInput, match="Only a handed-off conversation"):
        review_mark(membership=lead, conversation=conversation, verdict="right_call")


def test_only_leads_and_admins_confirm_or_correct(desk, make_agent):
    bot, agent, lead = desk
    conversation = handed_off(bot)
    review_mark(membership=agent, conversation=conversation, verdict="unnecessary")

    with pytest.raises(PermissionDenied):
        review_confirm(membership=agent, conversation=conversation)
    with pytest.raises(PermissionDenied):
        review_correct(membership=agent, conversation=conversation, verdict="right_call")
    assert not reviews(conversation).get().confirmed

    admin = make_agent(lead.tenant, "ada", role=Membership.Role.ADMIN)
    assert review_confirm(membership=admin, conversation=conversation).confirmed_by_id == admin.user_id


def test_a_correction_keeps_what_the_agent_marked(desk):
    bot, agent, lead = desk
    conversation = handed_off(bot)
    review_mark(membership=agent, conversation=conversation, verdict="unnecessary", note="bot knew this")

    review = review_correct(membership=lead, conversation=conversation, verdict="right_call")

    assert review.verdict == "right_call" and review.confirmed and review.corrected
    assert review.corrected_from == {
        "verdict": "unnecessary",
        "at_seq": None,
        "signal": "",
        "by": agent.user_id,
    }
    assert review.note == "bot knew this" and review.marked_by_id == agent.user_id
    again = review_correct(
        membership=lead, conversation=conversation, verdict="late", at_seq=customer_seqs(conversation)[0]
    )
    assert again.corrected_from["verdict"] == "unnecessary"  # the agent's marking, not the first correction


def test_confirming_a_conversation_nobody_marked_confirms_the_decision_as_made(desk):
    bot, _, lead = desk
    conversation = bot_resolved(bot)
    review = review_confirm(membership=lead, conversation=conversation)
    assert (review.verdict, review.handed_off, review.confirmed) == ("right_call", False, True)
    assert review_confirm(membership=lead, conversation=conversation).confirmed_at == review.confirmed_at


def test_another_companys_member_cannot_review(desk, make_tenant, make_agent):
    bot, _, _ = desk
    conversation = handed_off(bot)
    stranger = make_agent(make_tenant("globex"), "gus", role=Membership.Role.ADMIN)
    for write in (
        lambda: review_mark(membership=stranger, conversation=conversation, verdict="right_call"),
        lambda: review_confirm(membership=stranger, conversation=conversation),
        lambda: review_correct(membership=stranger, conversation=conversation, verdict="right_call"),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert not reviews(conversation).exists()
