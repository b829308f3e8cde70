"""Celery tasks of the tickets app: thin adapters that take ids and are safe to run twice.

All are acknowledged late, so a worker killed halfway leaves the task on the broker to run again; the work
they call is idempotent (one ticket per conversation, one email per row). Email tasks retry SMTP and
connection errors with exponential backoff; a refused recipient, or the last failed retry, marks the
email ``failed`` on its row for the agents to see. ``ticket_emails_sweep`` is for beat: it re-enqueues
emails whose task was lost (a process that died between the commit and the enqueue).
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from helpdesk.models import Conversation, OutboxTask
from helpdesk.outbox import outbox_run
from tickets.mail import email_failed_mark, ticket_email_customer, ticket_reply_email
from tickets.models import EmailStatus, Ticket, TicketReply
from tickets.offline import offline_ticket_open as offline_ticket_run
from tickets.services import ticket_create_for_conversation, ticket_email_request

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)
# A refused recipient will be refused again: retrying only delays telling the agent.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)
MAX_RETRIES = 5
EMAIL_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "dont_autoretry_for": PERMANENT_ERRORS,
    "retry_backoff": True,
    # A direct call's retries wait less than the broker's visibility timeout (the outbox retries longer).
    "retry_backoff_max": 45,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}
# The sweep leaves fresh rows to their own task and gives up on rows older than a day.
SWEEP_GRACE = timedelta(minutes=5)
SWEEP_WINDOW = timedelta(days=1)


def email_retry_delay(attempt: int) -> float:
    """Seconds before the attempt after ``attempt``: 10 s doubling, capped at ten minutes."""
    return min(10 * 2 ** max(attempt - 1, 0), 600)


def _send_or_mark_failed(task, send, outbox_id: int | None, **row) -> None:
    """Send once under the outbox's lease. A transient failure is retried by the outbox (no broker message
    waits with a countdown) or, for a direct call, by Celery's autoretry; a refused recipient, or the last
    failed retry, marks the email failed."""
    with outbox_run(outbox_id) as run:
        if not run.mine:
            return
        try:
            send()
        except PERMANENT_ERRORS:
            email_failed_mark(**row)
        except TRANSIENT_ERRORS as exc:
            attempt = run.number if outbox_id is not None else task.request.retries + 1
            if attempt > task.max_retries:
                email_failed_mark(**row)
                if outbox_id is not None:
                    return
            if outbox_id is not None:
                run.retry(after=email_retry_delay(attempt), reason=f"{type(exc).__name__}: {exc}")
                return
            raise


@shared_task(**EMAIL_TASK_OPTIONS)
def ticket_email_customer_task(self, ticket_id: int, outbox_id: int | None = None) -> None:
    """The continue-by-email policy's email: the ticket number and the transcript."""
    _send_or_mark_failed(self, lambda: ticket_email_customer(ticket_id), outbox_id, ticket_id=ticket_id)


@shared_task(**EMAIL_TASK_OPTIONS)
def ticket_reply_email_task(self, reply_id: int, outbox_id: int | None = None) -> None:
    """An agent's public reply, to the customer's inbox, in the ticket's thread."""
    _send_or_mark_failed(self, lambda: ticket_reply_email(reply_id), outbox_id, reply_id=reply_id)


@shared_task(acks_late=True, ignore_result=True)
def ticket_create_task(
    conversation_id: int,
    reason: str,
    subject: str = "",
    priority: str = Ticket.Priority.NORMAL,
    notify_customer: bool = False,
) -> int | None:
    """Create the conversation's ticket (once, however often this runs); returns its number."""
    conversation = (
        Conversation.objects.unscoped("a queued task names its conversation by id")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return None
    ticket, _ = ticket_create_for_conversation(
        conversation=conversation,
        reason=reason,
        subject=subject,
        priority=priority,
        notify_customer=notify_customer,
    )
    return ticket.number


@shared_task(acks_late=True, ignore_result=True)
def ticket_emails_sweep() -> int:
    """Record in the outbox pending emails that have no outbox row (written before it existed, or by a
    process that died); returns how many. Safe: sending is once per row."""
    now = timezone.now()
    window = {"created_at__lt": now - SWEEP_GRACE, "created_at__gte": now - SWEEP_WINDOW}
    every_tenant = "the email sweep covers every tenant"
    tickets = Ticket.objects.unscoped(every_tenant).filter(
        customer_email_status=EmailStatus.PENDING, **window
    )
    replies = TicketReply.objects.unscoped(every_tenant).filter(email_status=EmailStatus.PENDING, **window)
    outbox = OutboxTask.objects.unscoped(every_tenant)
    count = 0
    for ticket_id, tenant_id in tickets.values_list("pk", "tenant_id"):
        if not outbox.filter(key=f"email:ticket:{ticket_id}").exists():
            ticket_email_request(tenant_id=tenant_id, ticket_id=ticket_id)
            count += 1
    for reply_id, tenant_id in replies.values_list("pk", "tenant_id"):
        if not outbox.filter(key=f"email:reply:{reply_id}").exists():
            ticket_email_request(tenant_id=tenant_id, reply_id=reply_id)
            count += 1
    return count


# Registered under the name it had in the handoff app: task messages already on the broker carry it.
@shared_task(name="handoff.tasks.offline_ticket_open", acks_late=True, ignore_result=True)
def offline_ticket_open(intake_id: int, outbox_id: int | None = None) -> None:
    """Open the ticket of a conversation on the offline path (idempotent; see tickets.offline). A failed
    run (the database went away) is run again by the outbox with a backoff."""
    with outbox_run(outbox_id) as run:
        if run.mine:
            offline_ticket_run(intake_id=intake_id)
