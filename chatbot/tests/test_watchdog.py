"""The bot-turn watchdog, one answer per customer message, and turns off the caller's thread."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from chatbot.pipeline import bot_turn_run
from chatbot.services import customer_message_receive, widget_conversation_start
from handoff.models import Handoff
from helpdesk.models import Conversation, Message, OutboxTask
from helpdesk.outbox import outbox_sweep
from helpdesk.services import message_create
from tests.support.db import every_tenant


@pytest.fixture
def session(acme, make_bot):
    return widget_conversation_start(public_key=make_bot(acme).public_key)


def ask(session, text: str = "How long does delivery take?", client_msg_id: str = "m-1") -> Message:
    """A customer message whose turn was recorded but never ran (no worker took it)."""
    message, _ = customer_message_receive(
        conversation=session.conversation, text=text, client_msg_id=client_msg_id
    )
    return message


def test_no_answer_within_the_bound_hands_the_customer_to_a_person(session, settings):
    # Given a question whose turn no worker runs
    settings.BOT_TURN_WATCHDOG_SECONDS = 30
    question = ask(session)

    # When the housekeeping sweep runs past the bound (and once more)
    later = timezone.now() + timedelta(seconds=31)
    every_tenant(OutboxTask).update(due_at=later + timedelta(hours=1))  # the broker holds it, nobody runs it
    assert outbox_sweep(now=later)["overdue"] == 1
    assert outbox_sweep(now=later)["overdue"] == 0

    # Then a person takes over for a bot error, and the customer is told where they stand
    conversation = every_tenant(Conversation).get(pk=session.conversation.pk)
    assert conversation.status == Conversation.Status.WAITING
    handoff = every_tenant(Handoff).get(conversation=conversation)
    assert (handoff.reason, handoff.evidence["rule"]) == ("bot_error", "watchdog")
    assert handoff.evidence["explanation"] == "No answer within 30 s"
    told = every_tenant(Message).filter(
        conversation=conversation, author_kind=Message.Author.BOT, private=False, seq__gt=question.seq
    )
    assert told.count() == 1
    assert "queue" in told.get().body.lower()

    # And a worker that finally runs the turn stays silent
    assert bot_turn_run(conversation_id=conversation.pk, message_id=question.pk) is None
    assert not every_tenant(Message).filter(reply_to=question).exists()


def test_a_turn_answered_in_time_is_left_alone_by_the_watchdog(session, settings):
    question = ask(session)
    bot_turn_run(conversation_id=session.conversation.pk, message_id=question.pk)
    later = timezone.now() + timedelta(seconds=settings.BOT_TURN_WATCHDOG_SECONDS + 1)
    every_tenant(OutboxTask).update(due_at=later + timedelta(hours=1))
    outbox_sweep(now=later)
    assert every_tenant(Conversation).get(pk=session.conversation.pk).status == Conversation.Status.BOT
    assert not every_tenant(Handoff).exists()


def test_running_a_turn_twice_answers_once(session):
    question = ask(session)
    first = bot_turn_run(conversation_id=session.conversation.pk, message_id=question.pk)
    second = bot_turn_run(conversation_id=session.conversation.pk, message_id=question.pk)
    assert first.pk == second.pk
    assert every_tenant(Message).filter(reply_to=question).count() == 1


def test_a_second_answer_to_the_same_question_returns_the_first(session):
    question = ask(session)
    conversation = every_tenant(Conversation).get(pk=session.conversation.pk)
    first, created = message_create(
        conversation=conversation, author_kind=Message.Author.BOT, body="One", reply_to=question
    )
    again, created_again = message_create(
        conversation=conversation, author_kind=Message.Author.BOT, body="Two", reply_to=question
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_the_database_refuses_two_answers_to_one_question(session):
    question = ask(session)
    conversation = every_tenant(Conversation).get(pk=session.conversation.pk)
    message_create(conversation=conversation, author_kind=Message.Author.BOT, body="One", reply_to=question)
    with pytest.raises(IntegrityError):
        Message.objects.create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            author_kind=Message.Author.BOT,
            body="Two",
            seq=99,
            reply_to=question,
        )


@pytest.mark.postgres  # SQLite's shared in-memory test database locks whole tables across threads
@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_turn_runs_on_a_task_thread_not_the_callers(acme, make_bot, settings):
    # Given the embedded mode's runner: tasks on threads of this process
    settings.TASKS_IN_THREADS = True
    session = widget_conversation_start(public_key=make_bot(acme).public_key)

    # When a customer writes, the call returns before the bot has answered...
    question, _ = customer_message_receive(
        conversation=session.conversation, text="How long does delivery take?", client_msg_id="m-1"
    )

    # ...and the answer arrives from the task thread
    row = every_tenant(OutboxTask).get(key=f"bot_turn:{question.pk}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and row.outcome != OutboxTask.Outcome.DONE:
        time.sleep(0.05)
        row.refresh_from_db()
    assert row.outcome == OutboxTask.Outcome.DONE
    answer = every_tenant(Message).get(reply_to=question)
    assert "5 to 7 working days" in answer.body
