"""Outgoing ticket email: the "here is your ticket" email and agents' public replies, threaded.

Each email is sent at most once per row: the sender locks the row, skips it when its status is already
``sent``, sends, then records ``sent`` in the same transaction. A crash between the SMTP hand-over and the
commit can send a second copy; it carries the same Message-ID, so mail clients show one message. The
Message-ID is derived from the row and the secret key: a retry reuses it, and nobody can guess one (the
inbound side trusts a reply that quotes one). Threading: every email names the ticket in its subject
("[T-1042]") and its Reply-To plus-address (support+T-1042@...), and sets In-Reply-To/References to the
thread so far.
"""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from helpdesk.selectors import author_names
from tickets.hours import describe_next_opening, is_open
from tickets.inbound import REPLY_ABOVE_MARKER
from tickets.models import EmailStatus, Ticket, TicketReply
from tickets.selectors import mail_settings_for_tenant, schedule_for_queue

logger = logging.getLogger(__name__)

# References keeps the first message and the latest ones; a very long thread would make a huge header.
REFERENCES_KEPT = 10


def _addresses(ticket: Ticket) -> tuple[str, str]:
    """The From (with the tenant's name) and the Reply-To plus-address carrying the ticket number."""
    configured = mail_settings_for_tenant(ticket.tenant_id)
    sender = (configured.from_email if configured else "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    reply_to = (configured.reply_to if configured else "") or sender
    local, _, domain = reply_to.partition("@")
    return (
        formataddr((ticket.tenant.name, sender)),
        f"{local.split('+', 1)[0]}+{ticket.reference}@{domain}",
    )


def message_id_for(ticket: Ticket, kind: str, pk: int, sender: str) -> str:
    """The same Message-ID for the same email on every try, unguessable without the secret key."""
    digest = salted_hmac("tickets.message-id", f"{kind}:{pk}").hexdigest()[:24]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{ticket.reference}.{kind}{pk}.{digest}@{domain}>"


def _thread_ids(ticket: Ticket, before: TicketReply | None = None) -> list[str]:
    """Message-IDs of the thread in order: our first email, then every reply sent or received by email."""
    ids = [ticket.customer_email_message_id] if ticket.customer_email_message_id else []
    replies = TicketReply.objects.for_tenant(ticket.tenant_id).filter(ticket=ticket).exclude(message_id="")
    if before is not None:
        replies = replies.filter(created_at__lte=before.created_at).exclude(pk=before.pk)
    ids += list(replies.order_by("created_at", "pk").values_list("message_id", flat=True))
    return ids


def _threading_headers(ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    kept = ids if len(ids) <= REFERENCES_KEPT else [ids[0], *ids[-(REFERENCES_KEPT - 1) :]]
    return {"In-Reply-To": ids[-1], "References": " ".join(kept)}


def _send(
    ticket: Ticket, *, addresses: tuple[str, str], subject: str, body: str, message_id: str, thread: list[str]
) -> None:
    sender, reply_to = addresses
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=sender,
        to=[formataddr((ticket.contact.name, ticket.contact.email))],
        reply_to=[reply_to],
        headers={"Message-ID": message_id, **_threading_headers(thread)},
    )
    message.send(fail_silently=False)


def _back_text(ticket: Ticket) -> str:
    """When the team is back, if the ticket came from a queue that is closed right now."""
    conversation = ticket.conversation
    queue_id = conversation.bot.queue_id if conversation is not None else None
    schedule = schedule_for_queue(queue_id) if queue_id else None
    now = timezone.now()
    if schedule is None or is_open(schedule, now):
        return ""
    return describe_next_opening(schedule, now)


def ticket_email_customer(ticket_id: int) -> bool:
    """Email the customer their ticket number and the chat transcript; ``True`` if sent by this call.

    Sends only while the email is ``pending`` (requested by the continue-by-email policy), so running it
    twice sends once. SMTP and connection errors propagate for the task to retry.
    """
    with transaction.atomic():
        ticket = (
            Ticket.objects.unscoped("a queued email names its ticket by id")
            .select_for_update(of=("self",))
            .select_related("tenant", "contact", "conversation__bot")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None or ticket.customer_email_status != EmailStatus.PENDING:
            return False
        if not ticket.contact.email:
            ticket.customer_email_status = EmailStatus.FAILED
            ticket.save(update_fields=["customer_email_status"])
            return False
        addresses = _addresses(ticket)
        ticket.customer_email_message_id = message_id_for(ticket, "t", ticket.pk, addresses[0])
        body = render_to_string(
            "tickets/email/ticket_created.txt",
            {"ticket": ticket, "marker": REPLY_ABOVE_MARKER, "back": _back_text(ticket)},
        )
        _send(
            ticket,
            addresses=addresses,
            subject=f"[{ticket.reference}] {ticket.subject}",
            body=body,
            message_id=ticket.customer_email_message_id,
            thread=[],
        )
        ticket.customer_email_status = EmailStatus.SENT
        ticket.customer_emailed_at = timezone.now()
        ticket.save(
            update_fields=["customer_email_status", "customer_emailed_at", "customer_email_message_id"]
        )
    return True


def ticket_reply_email(reply_id: int) -> bool:
    """Email an agent's public reply to the customer, in the ticket's thread; ``True`` if sent now."""
    with transaction.atomic():
        reply = (
            TicketReply.objects.unscoped("a queued email names its reply by id")
            .select_for_update(of=("self",))
            .select_related("ticket__tenant", "ticket__contact")
            .filter(pk=reply_id)
            .first()
        )
        if reply is None or reply.email_status != EmailStatus.PENDING or reply.private:
            return False
        ticket = reply.ticket
        if not ticket.contact.email:
            reply.email_status = EmailStatus.FAILED
            reply.save(update_fields=["email_status"])
            return False
        addresses = _addresses(ticket)
        reply.message_id = message_id_for(ticket, "r", reply.pk, addresses[0])
        agent = author_names(ticket.tenant_id, [reply]).get(reply.author_id, "")
        body = render_to_string(
            "tickets/email/reply.txt",
            {"ticket": ticket, "reply": reply, "agent": agent, "marker": REPLY_ABOVE_MARKER},
        )
        _send(
            ticket,
            addresses=addresses,
            subject=f"Re: [{ticket.reference}] {ticket.subject}",
            body=body,
            message_id=reply.message_id,
            thread=_thread_ids(ticket, before=reply),
        )
        reply.email_status = EmailStatus.SENT
        reply.emailed_at = timezone.now()
        reply.save(update_fields=["email_status", "emailed_at", "message_id"])
    return True


def email_failed_mark(*, ticket_id: int | None = None, reply_id: int | None = None) -> None:
    """Record that an email could not be sent (a permanent refusal, or retries exhausted)."""
    if ticket_id is not None:
        Ticket.objects.unscoped("a failed email names its ticket by id").filter(
            pk=ticket_id, customer_email_status=EmailStatus.PENDING
        ).update(customer_email_status=EmailStatus.FAILED)
    if reply_id is not None:
        TicketReply.objects.unscoped("a failed email names its reply by id").filter(
            pk=reply_id, email_status=EmailStatus.PENDING
        ).update(email_status=EmailStatus.FAILED)
