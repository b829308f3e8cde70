"""Writes of the tickets app. Keyword-only, typed, atomic; emails are enqueued only after commit.

Contacts and email (what the issue left to us): a contact is the customer, matched by email within a
tenant (the email is unique per tenant). A ticket made from a chat is filed under the contact that owns
the email the customer gave (``collected["email"]``, else the visitor contact's own):

- the visitor contact is anonymous and nobody has that email yet: the visitor contact takes the email
  (and the name, if it had none), so widget, email and API now meet on one contact;
- somebody already has that email (an earlier chat, email or API contact): the ticket goes to that
  contact, so the agent sees the customer's earlier tickets and chats. The conversation keeps its
  visitor contact, because the widget's signed visitor token names it;
- no email at all: the ticket stays with the visitor contact and cannot continue by email.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F

from helpdesk.attachments import AttachmentRejected, attachment_files_removed_on_failure, attachment_store
from helpdesk.contacts import contact_find_or_create
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import Attachment, Contact, Conversation, HandoffReason, Membership, Message, Tenant
from helpdesk.outbox import outbox_add
from helpdesk.services import message_text_clean
from helpdesk.webhooks import webhook_emit
from tickets.inbound import InboundAttachment, InboundEmail, InboundRejected
from tickets.models import EmailStatus, Ticket, TicketCounter, TicketReply
from tickets.payloads import ticket_payload
from tickets.selectors import ticket_for_thread, ticket_sent_message_ids, transcript_text

SUBJECT_MAX = 80
# Emails may be longer than chat messages: a customer pasting a log should not be refused.
INBOUND_MAX_CHARS = 20_000


def _ticket_event(event: str, ticket: Ticket, *, changed: list[str] | None = None, reply=None) -> None:
    """Tell the tenant's webhooks, after commit (see ``helpdesk.webhooks``)."""

    def data() -> dict:
        body: dict = {"ticket": ticket_payload(ticket)}
        if changed is not None:
            body["changed"] = changed
        if reply is not None:
            body["reply"] = {
                "id": reply.pk,
                "author_kind": reply.author_kind,
                "private": reply.private,
                "body": reply.body,
                "created_at": reply.created_at.isoformat(),
            }
        return body

    webhook_emit(tenant_id=ticket.tenant_id, event=event, data=data)


def email_clean(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(
            f"{value!r} is not an email address.", fields={"email": ["Enter a valid email address."]}
        ) from exc
    return email


def contact_match_or_create(*, tenant: Tenant | int, email: str, name: str = "") -> tuple[Contact, bool]:
    """The tenant's contact with this email (any case), made if there is none; a missing name is filled.

    Safe under concurrency: the (tenant, email) unique constraint makes a racing second create fetch the
    first one's row instead.
    """
    return contact_find_or_create(tenant=tenant, email=email_clean(email), name=name)


def _ticket_contact(conversation: Conversation) -> Contact:
    visitor = conversation.contact
    name = str(conversation.collected.get("name") or "").strip()
    given = str(conversation.collected.get("email") or "").strip()
    email = visitor.email
    if given:
        # A bad address the bot picked up must not block the ticket: keep the visitor's own then.
        with suppress(InvalidInput):
            email = email_clean(given)
    if not email or email == visitor.email:
        return visitor
    if not visitor.email and not visitor.external_id:
        try:
            with transaction.atomic():
                Contact.objects.for_tenant(visitor.tenant_id).filter(pk=visitor.pk).update(
                    email=email, name=visitor.name or name
                )
            visitor.refresh_from_db(fields=["email", "name"])
            return visitor
        except IntegrityError:
            pass  # Somebody already has this email: file the ticket under them.
    contact, _ = contact_match_or_create(tenant=conversation.tenant_id, email=email, name=name)
    return contact


def ticket_number_allocate(*, tenant_id: int) -> int:
    """The tenant's next ticket number. ``UPDATE ... SET last_number = last_number + 1`` takes the counter
    row's lock until commit, so concurrent allocations queue up and never repeat a number."""
    with transaction.atomic():
        counter = TicketCounter.objects.filter(tenant_id=tenant_id)
        if not counter.update(last_number=F("last_number") + 1):
            try:
                with transaction.atomic():
                    TicketCounter.objects.create(tenant_id=tenant_id)
            except IntegrityError:
                pass  # Another allocation made the counter first; ours increments it below.
            counter.update(last_number=F("last_number") + 1)
        return counter.values_list("last_number", flat=True).get()


def _first_customer_text(conversation: Conversation) -> str:
    return (
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation, author_kind=Message.Author.CUSTOMER)
        .order_by("seq")
        .values_list("body", flat=True)
        .first()
        or ""
    )


def _subject_from(conversation: Conversation, first_text: str) -> str:
    text = " ".join(first_text.split())
    if not text:
        return f"Chat with {conversation.contact}"
    return text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 1].rstrip() + "…"


def _priority_clean(priority: str) -> str:
    if priority not in Ticket.Priority.values:
        raise InvalidInput(
            f"Unknown priority {priority!r}.",
            fields={"priority": [f"One of {', '.join(Ticket.Priority.values)}."]},
        )
    return priority


def ticket_email_request(
    *, tenant_id: int, ticket_id: int | None = None, reply_id: int | None = None
) -> None:
    """Record the email's sending in the outbox (in the caller's transaction; once per email)."""
    if ticket_id is not None:
        task, args, key = "tickets.tasks.ticket_email_customer_task", [ticket_id], f"email:ticket:{ticket_id}"
    else:
        task, args, key = "tickets.tasks.ticket_reply_email_task", [reply_id], f"email:reply:{reply_id}"
    outbox_add(tenant_id=tenant_id, task=task, args=args, key=key)


def _customer_email_request(ticket: Ticket) -> None:
    """Mark the ticket's first email as wanted and enqueue it after commit (the task sends it once)."""
    if not ticket.contact.email or ticket.customer_email_status != EmailStatus.NONE:
        return
    Ticket.objects.for_tenant(ticket.tenant_id).filter(pk=ticket.pk).update(
        customer_email_status=EmailStatus.PENDING
    )
    ticket.customer_email_status = EmailStatus.PENDING
    ticket_email_request(tenant_id=ticket.tenant_id, ticket_id=ticket.pk)


@transaction.atomic
def ticket_create_for_conversation(
    *,
    conversation: Conversation,
    reason: str,
    subject: str = "",
    priority: str = Ticket.Priority.NORMAL,
    notify_customer: bool = False,
) -> tuple[Ticket, bool]:
    """The conversation's ticket, created once: a second call returns the first ticket and ``False``.

    ``notify_customer`` (the continue-by-email policy) emails the customer the transcript and the number
    after commit, once, if the ticket's contact has an email. The ticket snapshots the transcript and the
    collected fields as they are now; later calls do not refresh them.
    """
    priority = _priority_clean(priority)
    if reason not in HandoffReason.values:
        raise InvalidInput(
            f"Unknown handoff reason {reason!r}.",
            fields={"reason": [f"One of {', '.join(HandoffReason.values)}."]},
        )
    # The conversation's row lock serialises creators on PostgreSQL; the unique constraint backs it up.
    locked = (
        Conversation.objects.for_tenant(conversation.tenant_id)
        .select_for_update(of=("self",))
        .select_related("contact", "bot")
        .get(pk=conversation.pk)
    )
    existing = Ticket.objects.filter(conversation=locked).select_related("contact").first()
    if existing is not None:
        if notify_customer:
            _customer_email_request(existing)
        return existing, False
    contact = _ticket_contact(locked)
    first_text = _first_customer_text(locked)
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                tenant_id=locked.tenant_id,
                number=ticket_number_allocate(tenant_id=locked.tenant_id),
                subject=(subject.strip() or _subject_from(locked, first_text))[:200],
                description=first_text,
                transcript=transcript_text(locked),
                collected=dict(locked.collected),
                handoff_reason=reason,
                priority=priority,
                contact=contact,
                conversation=locked,
            )
    except IntegrityError:
        # A concurrent call won where no row lock serialised us (SQLite): return its ticket.
        return Ticket.objects.select_related("contact").get(conversation=locked), False
    if notify_customer:
        _customer_email_request(ticket)
    _ticket_event("ticket.created", ticket)
    return ticket, True


def _body_clean(body: object) -> str:
    try:
        return message_text_clean(body)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message, fields={"body": exc.fields.get("text", [exc.message])}, code=exc.code
        ) from exc


def _same_tenant(ticket: Ticket, membership: Membership | None) -> None:
    if membership is not None and membership.tenant_id != ticket.tenant_id:
        raise NotFound("No such ticket.")


@transaction.atomic
def ticket_reply_add(
    *, ticket: Ticket, membership_or_none: Membership | None, body: str, private: bool = False
) -> TicketReply:
    """An agent's reply or private note (a system note without a membership). A public agent reply is
    emailed to the customer after commit, threaded on the ticket, when the contact has an email."""
    _same_tenant(ticket, membership_or_none)
    body = _body_clean(body)
    agent = membership_or_none is not None
    emailed = agent and not private and bool(ticket.contact.email)
    reply = TicketReply.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        author_kind=TicketReply.Author.AGENT if agent else TicketReply.Author.SYSTEM,
        author=membership_or_none.user if agent else None,
        body=body,
        private=private,
        email_status=EmailStatus.PENDING if emailed else EmailStatus.NONE,
    )
    ticket.save(update_fields=["updated_at"])
    if emailed:
        ticket_email_request(tenant_id=ticket.tenant_id, reply_id=reply.pk)
    _ticket_event("ticket.updated", ticket, changed=["reply"], reply=reply)
    return reply


@transaction.atomic
def ticket_customer_message_add(*, ticket: Ticket, body: str) -> TicketReply:
    """What the customer adds from the chat after the ticket was opened (the offline path)."""
    reply = TicketReply.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        author_kind=TicketReply.Author.CUSTOMER,
        body=_body_clean(body),
    )
    ticket.save(update_fields=["updated_at"])
    _ticket_event("ticket.updated", ticket, changed=["reply"], reply=reply)
    return reply


def _status_clean(status: str) -> str:
    if status not in Ticket.Status.values:
        raise InvalidInput(
            f"Unknown status {status!r}.", fields={"status": [f"One of {', '.join(Ticket.Status.values)}."]}
        )
    return status


@transaction.atomic
def ticket_status_set(*, ticket: Ticket, membership_or_none: Membership | None, status: str) -> Ticket:
    """Move the ticket to ``status``, leaving a private system note of who did it (nothing if unchanged)."""
    _same_tenant(ticket, membership_or_none)
    status = _status_clean(status)
    if ticket.status == status:
        return ticket
    ticket.status = status
    ticket.save(update_fields=["status", "updated_at"])
    who = membership_or_none.name if membership_or_none else "The helpdesk"
    _system_note(ticket, f"{who} set the status to {ticket.get_status_display()}.")
    _ticket_event("ticket.updated", ticket, changed=["status"])
    return ticket


@transaction.atomic
def ticket_assignee_set(*, ticket: Ticket, membership: Membership, assignee: Membership | None) -> Ticket:
    """Give the ticket to ``assignee`` (an agent of the same tenant) or to nobody."""
    _same_tenant(ticket, membership)
    if assignee is not None and assignee.tenant_id != ticket.tenant_id:
        raise InvalidInput(
            "That agent does not work here.", fields={"assignee": ["Pick an agent of this company."]}
        )
    new_id = assignee.user_id if assignee else None
    if ticket.assignee_id == new_id:
        return ticket
    ticket.assignee_id = new_id
    ticket.save(update_fields=["assignee", "updated_at"])
    _system_note(
        ticket, f"{membership.name} assigned the ticket to {assignee.name if assignee else 'nobody'}."
    )
    _ticket_event("ticket.updated", ticket, changed=["assignee"])
    return ticket


def _system_note(ticket: Ticket, body: str) -> TicketReply:
    return TicketReply.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        author_kind=TicketReply.Author.SYSTEM,
        body=body,
        private=True,
    )


@dataclass(frozen=True)
class InboundResult:
    ticket: Ticket
    reply: TicketReply
    created: bool
    reopened: bool
    follow_up_of: Ticket | None = None


def _inbound_ticket(tenant_id: int, email: InboundEmail) -> Ticket:
    number = email.ticket_number()
    ticket = None
    if number is not None:
        ticket = Ticket.objects.for_tenant(tenant_id).filter(number=number).first()
    ticket = ticket or ticket_for_thread(tenant_id=tenant_id, message_ids=list(email.thread_ids))
    if ticket is not None:
        return ticket
    if number is not None:
        raise InboundRejected("unknown_ticket", f"There is no ticket T-{number} here.")
    raise InboundRejected(
        "no_ticket_reference",
        "The message names no ticket: no [T-nnnn] in the subject and no known In-Reply-To.",
    )


def inbound_email_receive(*, tenant_id: int, email: InboundEmail) -> InboundResult:
    """Append a customer's emailed reply to its ticket; a solved or pending ticket opens again.

    The sender must be the ticket's contact, or the message must answer one of the emails we sent (their
    Message-IDs are unguessable), so knowing a ticket number is not enough to write on it. The same
    Message-ID twice is stored once. A reply to a closed ticket starts a follow-up ticket for the contact.
    When anything fails after its files were stored, the transaction rolls back and the files go too.
    """
    with attachment_files_removed_on_failure(), transaction.atomic():
        return _inbound_email_receive(tenant_id=tenant_id, email=email)


def _inbound_email_receive(*, tenant_id: int, email: InboundEmail) -> InboundResult:
    ticket = _inbound_ticket(tenant_id, email)
    ticket = (
        Ticket.objects.for_tenant(tenant_id)
        .select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=ticket.pk)
    )
    if email.sender != ticket.contact.email and not set(email.thread_ids) & ticket_sent_message_ids(ticket):
        raise InboundRejected(
            "sender_mismatch",
            f"{email.sender} is not the customer of {ticket.reference} and replied to none of its emails.",
        )
    if email.message_id:
        stored = TicketReply.objects.for_tenant(tenant_id).filter(message_id=email.message_id).first()
        if stored is not None:
            return InboundResult(ticket=stored.ticket, reply=stored, created=False, reopened=False)
    follow_up_of = None
    if ticket.status == Ticket.Status.CLOSED:
        follow_up_of, ticket = ticket, _follow_up_for(ticket)
    reply = TicketReply.objects.create(
        tenant_id=tenant_id,
        ticket=ticket,
        author_kind=TicketReply.Author.CUSTOMER,
        body=_inbound_body(email.text),
        message_id=email.message_id,
    )
    inbound_attachments_keep(ticket=ticket, reply=reply, attachments=email.attachments)
    reopened = ticket.status in (Ticket.Status.SOLVED, Ticket.Status.PENDING)
    ticket.status = Ticket.Status.OPEN
    ticket.save(update_fields=["status", "updated_at"])
    _ticket_event("ticket.updated", ticket, changed=["reply"], reply=reply)
    return InboundResult(
        ticket=ticket, reply=reply, created=True, reopened=reopened, follow_up_of=follow_up_of
    )


INBOUND_ATTACHMENTS_MAX = 10


def inbound_attachments_keep(
    *, ticket: Ticket, reply: TicketReply, attachments: tuple[InboundAttachment, ...]
) -> list[str]:
    """Keep an emailed reply's files that pass the checks every upload passes (type read from the bytes,
    ``ATTACHMENT_MAX_BYTES``) on the reply; list the others, each with its reason, in a private note on
    the ticket rather than dropping them unseen. Returns the notes' lines (empty when all were kept)."""
    kept, skipped = [], []
    for index, item in enumerate(attachments):
        name = item.name or f"attachment {index + 1}"
        if item.problem:
            skipped.append(f"{name}: {item.problem}")
            continue
        if len(kept) >= INBOUND_ATTACHMENTS_MAX:
            skipped.append(f"{name}: more than {INBOUND_ATTACHMENTS_MAX} attachments in one email")
            continue
        try:
            kept.append(
                attachment_store(
                    tenant=ticket.tenant_id,
                    data=item.data,
                    name=item.name,
                    uploader_kind=Attachment.Uploader.EMAIL,
                    conversation=ticket.conversation,
                )
            )
        except AttachmentRejected as exc:
            skipped.append(f"{name}: {exc.message}")
    if kept:
        reply.attachments.set(kept)
    if skipped:
        TicketReply.objects.create(
            tenant_id=ticket.tenant_id,
            ticket=ticket,
            author_kind=TicketReply.Author.SYSTEM,
            private=True,
            body="Attachments of the customer's email that were not kept:\n"
            + "\n".join(f"- {line}" for line in skipped),
        )
    return skipped


def _inbound_body(text: str) -> str:
    """An email is kept whole up to a generous limit (longer ones are cut with a mark, never refused)."""
    if len(text) <= INBOUND_MAX_CHARS:
        return text
    return text[:INBOUND_MAX_CHARS].rstrip() + "\n[… the rest of this email was cut]"


def _follow_up_for(closed: Ticket) -> Ticket:
    """The open follow-up of a closed ticket, made on the first reply after closing and reused after."""
    existing = (
        Ticket.objects.for_tenant(closed.tenant_id)
        .filter(follows_up=closed)
        .exclude(status=Ticket.Status.CLOSED)
        .select_related("contact")
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    follow_up = Ticket.objects.create(
        tenant_id=closed.tenant_id,
        number=ticket_number_allocate(tenant_id=closed.tenant_id),
        subject=f"Follow-up to {closed.reference}: {closed.subject}"[:200],
        description=f"The customer wrote again after {closed.reference} was closed.",
        contact=closed.contact,
        priority=closed.priority,
        follows_up=closed,
    )
    _ticket_event("ticket.created", follow_up)
    return follow_up
