"""The offline path: when nobody can pick a handoff up, the customer still gets somewhere.

A queue that is closed (outside its business hours, or nobody online) or a conversation that waited past
its pickup deadline goes here, by the bot's offline policy:

- ``collect_contact``: the bot asks for an email (validated; corrections accepted) and a name (the customer
  may skip it), then a ticket is opened;
- ``email``: the same, and the ticket continues by email (transcript and number sent to the customer);
  with an email already collected the ticket is opened at once;
- ``bot_disclaimer``: the bot goes on answering, each answer marked as not checked by a person, and
  offers a ticket (an email address in any message takes it up).

The customer is always told what happens next and when the team is back. The ticket is created by a
Celery task after commit (idempotent: one ticket per conversation, one confirmation message).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from helpdesk.language import speaking_to
from helpdesk.models import Conversation, Message, OfflinePolicy, Queue
from helpdesk.outbox import outbox_add
from helpdesk.services import conversation_collected_merge, conversation_status_set, message_create
from tickets.hours import describe_next_opening, is_open, next_opening
from tickets.models import OfflineIntake
from tickets.offline_text import (
    added_to_ticket_text,
    ask_email_text,
    ask_name_text,
    bad_email_text,
    closed_text,
    contact_reply_parse,
    email_updated_text,
    follow_up_soon_text,
    need_email_text,
    offer_text,
    opener_text,
    ticket_opened_text,
)
from tickets.selectors import schedule_for_queue
from tickets.services import ticket_create_for_conversation, ticket_customer_message_add

Step = OfflineIntake.Step


def reopening_text(queue: Queue | None, now=None) -> str:
    """When the team is back, from the queue's business hours ("We're back Monday at 9:00 (New York
    time)"); empty when the hours name no time (none set, open now, or no opening ahead)."""
    schedule = schedule_for_queue(queue.pk) if queue is not None else None
    if schedule is None:
        return ""
    moment = now or timezone.now()
    if next_opening(schedule, moment) is None or is_open(schedule, moment):
        return ""
    return describe_next_opening(schedule, moment)


def back_text(queue: Queue | None, now=None) -> str:
    """When the team is back, from the queue's business hours; without a time to name, a plain promise."""
    return reopening_text(queue, now) or follow_up_soon_text()


def _say(conversation: Conversation, body: str, **data) -> Message:
    """A bot message on the offline path; ``body`` was written under ``speaking_to(conversation)``."""
    message, _ = message_create(
        conversation=conversation, author_kind=Message.Author.BOT, body=body, data={"offline": True, **data}
    )
    return message


def _ticket_requested(intake: OfflineIntake) -> None:
    """The ticket is opened by a task recorded in this transaction (see helpdesk.outbox): a broker outage
    or a worker that dies cannot lose it. The key names this request, so a repeat is one ticket too."""
    conversation = intake.conversation
    outbox_add(
        tenant_id=intake.tenant_id,
        task="tickets.tasks.offline_ticket_open",
        args=[intake.pk],
        key=f"offline_ticket:{intake.pk}:{conversation.last_seq}",
    )


@transaction.atomic
def offline_path_take(*, conversation: Conversation, why: str, reason: str) -> OfflineIntake:
    """Put the conversation on the offline path of its bot's policy and tell the customer."""
    with speaking_to(conversation):
        return _offline_path_take(conversation, why, reason)


def _offline_path_take(conversation: Conversation, why: str, reason: str) -> OfflineIntake:
    policy = conversation.bot.offline_policy
    queue = conversation.queue or conversation.bot.queue
    conversation_status_set(conversation=conversation, status=Conversation.Status.OFFLINE)
    email = (conversation.collected or {}).get("email", "") or conversation.contact.email
    opener, back = opener_text(why), back_text(queue)
    if policy == OfflinePolicy.BOT_DISCLAIMER:
        step = Step.OFFER
    else:
        step = Step.DONE if email and contact_reply_parse(email).email else Step.ASK_EMAIL
    intake, _ = OfflineIntake.objects.update_or_create(
        conversation=conversation,
        defaults={
            "tenant_id": conversation.tenant_id,
            "policy": policy,
            "step": step,
            "why": why,
            "reason": reason,
        },
    )
    if step == Step.OFFER:
        _say(conversation, offer_text(opener, back), event="offline")
    elif step == Step.ASK_EMAIL:
        _say(conversation, ask_email_text(opener, reopening_text(queue)), event="offline")
    else:
        _say(conversation, closed_text(opener, back), event="offline")
        _ticket_requested(intake)
    return intake


def _finish(intake: OfflineIntake, conversation: Conversation) -> None:
    intake.step = Step.DONE
    intake.save(update_fields=["step", "updated_at"])
    _ticket_requested(intake)


@transaction.atomic
def offline_message_receive(*, conversation: Conversation, message: Message) -> bool:
    """Handle a customer's message on the offline path. Returns False when the bot should answer it
    itself (the bot-with-disclaimer policy, for a message that is not contact details)."""
    with speaking_to(conversation):
        return _offline_message_receive(conversation, message)


def _offline_message_receive(conversation: Conversation, message: Message) -> bool:
    intake = OfflineIntake.objects.select_for_update().filter(conversation=conversation).first()
    if intake is None:
        return False
    reply = contact_reply_parse(message.body, expecting_name=intake.step == Step.ASK_NAME)
    fields = {k: v for k, v in (("email", reply.email), ("name", reply.name)) if v}
    if fields:
        conversation_collected_merge(conversation=conversation, fields=fields, overwrite=True)
    if intake.step == Step.DONE:
        if intake.ticket is None:
            return True  # the ticket is on its way and will take this message in its transcript
        ticket_customer_message_add(ticket=intake.ticket, body=message.body)
        if reply.email:
            _say(conversation, email_updated_text(intake.ticket.reference, reply.email))
        else:
            _say(conversation, added_to_ticket_text(intake.ticket.reference))
        return True
    if intake.step == Step.OFFER and not reply.email and not reply.bad_email:
        return False
    if reply.bad_email:
        _say(conversation, bad_email_text(reply.bad_email))
        return True
    if intake.step in (Step.ASK_EMAIL, Step.OFFER):
        if not reply.email:
            _say(conversation, need_email_text())
            return True
        if reply.name:
            _finish(intake, conversation)
        else:
            intake.step = Step.ASK_NAME
            intake.save(update_fields=["step", "updated_at"])
            _say(conversation, ask_name_text())
        return True
    # Step.ASK_NAME: a name or a skip finishes; anything else (a corrected email, say) asks again.
    if reply.name or reply.skip:
        _finish(intake, conversation)
    else:
        _say(conversation, ask_name_text())
    return True


@transaction.atomic
def offline_ticket_open(*, intake_id: int) -> None:
    """Open the conversation's ticket and tell the customer its number. Safe to run twice: one ticket, one
    confirmation."""
    intake = (
        OfflineIntake.objects.unscoped("a queued task names its intake by id")
        .select_for_update(of=("self",))
        .select_related("conversation", "conversation__bot", "conversation__contact")
        .get(pk=intake_id)
    )
    ticket, _ = ticket_create_for_conversation(
        conversation=intake.conversation,
        reason=intake.reason,
        notify_customer=intake.policy == OfflinePolicy.EMAIL,
    )
    if intake.ticket_id != ticket.pk:
        intake.ticket = ticket
        intake.save(update_fields=["ticket", "updated_at"])
    offline_ticket_confirm(intake=intake, ticket=ticket)


def offline_ticket_confirm(*, intake: OfflineIntake, ticket) -> None:
    """Tell the customer the ticket's number, once."""
    conversation = intake.conversation
    if Message.objects.filter(conversation=conversation, data__ticket=ticket.reference).exists():
        return
    email = (conversation.collected or {}).get("email", "")
    with speaking_to(conversation):
        text = ticket_opened_text(
            reference=ticket.reference,
            name=(conversation.collected or {}).get("name", ""),
            email=email or ticket.contact.email,
            by_email=intake.policy == OfflinePolicy.EMAIL,
            back=reopening_text(conversation.queue or conversation.bot.queue),
        )
    _say(conversation, text, ticket=ticket.reference)
