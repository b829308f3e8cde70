"""A small, hand-built history for the report tests: conversations, handoffs, agents joining, messages
and tickets with explicit timestamps, written with the ORM (the services stamp "now").

``known_history`` is the week the report tests assert exact figures on; its comments give each answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from handoff.models import Handoff
from helpdesk.models import Bot, Contact, Conversation, Membership, Message, Queue, Rating, Tenant
from tests.support.db import every_tenant
from tickets.models import BusinessHours, Closure, OpeningWindow, Ticket

CHICAGO = ZoneInfo("America/Chicago")
# Monday 2 March 2026 to Sunday 8 March 2026 (clocks go forward in Chicago early on the 8th).
WEEK_FIRST, WEEK_LAST = date(2026, 3, 2), date(2026, 3, 8)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    """A Chicago wall-clock time in 2026, as an aware datetime."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=CHICAGO)


@dataclass
class History:
    tenant: Tenant
    contact: Contact | None = None
    seqs: dict[int, int] = field(default_factory=dict)
    tickets: int = 1000

    def __post_init__(self) -> None:
        self.contact = Contact.objects.create(
            tenant=self.tenant, name="Pat", email=f"pat@{self.tenant.slug}.test"
        )

    def queue(self, name: str, *, zone: str | None = None, windows=(), closures=()) -> Queue:
        queue = Queue.objects.create(tenant=self.tenant, name=name, require_agent_online=False)
        if zone is not None:
            hours = BusinessHours.objects.create(tenant=self.tenant, queue=queue, timezone=zone)
            for weekday, start, end in windows:
                OpeningWindow.objects.create(
                    tenant=self.tenant, hours=hours, weekday=weekday, start=time(*start), end=time(*end)
                )
            for starts_at, ends_at in closures:
                Closure.objects.create(tenant=self.tenant, hours=hours, starts_at=starts_at, ends_at=ends_at)
        return queue

    def bot(self, name: str, queue: Queue | None) -> Bot:
        return Bot.objects.create(tenant=self.tenant, name=name, queue=queue)

    def conversation(self, bot: Bot, when: datetime, status: str = Conversation.Status.BOT) -> Conversation:
        conversation = Conversation.objects.create(
            tenant=self.tenant, bot=bot, contact=self.contact, status=status
        )
        every_tenant(Conversation).filter(pk=conversation.pk).update(created_at=when, updated_at=when)
        conversation.created_at = when
        self.message(conversation, when, Message.Author.CUSTOMER)
        return conversation

    def message(
        self, conversation: Conversation, when: datetime, kind: str, *, author=None, private: bool = False
    ) -> Message:
        seq = self.seqs.get(conversation.pk, 0) + 1
        self.seqs[conversation.pk] = seq
        message = Message.objects.create(
            tenant=self.tenant,
            conversation=conversation,
            author_kind=kind,
            author=author,
            body=f"{kind} at {when.isoformat()}",
            seq=seq,
            private=private,
        )
        every_tenant(Message).filter(pk=message.pk).update(created_at=when)
        return message

    def handoff(
        self,
        conversation: Conversation,
        when: datetime,
        reason: str,
        queue: Queue | None,
        *,
        offline: bool = False,
        accepted: tuple[Membership, datetime] | None = None,
        ended: datetime | None = None,
        status: str | None = None,
    ) -> Handoff:
        handoff = Handoff.objects.create(
            tenant=self.tenant,
            conversation=conversation,
            reason=reason,
            queue=queue,
            outcome=Handoff.Outcome.OFFLINE if offline else Handoff.Outcome.QUEUED,
            offered_at=None if offline else when,
            accepted_at=accepted[1] if accepted else None,
            accepted_by=accepted[0].user if accepted else None,
            ended_at=ended,
        )
        every_tenant(Handoff).filter(pk=handoff.pk).update(created_at=when)
        self.message(conversation, when, Message.Author.SYSTEM, private=True)
        if accepted:
            self.message(conversation, accepted[1], Message.Author.SYSTEM)
        changes = {"queue": queue, "handoff_reason": reason}
        if status:
            changes["status"] = status
        if accepted:
            changes["assignee"] = accepted[0].user
        every_tenant(Conversation).filter(pk=conversation.pk).update(**changes)
        return handoff

    def rating(
        self,
        conversation: Conversation,
        when: datetime,
        score: int,
        comment: str = "",
        *,
        agent: Membership | None = None,
        changed: datetime | None = None,
    ) -> Rating:
        """The customer's rating, first given at ``when`` (and last changed at ``changed``), of a
        conversation resolved by ``agent`` or, without one, by the bot."""
        rating = Rating.objects.create(
            tenant=self.tenant,
            conversation=conversation,
            score=score,
            comment=comment,
            resolved_by=Rating.ResolvedBy.AGENT if agent else Rating.ResolvedBy.BOT,
            agent=agent.user if agent else None,
        )
        every_tenant(Rating).filter(pk=rating.pk).update(created_at=when, updated_at=changed or when)
        return rating

    def ticket(self, conversation: Conversation, when: datetime) -> Ticket:
        self.tickets += 1
        ticket = Ticket.objects.create(
            tenant=self.tenant,
            number=self.tickets,
            subject="Offline request",
            contact=self.contact,
            conversation=conversation,
        )
        every_tenant(Ticket).filter(pk=ticket.pk).update(created_at=when)
        return ticket


@dataclass
class Known:
    tenant: Tenant
    support: Queue
    billing: Queue
    spoke: Bot
    ledger: Bot
    alice: Membership
    bob: Membership
    carol: Membership


def known_history(make_tenant, make_agent, slug: str = "acme") -> Known:
    """The week of 2-8 March 2026 (Chicago time), and a few conversations around it.

    Support has hours (Chicago, Monday to Friday 9:00-17:00, closed Wednesday 15:00-16:00 for an
    offsite); Billing has none (always within hours). Spoke hands off to Support, Ledger to Billing. Alice
    and Bob are agents, Carol the admin.

    Deflection, this week: Spoke 6 conversations, 2 resolved by the bot, 3 handed off (rate 0.4); Ledger
    2, 1 and 1 (0.5); everything 8, 3, 4 (3/7). The week before: Spoke 3, 2, 1 (2/3); Ledger none.
    Handoffs: 4, explicit request 2, sensitive topic 1, negative sentiment 1; Support 3 (1 inside hours,
    2 outside, 1 offline with its ticket), Billing 1 (inside). Pickup: Support 120 s and 600 s, Billing
    300 s. Alice: 2 conversations, first responses 60 s and 60 s, resolutions 960 s and 840 s; Bob: 1,
    first response 180 s (his private note before it does not count), handed back (not a resolution;
    the bot resolved it later).

    CSAT, ratings given this week: 5 (Spoke's bot, "Quick and clear, thanks"), 2 (Spoke's bot, first given
    on Monday, changed on Wednesday), 4 (Alice, sensitive topic, "Alice sorted out my refund"), 3 (the bot,
    after Bob handed it back, explicit request, "Took a while to get a person"), 1 (Alice, Ledger, negative
    sentiment, Thursday 23:55, "Still no refund after a week"). So 5 ratings, average 3.0, CSAT 0.4; the
    bot 3 (3.33, 0.3333), agents 2 (2.5, 0.5). A rating the week before and one just after, of
    conversations of the week, are not counted.
    """
    Status, Author = Conversation.Status, Message.Author
    tenant = make_tenant(slug)
    history = History(tenant)
    support = history.queue(
        "Support",
        zone="America/Chicago",
        windows=[(weekday, (9, 0), (17, 0)) for weekday in range(5)],
        closures=[(at(4, 15), at(4, 16))],
    )
    billing = history.queue("Billing")
    spoke, ledger = history.bot("Spoke", support), history.bot("Ledger", billing)
    alice = make_agent(tenant, f"{slug}-alice", name="Alice")
    bob = make_agent(tenant, f"{slug}-bob", name="Bob")
    carol = make_agent(tenant, f"{slug}-carol", role=Membership.Role.ADMIN, name="Carol")

    # This week, Spoke.
    b1 = history.conversation(spoke, at(2, 10), Status.RESOLVED)  # resolved by the bot
    history.rating(b1, at(2, 10, 5), 5, "Quick and clear, thanks")
    b2 = history.conversation(spoke, at(2, 11), Status.RESOLVED)  # resolved by the bot
    history.rating(b2, at(2, 11, 3), 2, changed=at(4, 9))
    c3 = history.conversation(spoke, at(3, 8))
    history.handoff(c3, at(3, 8, 5), "explicit_request", support, offline=True, status=Status.OFFLINE)
    history.ticket(c3, at(3, 8, 7))
    c4 = history.conversation(spoke, at(3, 10))
    history.handoff(
        c4,
        at(3, 10, 2),
        "sensitive_topic",
        support,
        accepted=(alice, at(3, 10, 4)),
        ended=at(3, 10, 20),
        status=Status.RESOLVED,
    )
    history.message(c4, at(3, 10, 5), Author.AGENT, author=alice.user)
    history.message(c4, at(3, 10, 8), Author.AGENT, author=alice.user)
    history.rating(c4, at(3, 10, 25), 4, "Alice sorted out my refund", agent=alice)
    history.conversation(spoke, at(4, 14))  # still with the bot
    c6 = history.conversation(spoke, at(4, 15))
    history.handoff(
        c6,
        at(4, 15, 1),
        "explicit_request",
        support,
        accepted=(bob, at(4, 15, 11)),
        ended=at(4, 15, 20),
        status=Status.BOT,
    )
    history.message(c6, at(4, 15, 12), Author.AGENT, author=bob.user, private=True)
    history.message(c6, at(4, 15, 14), Author.AGENT, author=bob.user)
    # Bob handed it back; the bot resolved it, and the customer rated it.
    every_tenant(Conversation).filter(pk=c6.pk).update(status=Status.RESOLVED, assignee=None)
    history.rating(c6, at(4, 16), 3, "Took a while to get a person")
    # This week, Ledger.
    c7 = history.conversation(ledger, at(5, 23, 30))
    history.handoff(
        c7,
        at(5, 23, 31),
        "negative_sentiment",
        billing,
        accepted=(alice, at(5, 23, 36)),
        ended=at(5, 23, 50),
        status=Status.RESOLVED,
    )
    history.message(c7, at(5, 23, 37), Author.AGENT, author=alice.user)
    history.rating(c7, at(5, 23, 55), 1, "Still no refund after a week", agent=alice)
    b8 = history.conversation(ledger, at(6, 12), Status.RESOLVED)  # resolved by the bot
    history.rating(b8, at(9, 0, 30), 5, "Rated after the week")  # not counted
    # The week before (23 February to 1 March), Spoke: 3 conversations, 2 resolved by the bot, 1 handed off.
    p1 = history.conversation(spoke, at(24, 9, month=2))
    history.handoff(
        p1, at(24, 9, 1, month=2), "explicit_request", support, offline=True, status=Status.OFFLINE
    )
    p2 = history.conversation(spoke, at(25, 9, month=2), Status.RESOLVED)
    history.rating(p2, at(25, 9, 5, month=2), 1, "Rated the week before")  # not counted
    history.conversation(spoke, at(1, 23, 59), Status.RESOLVED)
    # Just after the week: not counted.
    late = history.conversation(spoke, at(9, 0, 0, 1))
    history.handoff(late, at(9, 0, 1), "bot_error", support, accepted=(alice, at(9, 0, 2)))
    return Known(tenant, support, billing, spoke, ledger, alice, bob, carol)
