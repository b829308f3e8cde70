"""Reads of the tickets app. Each starts from ``for_tenant()`` (or from an id the caller already scoped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from django.db.models import Q, QuerySet

from helpdesk.errors import NotFound
from helpdesk.models import Contact, Conversation, Membership, Message, Tenant
from helpdesk.payloads import attachment_payload
from helpdesk.selectors import author_names
from tickets import hours
from tickets.models import BusinessHours, MailSettings, Ticket, TicketReply

RECENT_HISTORY = 10


def schedule_for_queue(queue_id: int) -> hours.Schedule | None:
    """The queue's hours as a pure :class:`~tickets.hours.Schedule`; ``None`` when it has none configured,
    which means always within hours (a queue nobody set up is served around the clock, as before)."""
    row = (
        BusinessHours.objects.unscoped("the queue id comes from a row already read in its tenant")
        .filter(queue_id=queue_id)
        .prefetch_related("windows", "closures")
        .only("pk", "timezone")
        .first()
    )
    if row is None:
        return None
    return hours.Schedule(
        timezone=row.timezone,
        windows=tuple(hours.Window(w.weekday, w.start, w.end) for w in row.windows.all()),
        closures=tuple(hours.Closure(c.starts_at, c.ends_at, c.label) for c in row.closures.all()),
    )


def ticket_get(*, tenant: Tenant | int, number: int | str) -> Ticket:
    """The tenant's ticket with this number ("T-1042", "1042" or 1042); another tenant's is a 404 too."""
    try:
        value = int(str(number).strip().upper().removeprefix("T-"))
        return (
            Ticket.objects.for_tenant(tenant)
            .select_related("contact", "conversation", "assignee", "follows_up")
            .get(number=value)
        )
    except (Ticket.DoesNotExist, ValueError) as exc:
        raise NotFound("No such ticket.") from exc


def ticket_list(
    *, tenant: Tenant | int, status: str = "", assignee_id: int | None = None, query: str = ""
) -> QuerySet[Ticket]:
    """Tickets for the list page, newest activity first. An empty ``status`` means unsolved (open or
    pending); ``"all"`` means every status. ``query`` matches a ticket number, the subject or the contact."""
    qs = Ticket.objects.for_tenant(tenant).select_related("contact", "assignee")
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.unsolved()
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    query = query.strip()
    if query:
        number = query.upper().removeprefix("T-")
        match = (
            Q(subject__icontains=query)
            | Q(contact__email__icontains=query)
            | Q(contact__name__icontains=query)
        )
        if number.isdigit():
            match |= Q(number=int(number))
        qs = qs.filter(match)
    return qs.order_by("-updated_at", "-pk")


@dataclass(frozen=True)
class ReplyView:
    reply: TicketReply
    author_name: str
    # The files it carries, in their wire shape (helpdesk.payloads.attachment_payload).
    attachments: list[dict] = field(default_factory=list)


def ticket_replies(*, ticket: Ticket) -> list[ReplyView]:
    """Every reply and note of the ticket, oldest first, with the agents' display names and the files
    they carry (three queries)."""
    replies = list(
        TicketReply.objects.for_tenant(ticket.tenant_id)
        .filter(ticket=ticket)
        .order_by("created_at", "pk")
        .prefetch_related("attachments")
    )
    names = author_names(ticket.tenant_id, replies)
    contact_name = str(ticket.contact)
    out = []
    for reply in replies:
        if reply.author_kind == TicketReply.Author.AGENT:
            name = names.get(reply.author_id, "Agent")
        elif reply.author_kind == TicketReply.Author.CUSTOMER:
            name = contact_name
        else:
            name = "System"
        files = [attachment_payload(a) for a in sorted(reply.attachments.all(), key=lambda a: a.pk)]
        out.append(ReplyView(reply=reply, author_name=name, attachments=files))
    return out


@dataclass(frozen=True)
class ContactHistory:
    tickets: list[Ticket]
    conversations: list[Conversation]


def contact_history(
    *, tenant: Tenant | int, contact: Contact, exclude_ticket_id: int | None = None
) -> ContactHistory:
    """The customer's other recent tickets and conversations, so the agent never asks twice."""
    tickets = Ticket.objects.for_tenant(tenant).filter(contact=contact).exclude(pk=exclude_ticket_id)
    conversations = Conversation.objects.for_tenant(tenant).filter(contact=contact)
    return ContactHistory(
        tickets=list(tickets.order_by("-created_at")[:RECENT_HISTORY]),
        conversations=list(conversations.order_by("-created_at")[:RECENT_HISTORY]),
    )


def tenant_agents(*, tenant: Tenant | int) -> list[Membership]:
    return list(Membership.objects.for_tenant(tenant).select_related("user").order_by("display_name", "pk"))


def transcript_text(conversation: Conversation) -> str:
    """The conversation as plain text, one line per public message: what the customer and agents saw.

    Private notes are left out: the transcript is emailed to the customer.
    """
    messages = list(
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation, private=False)
        .order_by("seq")
    )
    names = author_names(conversation.tenant_id, messages)
    bot_name = conversation.bot.name
    lines = []
    for m in messages:
        if m.author_kind == Message.Author.BOT:
            who = bot_name
        elif m.author_kind == Message.Author.AGENT:
            who = names.get(m.author_id, "Agent")
        elif m.author_kind == Message.Author.CUSTOMER:
            who = "You"
        else:
            who = "Note"
        stamp = m.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"[{stamp}] {who}: {m.body}")
    return "\n".join(lines)


def mail_settings_for_tenant(tenant_id: int) -> MailSettings | None:
    return MailSettings.objects.for_tenant(tenant_id).first()


def mail_settings_for_token(token: str) -> MailSettings | None:
    """The tenant whose inbound token this is: the only way an inbound email learns its tenant."""
    if not token:
        return None
    settings = MailSettings.objects.unscoped("an inbound email finds its tenant by the secret token")
    return settings.select_related("tenant").filter(inbound_token=token).first()


def ticket_for_thread(*, tenant_id: int, message_ids: list[str]) -> Ticket | None:
    """The tenant's ticket that one of ``message_ids`` (In-Reply-To, References) belongs to."""
    ids = [i for i in message_ids if i]
    if not ids:
        return None
    found = Ticket.objects.for_tenant(tenant_id).filter(customer_email_message_id__in=ids).first()
    if found is not None:
        return found
    reply = (
        TicketReply.objects.for_tenant(tenant_id).filter(message_id__in=ids).select_related("ticket").first()
    )
    return reply.ticket if reply else None


def ticket_sent_message_ids(ticket: Ticket) -> set[str]:
    """The Message-IDs of the emails we sent on this ticket; unguessable, so quoting one proves receipt."""
    ids = set(
        TicketReply.objects.for_tenant(ticket.tenant_id)
        .filter(ticket=ticket, author_kind=TicketReply.Author.AGENT)
        .exclude(message_id="")
        .values_list("message_id", flat=True)
    )
    if ticket.customer_email_message_id:
        ids.add(ticket.customer_email_message_id)
    return ids
