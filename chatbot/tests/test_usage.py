"""Every model call of a bot's turn is accounted for, whatever came of it (chatbot.usage).

The whole turn runs for real (widget session, customer message, then the bot's turn as its task runs it);
only the HTTP edge is replaced: ``httpx2.HTTPTransport.handle_request`` answers like the Messages API
would, so the real anthropic SDK and the real responder of ``chatbot.knowledge`` are used.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx2
import pytest
from django.urls import reverse

from chatbot.llm import responder_cost_usd
from chatbot.models import ModelUsage
from chatbot.pipeline import bot_turn_run
from chatbot.responders.base import BotReply, ReplyKind
from chatbot.services import customer_message_receive, widget_conversation_start
from chatbot.usage import model_spend_for, model_usage_record, usage_outcome
from helpdesk.models import Conversation, Membership, Message
from helpdesk.services import conversation_status_set
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

MODEL = "claude-haiku-4-5"
USAGE = {
    "input_tokens": 1500,
    "output_tokens": 200,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 1200,
}
QUESTION = "Do you sell gift cards?"


def tool_answer(**tool_input: Any) -> httpx2.Response:
    body = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "tool_use", "id": "toolu_01", "name": "answer", "input": tool_input}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": USAGE,
    }
    return httpx2.Response(200, json=body)


def overloaded() -> httpx2.Response:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    return httpx2.Response(529, json=body, headers={"retry-after-ms": "1"})


@pytest.fixture
def messages_api(monkeypatch, settings):
    """The Messages API at the edge of the process: every request gets the next queued response."""
    settings.ANTHROPIC_MAX_RETRIES = 2
    settings.ANTHROPIC_TOTAL_BUDGET_SECONDS = 3.0
    queued: list[httpx2.Response] = []
    seen: list[httpx2.Request] = []

    def handle_request(transport, request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        assert request.url.host == "api.anthropic.com"
        return queued.pop(0) if len(queued) > 1 else queued[0]

    monkeypatch.setattr(httpx2.HTTPTransport, "handle_request", handle_request)
    return queued, seen


@pytest.fixture
def claude_bot(acme, make_bot):
    return make_bot(acme, "Lumen", model_name=MODEL, anthropic_api_key="sk-ant-tenant-own")


def customer_asks(bot, text: str, capture, conversation: Conversation | None = None) -> Message:
    """The customer's message is stored (its turn enqueued but not run), then the bot's turn runs, as
    the Celery task would run it."""
    if conversation is None:
        conversation = widget_conversation_start(public_key=bot.public_key).conversation
    with capture(execute=False):
        message, _ = customer_message_receive(conversation=conversation, text=text, client_msg_id="m1")
    bot_turn_run(conversation_id=conversation.pk, message_id=message.pk)
    return message


def the_row(message: Message) -> dict[str, Any]:
    row = every_tenant(ModelUsage).get(message=message)
    return {
        "tenant": row.tenant_id,
        "bot": row.bot_id,
        "conversation": row.conversation_id,
        "model": row.model_name,
        "tokens": (row.input_tokens, row.output_tokens, row.cache_read_tokens, row.cache_write_tokens),
        "cost_usd": row.cost_usd,
        "outcome": row.outcome,
        "attempts": row.attempts,
    }


def test_a_low_confidence_answer_that_hands_off_is_still_accounted_for(
    claude_bot, messages_api, django_capture_on_commit_callbacks
):
    queued, _ = messages_api
    queued.append(tool_answer(answer="I am not sure.", confidence=0.1, passage_ids=[], wants_human=False))

    message = customer_asks(claude_bot, QUESTION, django_capture_on_commit_callbacks)

    conversation = every_tenant(Conversation).get(pk=message.conversation_id)
    assert conversation.handoff_reason == "low_confidence"
    assert the_row(message) == {
        "tenant": claude_bot.tenant_id,
        "bot": claude_bot.pk,
        "conversation": conversation.pk,
        "model": MODEL,
        "tokens": (1500, 200, 1200, 0),
        "cost_usd": Decimal("0.00262"),
        "outcome": "low_confidence",
        "attempts": 1,
    }
    assert responder_cost_usd(MODEL, USAGE) == 0.00262


def test_a_malformed_answer_hands_off_and_its_billed_tokens_are_recorded(
    claude_bot, messages_api, django_capture_on_commit_callbacks
):
    queued, _ = messages_api
    queued.append(tool_answer(answer="Yes, we do."))  # no confidence: malformed

    message = customer_asks(claude_bot, QUESTION, django_capture_on_commit_callbacks)

    assert every_tenant(Conversation).get(pk=message.conversation_id).handoff_reason == "bot_error"
    row = the_row(message)
    assert (row["outcome"], row["tokens"], row["cost_usd"]) == (
        "malformed",
        (1500, 200, 1200, 0),
        Decimal("0.00262"),
    )


def test_an_error_that_billed_nothing_is_a_zero_row_with_its_attempts(
    claude_bot, messages_api, django_capture_on_commit_callbacks
):
    queued, seen = messages_api
    queued.append(overloaded())

    message = customer_asks(claude_bot, QUESTION, django_capture_on_commit_callbacks)

    assert every_tenant(Conversation).get(pk=message.conversation_id).handoff_reason == "bot_error"
    row = the_row(message)
    assert (row["outcome"], row["tokens"], row["cost_usd"], row["attempts"]) == (
        "overloaded",
        (0, 0, 0, 0),
        Decimal("0"),
        3,
    )
    assert len(seen) == 3


def test_a_confident_answer_is_recorded_once_with_the_bot_message(
    claude_bot, messages_api, django_capture_on_commit_callbacks
):
    queued, _ = messages_api
    queued.append(tool_answer(answer="Yes, from $10.", confidence=0.9, passage_ids=[], wants_human=False))

    message = customer_asks(claude_bot, QUESTION, django_capture_on_commit_callbacks)

    answer = every_tenant(Message).get(data__reply_to=message.pk)
    assert answer.body == "Yes, from $10."
    assert every_tenant(ModelUsage).filter(message=message).count() == 1
    assert the_row(message)["outcome"] == "answer"


def test_the_offline_answer_path_records_usage_too(
    claude_bot, messages_api, django_capture_on_commit_callbacks
):
    queued, _ = messages_api
    queued.append(tool_answer(answer="I can't tell.", confidence=0.1, passage_ids=[], wants_human=True))
    conversation = widget_conversation_start(public_key=claude_bot.public_key).conversation
    conversation_status_set(conversation=conversation, status=Conversation.Status.OFFLINE)

    message = customer_asks(claude_bot, QUESTION, django_capture_on_commit_callbacks, conversation)

    assert every_tenant(Message).filter(data__reply_to=message.pk, data__unchecked=True).exists()
    assert the_row(message)["outcome"] == "wants_human"


def test_the_local_responder_calls_no_model_and_records_nothing(bot, django_capture_on_commit_callbacks):
    message = customer_asks(bot, "How long does delivery take?", django_capture_on_commit_callbacks)

    assert every_tenant(Message).filter(data__reply_to=message.pk).exists()
    assert not every_tenant(ModelUsage).exists()


def record(bot, reply: BotReply) -> ModelUsage | None:
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    question = every_tenant(Message).filter(conversation=conversation).first()
    return model_usage_record(bot=bot, conversation=conversation, question=question, reply=reply)


def test_another_tenants_usage_is_not_visible_through_for_tenant(make_tenant, make_bot):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    acme_bot, globex_bot = make_bot(acme, "Acme bot"), make_bot(globex, "Globex bot")
    answer = BotReply(text="Yes.", confidence=0.9, usage=USAGE, model=MODEL, attempts=1, responder="claude")
    mine = record(acme_bot, answer)
    record(globex_bot, answer)
    record(globex_bot, answer)

    assert list(ModelUsage.objects.for_tenant(acme)) == [mine]
    assert model_spend_for(tenant_id=acme.pk) == {
        "calls": 1,
        "input_tokens": 1500,
        "output_tokens": 200,
        "cache_read_tokens": 1200,
        "cache_write_tokens": 0,
        "cost_usd": Decimal("0.00262000"),
    }
    assert model_spend_for(tenant_id=globex.pk)["calls"] == 2


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (BotReply(text="Yes.", confidence=0.9), "answer"),
        (BotReply(text="Hm.", confidence=0.2), "low_confidence"),
        (BotReply(text="Sure.", confidence=0.9, wants_human=True), "wants_human"),
        (BotReply(text="", confidence=0.0, kind=ReplyKind.ERROR, error="timeout"), "timeout"),
        (BotReply(text="Hi!", confidence=1.0, kind=ReplyKind.GREETING), "greeting"),
    ],
)
def test_the_outcome_names_what_the_reply_was(reply, outcome):
    assert usage_outcome(reply, confidence_threshold=0.35) == outcome


def test_a_tenant_admin_sees_only_their_spend_and_cannot_change_it(client, make_tenant, make_bot, make_agent):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    acme_bot, globex_bot = make_bot(acme, "Acme bot"), make_bot(globex, "Globex bot")
    answer = BotReply(text="Yes.", confidence=0.9, usage=USAGE, model=MODEL, attempts=1, responder="claude")
    mine, theirs = record(acme_bot, answer), record(globex_bot, answer)
    admin = make_agent(acme, "ada", role=Membership.Role.ADMIN)
    admin.user.is_staff = True
    admin.user.save()
    client.force_login(admin.user)

    listing = client.get(reverse("admin:chatbot_modelusage_changelist"))

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [mine]
    assert "Globex bot" not in listing.content.decode()
    assert client.get(reverse("admin:chatbot_modelusage_add")).status_code == 403
    assert client.get(reverse("admin:chatbot_modelusage_change", args=[theirs.pk])).status_code == 302
    assert (
        client.post(reverse("admin:chatbot_modelusage_delete", args=[mine.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert every_tenant(ModelUsage).count() == 2
