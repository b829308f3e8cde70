"""The review loop's pages: the marking form on the inbox's conversation page, the leads' review queue and
its confirm and correct buttons. Another company's conversation is a 404 on every route, an agent is
refused the lead's actions with a clear page, and bad input is a 400 that names the field and stores
nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.models import HandoffReview
from handoff.review.services import review_confirm, review_mark
from handoff.tests.review_support import bot_resolved, customer_seqs, handed_off
from helpdesk.models import Membership
from helpdesk.services import conversation_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    return {
        "bot": bot,
        "agent": make_agent(tenant, "alice"),
        "lead": make_agent(tenant, "lena", role=Membership.Role.LEAD),
    }


@pytest.fixture
def stranger(make_tenant, make_agent):
    """An admin of another company."""
    return make_agent(make_tenant("globex"), "gus", role=Membership.Role.ADMIN)


def as_member(client, membership):
    client.force_login(membership.user)
    return client


def mark_url(conversation) -> str:
    return reverse("reports:review_mark", args=[conversation.pk])


def reviews(conversation):
    return HandoffReview.objects.for_tenant(conversation.tenant_id).filter(conversation=conversation)


def test_the_conversation_page_offers_the_review_form_and_an_agent_marks_from_it(client, desk):
    conversation = handed_off(desk["bot"])
    first, trigger = customer_seqs(conversation)
    page_url = reverse("inbox:conversation", args=[conversation.pk])

    page = as_member(client, desk["agent"]).get(page_url).content.decode()

    assert 'id="review-form"' in page and f'action="{mark_url(conversation)}"' in page
    assert f'<option value="{first}">#{first} How long does delivery take?</option>' in page
    assert 'value="missed"' not in page  # not a verdict for a handed-off conversation

    response = client.post(
        mark_url(conversation), {"verdict": "late", "at_seq": str(first), "signal": "person", "note": "asked"}
    )

    assert response.status_code == 303 and response["Location"] == page_url + "#review"
    review = reviews(conversation).get()
    assert (review.verdict, review.at_seq, review.signal, review.note) == ("late", first, "person", "asked")
    assert review.marked_by_id == desk["agent"].user_id and not review.confirmed
    page = client.get(page_url).content.decode()
    assert "Late: it should have come sooner" in page and "waiting for a lead to confirm" in page


def test_the_review_form_is_not_on_a_conversation_still_with_the_bot(client, desk):
    from chatbot.services import customer_message_receive, widget_conversation_start

    conversation = widget_conversation_start(public_key=desk["bot"].public_key).conversation
    customer_message_receive(
        conversation=conversation, text="How long does delivery take?", client_msg_id="1"
    )
    page = as_member(client, desk["lead"]).get(reverse("inbox:conversation", args=[conversation.pk]))
    assert page.status_code == 200 and 'id="review"' not in page.content.decode()


def test_only_a_lead_sees_the_form_on_a_conversation_the_bot_resolved(client, desk):
    conversation = bot_resolved(desk["bot"])
    url = reverse("inbox:conversation", args=[conversation.pk])
    assert 'id="review-form"' not in as_member(client, desk["agent"]).get(url).content.decode()
    page = as_member(client, desk["lead"]).get(url).content.decode()
    assert 'id="review-form"' in page and 'value="missed"' in page and 'value="unnecessary"' not in page


@pytest.mark.parametrize(
    ("form", "status", "message", "field"),
    [
        ({"verdict": "splendid"}, 400, "is not a verdict for a handed-off conversation", "Verdict"),
        ({"verdict": "missed", "at_seq": "2"}, 400, "is not a verdict for", "Verdict"),
        ({"verdict": "late"}, 400, "Say at which of the customer", "Where it should have handed off"),
        ({"verdict": "late", "at_seq": "x"}, 400, "Choose one of the customer", "Not a message number."),
        ({"verdict": "right_call", "signal": "pizza"}, 400, "is not a handoff signal", "What should"),
        ({"verdict": "right_call", "note": "n" * 2001}, 400, "longer than 2000", "Note"),
    ],
)
def test_bad_input_is_a_clear_page_and_stores_nothing(client, desk, form, status, message, field):
    conversation = handed_off(desk["bot"])

    response = as_member(client, desk["agent"]).post(mark_url(conversation), form)

    assert response.status_code == status
    page = response.content.decode()
    assert "The review was not saved" in page and message in page and field in page
    assert "Nothing was changed." in page
    assert not reviews(conversation).exists()


def test_a_late_handoff_at_or_after_the_message_that_handed_off_is_refused(client, desk):
    conversation = handed_off(desk["bot"])
    _, trigger = customer_seqs(conversation)
    bot_seq = conversation.messages.filter(author_kind="bot").values_list("seq", flat=True).first()
    as_member(client, desk["agent"])

    at_trigger = client.post(mark_url(conversation), {"verdict": "late", "at_seq": str(trigger)})
    not_customers = client.post(mark_url(conversation), {"verdict": "late", "at_seq": str(bot_seq)})

    assert at_trigger.status_code == 400
    assert "A late handoff names a message before the one that handed off." in at_trigger.content.decode()
    assert not_customers.status_code == 400
    assert "is not one of the customer&#x27;s messages" in not_customers.content.decode()
    assert not reviews(conversation).exists()


def test_another_companys_conversation_is_a_404_on_every_route(client, desk, stranger):
    conversation = handed_off(desk["bot"])
    review_mark(membership=desk["agent"], conversation=conversation, verdict="unnecessary")
    as_member(client, stranger)

    for name, form in (
        ("reports:review_mark", {"verdict": "right_call"}),
        ("reports:review_confirm", {}),
        ("reports:review_correct", {"verdict": "right_call"}),
    ):
        response = client.post(reverse(name, args=[conversation.pk]), form)
        assert response.status_code == 404, name
    missing = client.post(reverse("reports:review_confirm", args=[999999]))
    assert missing.status_code == 404

    queue = client.get(reverse("reports:review"))
    assert queue.status_code == 200
    assert f'id="review-{conversation.pk}"' not in queue.content.decode()
    review = reviews(conversation).get()
    assert (review.verdict, review.confirmed_at) == ("unnecessary", None)


def test_an_agent_cannot_confirm_correct_or_open_the_queue(client, desk):
    conversation = handed_off(desk["bot"])
    review_mark(membership=desk["agent"], conversation=conversation, verdict="unnecessary")
    as_member(client, desk["agent"])

    confirm = client.post(reverse("reports:review_confirm", args=[conversation.pk]))
    correct = client.post(
        reverse("reports:review_correct", args=[conversation.pk]), {"verdict": "right_call"}
    )
    queue = client.get(reverse("reports:review"))

    assert confirm.status_code == 403 and "Only leads and admins" in confirm.content.decode()
    assert correct.status_code == 403
    assert queue.status_code == 403 and "The review queue is for leads and admins" in queue.content.decode()
    review = reviews(conversation).get()
    assert (review.verdict, review.confirmed_at) == ("unnecessary", None)


def test_the_queue_lists_marked_low_rated_and_uncertain_conversations(client, desk):
    marked = handed_off(desk["bot"])
    review_mark(membership=desk["agent"], conversation=marked, verdict="unnecessary", note="FAQ")
    low = bot_resolved(desk["bot"])
    conversation_rate(conversation=low, score=1, comment="useless")
    happy = bot_resolved(desk["bot"], turns=("How much is a service?",))
    conversation_rate(conversation=happy, score=5)

    page = as_member(client, desk["lead"]).get(reverse("reports:review")).content.decode()

    assert f'id="review-{marked.pk}"' in page and "Unnecessary: the bot could have answered" in page
    assert "“FAQ”" in page and "Handed off: asked for a person" in page
    assert f'id="review-{low.pk}"' in page and "rated 1/5: “useless”" in page
    assert f'id="review-{happy.pk}"' not in page


def test_a_lead_confirms_and_corrects_from_the_queue(client, desk):
    first = handed_off(desk["bot"])
    second = handed_off(desk["bot"])
    review_mark(membership=desk["agent"], conversation=first, verdict="unnecessary")
    review_mark(membership=desk["agent"], conversation=second, verdict="unnecessary")
    as_member(client, desk["lead"])
    queue = reverse("reports:review")

    confirmed = client.post(reverse("reports:review_confirm", args=[first.pk]), {"next": queue + "#marked"})
    corrected = client.post(
        reverse("reports:review_correct", args=[second.pk]),
        {"verdict": "late", "at_seq": str(customer_seqs(second)[0]), "signal": "person", "next": queue},
    )

    assert confirmed.status_code == 303 and confirmed["Location"] == queue + "#marked"
    assert corrected.status_code == 303
    one, two = reviews(first).get(), reviews(second).get()
    assert one.confirmed_by_id == desk["lead"].user_id and one.verdict == "unnecessary"
    assert two.confirmed and (two.verdict, two.signal) == ("late", "person")
    assert two.corrected_from["verdict"] == "unnecessary"
    page = client.get(queue).content.decode()
    assert f'id="review-{first.pk}"' not in page and f'id="review-{second.pk}"' not in page


def test_a_redirect_elsewhere_is_not_followed(client, desk):
    conversation = handed_off(desk["bot"])
    response = as_member(client, desk["lead"]).post(
        reverse("reports:review_confirm", args=[conversation.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 303 and response["Location"] == reverse("reports:review")


def test_the_routes_take_only_their_method_and_a_logged_in_member(client, desk):
    conversation = handed_off(desk["bot"])
    assert client.post(mark_url(conversation), {"verdict": "right_call"}).status_code == 302  # to log in
    as_member(client, desk["lead"])
    assert client.get(mark_url(conversation)).status_code == 405
    assert client.post(reverse("reports:review")).status_code == 405
    assert not reviews(conversation).exists()


def test_the_queue_costs_the_same_queries_at_one_and_at_six_rows(client, desk):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:review")).status_code == 200
        return len(captured.captured_queries)

    review_mark(membership=desk["agent"], conversation=handed_off(desk["bot"]), verdict="unnecessary")
    as_member(client, desk["lead"])
    few = queries()
    for _ in range(3):
        review_mark(membership=desk["agent"], conversation=handed_off(desk["bot"]), verdict="right_call")
        conversation_rate(conversation=bot_resolved(desk["bot"]), score=2)
    assert queries() == few


def test_a_confirmed_review_cannot_be_changed_by_an_agent_from_the_page(client, desk):
    conversation = handed_off(desk["bot"])
    review_mark(membership=desk["agent"], conversation=conversation, verdict="unnecessary")
    review_confirm(membership=desk["lead"], conversation=conversation)
    as_member(client, desk["agent"])

    page = client.get(reverse("inbox:conversation", args=[conversation.pk])).content.decode()
    response = client.post(mark_url(conversation), {"verdict": "right_call"})

    assert 'id="review-form"' not in page and "confirmed by lena" in page
    assert response.status_code == 409 and "A lead has confirmed this review" in response.content.decode()
    assert reviews(conversation).get().verdict == "unnecessary"
