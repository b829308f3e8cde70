"""Reads of the review loop: what a review judges, the customer's messages to choose from, and the leads'
review queue. Every read is a fixed number of queries, whatever the tenant holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from handoff.models import Handoff, HandoffReview, ReviewSignal
from handoff.reports.scope import LEAD_ROLES
from handoff.review.rules import verdicts_for
from helpdesk.models import Conversation, Message, Rating, Tenant
from tickets.models import Ticket

# A handoff decided by the model below this probability is worth a second look.
LOW_CERTAINTY = 0.7
LOW_CSAT = 2  # ratings of 1 and 2 out of 5
QUEUE_LIMIT = 50  # rows per part of the queue; the counts say how many there are in all
MESSAGE_TEXT_MAX = 90


def review_subject(conversation: Conversation) -> tuple[bool, Handoff | None]:
    """Whether the conversation was handed off, and its latest handoff (with the message that did it)."""
    handoff = (
        Handoff.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation)
        .select_related("trigger_message")
        .order_by("-created_at", "-pk")
        .first()
    )
    return handoff is not None, handoff


def handoff_seq(handoff: Handoff) -> int | None:
    """The seq of the message at which ``handoff`` happened: its trigger message, or (a handoff no customer
    message triggered: an error, a timeout, an agent taking over) the first message written after it.
    A late handoff names a customer message before this one; None when nothing was written after it."""
    if handoff.trigger_message_id is not None and handoff.trigger_message is not None:
        return handoff.trigger_message.seq
    return (
        Message.objects.for_tenant(handoff.tenant_id)
        .filter(conversation_id=handoff.conversation_id, created_at__gte=handoff.created_at)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )


def customer_seqs(conversation: Conversation) -> set[int]:
    return set(
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation, author_kind=Message.Author.CUSTOMER, private=False)
        .values_list("seq", flat=True)
    )


@dataclass(frozen=True)
class MessageChoice:
    seq: int
    text: str


def _choice(seq: int, body: str) -> MessageChoice:
    text = " ".join(body.split())
    if len(text) > MESSAGE_TEXT_MAX:
        text = text[: MESSAGE_TEXT_MAX - 1].rstrip() + "…"
    return MessageChoice(seq, text)


@dataclass(frozen=True)
class ReviewPanel:
    """What the marking form on a conversation page needs (three queries)."""

    reviewable: bool  # handed off, or resolved by the bot (leads only)
    handed_off: bool
    handoff: Handoff | None
    review: HandoffReview | None
    messages: list[MessageChoice]
    can_mark: bool  # the viewer may mark (or correct) it now
    is_lead: bool

    @property
    def verdicts(self) -> list[tuple[str, str]]:
        return [(v.value, v.label) for v in verdicts_for(handed_off=self.handed_off)]

    @property
    def signals(self) -> list[tuple[str, str]]:
        return ReviewSignal.choices

    @property
    def marked_text(self) -> str:
        """The customer's message a late or missed review names, as the form lists it."""
        seq = self.review.at_seq if self.review else None
        return next((m.text for m in self.messages if m.seq == seq), "") if seq else ""


def review_panel(*, conversation: Conversation, role: str) -> ReviewPanel:
    lead = role in LEAD_ROLES
    handed_off, handoff = review_subject(conversation)
    bot_resolved = not handed_off and conversation.status == Conversation.Status.RESOLVED
    review = (
        HandoffReview.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation)
        .select_related("marked_by", "confirmed_by")
        .first()
    )
    reviewable = handed_off or (bot_resolved and lead)
    messages = []
    if reviewable:
        rows = (
            Message.objects.for_tenant(conversation.tenant_id)
            .filter(conversation=conversation, author_kind=Message.Author.CUSTOMER, private=False)
            .order_by("seq")
            .values_list("seq", "body")
        )
        messages = [_choice(seq, body) for seq, body in rows]
    can_mark = reviewable and (lead or review is None or not review.confirmed)
    return ReviewPanel(reviewable, handed_off, handoff, review, messages, can_mark, lead)


# The review queue -------------------------------------------------------------------------------------


@dataclass
class QueuePart:
    rows: list = field(default_factory=list)
    total: int = 0


@dataclass
class ReviewQueue:
    marked: QueuePart  # reviews marked, not yet confirmed
    bot_resolved: QueuePart  # resolved by the bot alone, with a low rating or opened again
    uncertain: QueuePart  # handoffs decided by the model with a low probability, not reviewed
    messages: dict[int, list[MessageChoice]]  # each listed conversation's customer messages

    @property
    def total(self) -> int:
        return self.marked.total + self.bot_resolved.total + self.uncertain.total


def _bot_resolved(tenant_id: int) -> QuerySet:
    """Conversations the bot resolved alone that a customer signalled it did not help: a rating of 1 or 2,
    a message after the bot resolved it (the customer came back), or a ticket of it followed up after it
    was closed. Not yet reviewed."""
    first_bot_resolve = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            author_kind=Message.Author.SYSTEM,
            data__event="resolved",
            data__resolved_by="bot",
        )
        .order_by("seq")
        .values("seq")[:1]
    )
    came_back = Message.objects.filter(
        conversation=OuterRef("pk"), author_kind=Message.Author.CUSTOMER, seq__gt=OuterRef("bot_resolved_seq")
    )
    low_rating = Rating.objects.filter(conversation=OuterRef("pk"), score__lte=LOW_CSAT)
    followed_up = Ticket.objects.filter(conversation=OuterRef("pk"), status=Ticket.Status.CLOSED).filter(
        Exists(Ticket.objects.filter(follows_up=OuterRef("pk")))
    )
    return (
        Conversation.objects.for_tenant(tenant_id)
        .filter(status=Conversation.Status.RESOLVED)
        .filter(~Exists(Handoff.objects.filter(conversation=OuterRef("pk"))))
        .filter(~Exists(HandoffReview.objects.filter(conversation=OuterRef("pk"))))
        .annotate(bot_resolved_seq=Subquery(first_bot_resolve))
        .annotate(low_rating=Exists(low_rating), came_back=Exists(came_back), followed_up=Exists(followed_up))
        .filter(Q(low_rating=True) | Q(came_back=True) | Q(followed_up=True))
    )


def _uncertain(tenant_id: int) -> QuerySet:
    """Handoffs whose deciding signal was the model's, with a probability under ``LOW_CERTAINTY``, on
    conversations nobody reviewed: the latest handoff of each."""
    later = Handoff.objects.filter(
        conversation=OuterRef("conversation"), created_at__gt=OuterRef("created_at")
    )
    return (
        Handoff.objects.for_tenant(tenant_id)
        .filter(evidence__source="model", evidence__score__lt=LOW_CERTAINTY)
        .filter(~Exists(later))
        .filter(~Exists(HandoffReview.objects.filter(conversation=OuterRef("conversation"))))
    )


def review_queue(*, tenant: Tenant | int, limit: int = QUEUE_LIMIT) -> ReviewQueue:
    """The leads' queue, oldest first in each part (seven queries at any size)."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    marked_rows = HandoffReview.objects.for_tenant(tenant_id).filter(confirmed_at__isnull=True)
    marked = QueuePart(
        list(
            marked_rows.select_related(
                "conversation__contact", "conversation__bot", "handoff", "marked_by"
            ).order_by("marked_at", "pk")[:limit]
        ),
        marked_rows.count(),
    )
    resolved_rows = _bot_resolved(tenant_id)
    bot_resolved = QueuePart(
        list(resolved_rows.select_related("contact", "bot", "rating").order_by("updated_at", "pk")[:limit]),
        resolved_rows.order_by().count(),
    )
    uncertain_rows = _uncertain(tenant_id)
    uncertain = QueuePart(
        list(
            uncertain_rows.select_related(
                "conversation__contact", "conversation__bot", "trigger_message"
            ).order_by("created_at", "pk")[:limit]
        ),
        uncertain_rows.order_by().count(),
    )
    ids = [r.conversation_id for r in marked.rows] + [c.pk for c in bot_resolved.rows]
    ids += [h.conversation_id for h in uncertain.rows]
    messages: dict[int, list[MessageChoice]] = {}
    if ids:
        rows = (
            Message.objects.for_tenant(tenant_id)
            .filter(conversation_id__in=ids, author_kind=Message.Author.CUSTOMER, private=False)
            .order_by("conversation_id", "seq")
            .values_list("conversation_id", "seq", "body")
        )
        for conversation_id, seq, body in rows:
            messages.setdefault(conversation_id, []).append(_choice(seq, body))
    return ReviewQueue(marked, bot_resolved, uncertain, messages)
