"""``manage.py scale_data``: a tenant of its own filled with a realistic volume of data, to measure pages.

By default 100,000 conversations and 1,000,000 messages (meant for PostgreSQL; SQLite takes smaller
numbers), in a tenant named by ``--tenant`` (``scale``): an admin and ``--agents`` agents, one bot with a
queue they all work, contacts with names and emails (some anonymous, some coming back), conversations in
every status (mostly resolved; with the bot, waiting, with an agent, sent to a ticket), handoff records
with their reason and pickup times, tickets for the offline ones, and read markers for the agents.
A few conversations are long (``--long`` of ``--long-messages``); the rest share the other messages
unevenly, as real traffic does. Messages are stored in time order across conversations, as they arrive.

Everything is written in one transaction with ``bulk_create`` in batches, so a failed load leaves
nothing behind; on PostgreSQL the tables are vacuumed and analysed afterwards, as they would be in
production, so the planner sees their real size. ``seq`` runs 1..n in each conversation and
``last_seq`` is n. An existing tenant is refused unless ``--replace`` is given, which deletes that
tenant's rows (and the users this command made for it) first.

It writes rows of every app (bot, queue, handoffs, tickets, read markers), so it lives in the app at the
top of the import order.
"""

from __future__ import annotations

import heapq
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from handoff.models import Handoff
from helpdesk.bulk import REASON_WEIGHTS, tenant_bulk_delete, timestamps_as_given
from helpdesk.models import (
    Bot,
    Contact,
    Conversation,
    HandoffReason,
    Membership,
    Message,
    Queue,
    Tenant,
)
from inbox.models import ReadMarker
from tickets.models import Ticket, TicketCounter

Status = Conversation.Status
Author = Message.Author

LONG_CONVERSATIONS = 5
LONG_MESSAGES = 2000
STATUS_WEIGHTS = {
    Status.RESOLVED: 72,
    Status.BOT: 8,
    Status.OFFLINE: 8,
    Status.ASSIGNED: 7,
    Status.WAITING: 5,
}
# What the long conversations are, in turn: most of them in the open lists, where agents open them.
LONG_STATUSES = (Status.ASSIGNED, Status.WAITING, Status.ASSIGNED, Status.RESOLVED, Status.BOT)
RESOLVED_HANDED_OFF = 0.4
RESOLVED_WITH_TICKET = 0.03
CHANNEL_WEIGHTS = {
    Conversation.Channel.WIDGET: 85,
    Conversation.Channel.API: 10,
    Conversation.Channel.EMAIL: 5,
}
TICKET_STATUS_WEIGHTS = {"open": 35, "pending": 15, "solved": 30, "closed": 20}
TICKET_PRIORITY_WEIGHTS = {"low": 15, "normal": 60, "high": 20, "urgent": 5}
HISTORY_DAYS = 90

# fmt: off
FIRST_NAMES = (
    "Maria", "Liam", "Noah", "Olivia", "Emma", "Ava", "Lucas", "Mia", "Amir", "Yuki", "Chen", "Priya",
    "Sofia", "Mateo", "Lea", "Jonas", "Ines", "Tomas", "Aisha", "Omar", "Hana", "Ivan", "Elena", "Pablo",
    "Marta", "Kofi", "Zara", "Leo", "Nina", "Ravi", "Sara", "Ben", "Julia", "Felix", "Alma", "Diego", "Rosa",
    "Hugo",
)
LAST_NAMES = (
    "Garcia", "Smith", "Jones", "Muller", "Rossi", "Dubois", "Silva", "Kim", "Tanaka", "Nguyen", "Patel",
    "Kowalski", "Novak", "Jensen", "Larsen", "Costa", "Moreau", "Fischer", "Weber", "Haddad", "Okafor",
    "Mensah", "Ivanova", "Lopez", "Romero", "Santos", "Berg", "Lindqvist", "Ito", "Khan",
)
# fmt: on
CITIES = ("Lyon", "Austin", "Porto", "Osaka", "Leeds", "Graz", "Quito", "Perth", "Malmo", "Accra")
PRODUCTS = ("gravel bike", "helmet", "rear light", "chain", "saddle", "e-bike battery", "pump", "lock")
CUSTOMER_LINES = (
    "Hi, my order {order} hasn't arrived yet. Where is it?",
    "How long does delivery to {city} take?",
    "Is the {product} in stock in a medium size?",
    "Could the {product} from my recent order go back for a refund?",
    "The {product} I got is scratched, can you replace it?",
    "Is it too late to send {order} to my office instead?",
    "Do you offer servicing for bikes bought elsewhere?",
    "I was charged twice for {order}, please check.",
    "Thanks, that helps.",
    "OK, and how much would that cost?",
    "Still waiting on an answer here.",
    "Can someone tell me when the {product} will be back?",
)
BOT_LINES = (
    "Bikes are delivered in 5 to 7 working days; accessories in 2 to 3.",
    "Unused accessories can be returned within 14 days, bikes within 30 days.",
    "A standard service costs $49 and includes brake and gear adjustment.",
    "You can track {order} from the link in your confirmation email.",
    "Measure your inside leg and use the size chart on the product page.",
    "We deliver to {city}; it usually takes a few working days.",
)
AGENT_LINES = (
    "Hi, I'm looking at {order} now, one moment please.",
    "I've arranged a replacement {product}; it ships today.",
    "The refund is on its way, you'll see it in 3 to 5 days.",
    "I've updated the address on {order}.",
    "Is there anything else I can help with?",
    "Sorry about the wait, our courier in {city} was delayed.",
)
HANDOFF_MESSAGE = (
    "I'm connecting you with a support agent who can help with this. You're number 3 in the queue."
)
OFFLINE_MESSAGE = "Nobody is available right now. Leave your email and we'll answer you by email."


@dataclass(slots=True)
class ConversationPlan:
    """What one conversation will hold, decided before anything is written."""

    messages: int
    status: str
    ends_at: datetime
    step_seconds: int
    contact: int
    channel: str
    reason: str = ""
    assignee_id: int | None = None
    handoff_at: int | None = None  # 0-based index of the "Handed off" system message
    ticket: bool = False
    long: bool = False
    pk: int | None = None

    @property
    def starts_at(self) -> datetime:
        return self.ends_at - timedelta(seconds=self.step_seconds * (self.messages - 1))

    def at(self, index: int) -> datetime:
        return self.starts_at + timedelta(seconds=self.step_seconds * index)


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _counts(
    rng: random.Random, conversations: int, messages: int, long: int, long_messages: int
) -> list[int]:
    """Messages per conversation: ``long`` of ``long_messages``, the rest share what is left unevenly
    (log-normal weights), each at least one."""
    rest = conversations - long
    counts = [long_messages] * long
    if not rest:
        return counts
    spare = messages - long * long_messages - rest
    weights = [rng.lognormvariate(0, 0.9) for _ in range(rest)]
    total = sum(weights)
    shares = [int(spare * w / total) for w in weights]
    for index in rng.sample(range(rest), spare - sum(shares)):
        shares[index] += 1
    return counts + [1 + share for share in shares]


class Command(BaseCommand):
    help = (
        "Create a tenant of its own with a realistic volume of data (default 100,000 conversations and "
        "1,000,000 messages) to measure pages at scale. Meant for PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="scale", help="Slug of the tenant to create (default scale).")
        parser.add_argument("--conversations", type=int, default=100_000, help="Default 100,000.")
        parser.add_argument("--messages", type=int, default=1_000_000, help="Default 1,000,000.")
        parser.add_argument("--agents", type=int, default=20, help="Agents besides the admin (default 20).")
        parser.add_argument(
            "--long",
            type=int,
            help=f"How many long conversations (default {LONG_CONVERSATIONS}, fewer when the messages do "
            "not allow them).",
        )
        parser.add_argument(
            "--long-messages",
            type=int,
            help=f"Messages in each long conversation (default {LONG_MESSAGES:,}, or a twentieth of "
            "--messages when that is smaller).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed: the same seed, the same data."
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per INSERT (default 5,000).")
        parser.add_argument(
            "--password",
            default="",
            help="Password of the admin and the agents (default: none; log in "
            "with a session made by a script, as bench/pages.py does).",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete the tenant's data first if the tenant exists."
        )

    def handle(self, *args, **options) -> None:
        options = self._checked(options)
        slug = options["tenant"]
        started = time.monotonic()
        with transaction.atomic():
            # One transaction: a failed load leaves the tenant as it was, replaced or not.
            existing = Tenant.objects.filter(slug=slug).first()
            if existing is not None:
                if not options["replace"]:
                    raise CommandError(
                        f"Tenant {slug!r} already exists. Pass --replace to delete its data and load it "
                        "again, or name another tenant with --tenant."
                    )
                deleted = tenant_bulk_delete(existing, f"{slug}-")
                self._say(options, f"Deleted tenant {slug!r} ({deleted:,} rows).")
            usernames = self._usernames(slug, options["agents"])
            taken = list(get_user_model().objects.filter(username__in=usernames).order_by("username")[:3])
            if taken:
                names = ", ".join(user.get_username() for user in taken)
                raise CommandError(
                    f"Users named like this tenant's agents already exist ({names}): pick another --tenant."
                )
            summary = Loader(options, progress=options["verbosity"] > 0).load()
        self._say(options, "Analysing the tables…")
        _analyse()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Tenant {slug!r} (id {summary['tenant_id']}): {summary['conversations']:,} conversations, "
                f"{summary['messages']:,} messages, {summary['contacts']:,} contacts, "
                f"{summary['handoffs']:,} handoffs, {summary['tickets']:,} tickets in {seconds:.0f} s."
            )
        )
        self.stdout.write(
            f"  Admin: {summary['admin']}; agents: {summary['agents'][0]} … {summary['agents'][-1]}"
        )
        self.stdout.write(f"  Long conversations: {', '.join(map(str, summary['long']))}")

    def _say(self, options: dict, text: str) -> None:
        if options["verbosity"] > 0:
            self.stdout.write(text)

    @staticmethod
    def _usernames(slug: str, agents: int) -> list[str]:
        return [f"{slug}-admin"] + [f"{slug}-agent-{i:02d}" for i in range(1, agents + 1)]

    def _checked(self, options: dict) -> dict:
        """The options, with the defaults that depend on others filled in; bad input is a CommandError."""
        try:
            validate_slug(options["tenant"])
        except ValidationError as exc:
            raise CommandError(f"--tenant {options['tenant']!r}: use letters, digits, - and _ only.") from exc
        if len(options["tenant"]) > 60:
            raise CommandError("--tenant: at most 60 characters.")
        for name in ("conversations", "messages", "agents", "batch_size"):
            if options[name] < 1:
                flag = "--" + name.replace("_", "-")
                raise CommandError(f"{flag} must be at least 1 (got {options[name]}).")
        conversations, messages = options["conversations"], options["messages"]
        if messages < conversations:
            raise CommandError(
                f"--messages ({messages:,}) must be at least --conversations ({conversations:,}): "
                "every conversation opens with the bot's greeting."
            )
        if options["agents"] > 999:
            raise CommandError(f"--agents: at most 999 (got {options['agents']}).")
        for name in ("long", "long_messages"):
            if options[name] is not None and options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative (got {options[name]}).")
        if options["long_messages"] is None:
            options["long_messages"] = max(1, min(LONG_MESSAGES, messages // 20))
        long_messages = options["long_messages"]
        if options["long"] is None:
            fits = (
                (messages - conversations) // max(1, long_messages - 1)
                if long_messages > 1
                else conversations
            )
            options["long"] = min(LONG_CONVERSATIONS, conversations, fits)
        long = options["long"]
        if long > conversations:
            raise CommandError(f"--long ({long:,}) cannot exceed --conversations ({conversations:,}).")
        needed = long * long_messages + (conversations - long)
        if needed > messages:
            raise CommandError(
                f"--messages ({messages:,}) is too small for {long:,} long conversations of "
                f"{long_messages:,} messages and one message in each other conversation: it takes at least "
                f"{needed:,}. Lower --long or --long-messages, or raise --messages."
            )
        return options


def _analyse() -> None:
    """Vacuum and analyse the big tables (PostgreSQL), or refresh SQLite's statistics, so the planner
    knows their size and index-only scans can skip the heap, as in a database that has been running."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM cannot run inside a transaction (a caller's, or a test's): ANALYZE alone then.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for model in (Contact, Conversation, Message, *_BIG_ELSEWHERE):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("ANALYZE")


_BIG_ELSEWHERE = (Handoff, Ticket, ReadMarker)


class Loader:
    """Plans the tenant's data with a seeded random generator, then writes it in batches."""

    def __init__(self, options: dict, *, progress: bool) -> None:
        self.options = options
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        self.batch = options["batch_size"]
        self.progress = progress

    def bar(self, total: int, desc: str) -> tqdm:
        return tqdm(
            total=total,
            desc=f"{desc:<13}",
            unit=" rows",
            unit_scale=True,
            file=sys.stderr,
            disable=not self.progress,
            mininterval=0.5,
            dynamic_ncols=True,
        )

    def insert(self, model: type[models.Model], rows: list, desc: str) -> list:
        """``bulk_create`` in batches with a progress bar; returns the rows with their ids."""
        with self.bar(len(rows), desc) as bar:
            for start in range(0, len(rows), self.batch):
                chunk = rows[start : start + self.batch]
                model.objects.bulk_create(chunk)
                bar.update(len(chunk))
        return rows

    def load(self) -> dict:
        o = self.options
        slug = o["tenant"]
        tenant = Tenant.objects.create(slug=slug, name=f"{slug.replace('-', ' ').title()} (scale data)")
        admin, agents = self.people(tenant)
        queue = Queue.objects.create(
            tenant=tenant, name="Support", require_agent_online=False, pickup_deadline_seconds=24 * 3600
        )
        queue.members.add(*agents)
        bot = Bot.objects.create(tenant=tenant, name="Spoke", queue=queue, order_number_pattern=r"SP-\d{5}")
        plans = self.plan([a.pk for a in agents])
        with timestamps_as_given(Contact, Conversation, Message, Handoff, Ticket):
            contacts = self.contacts(tenant, plans)
            self.conversations(tenant, bot, queue, plans, contacts)
            written = self.messages(tenant, plans, bot.name)
            handoffs = self.handoffs(tenant, queue, plans)
            tickets = self.tickets(tenant, plans, contacts)
        self.read_markers(tenant, plans)
        return {
            "tenant_id": tenant.pk,
            "conversations": len(plans),
            "messages": written,
            "contacts": len(contacts),
            "handoffs": handoffs,
            "tickets": tickets,
            "admin": admin.username,
            "agents": [a.username for a in agents],
            "long": sorted(p.pk for p in plans if p.long),
        }

    def people(self, tenant: Tenant):
        User = get_user_model()
        o = self.options
        password = make_password(o["password"] or None)  # hashed once; no password: unusable
        names = Command._usernames(o["tenant"], o["agents"])
        users = [
            User(
                username=name,
                password=password,
                first_name=self.rng.choice(FIRST_NAMES),
                last_name=self.rng.choice(LAST_NAMES),
                email=f"{name}@scale.example",
            )
            for name in names
        ]
        User.objects.bulk_create(users)
        users = list(User.objects.filter(username__in=names).order_by("username"))
        Membership.objects.bulk_create(
            Membership(
                tenant=tenant,
                user=user,
                role=Membership.Role.ADMIN if user.username.endswith("-admin") else Membership.Role.AGENT,
                display_name=f"{user.first_name} {user.last_name}",
            )
            for user in users
        )
        admin = next(u for u in users if u.username.endswith("-admin"))
        return admin, [u for u in users if u is not admin]

    def plan(self, agent_ids: list[int]) -> list[ConversationPlan]:
        """Every conversation's size, status, times and people, oldest first (so ids grow with time)."""
        o, rng, now = self.options, self.rng, self.now
        counts = _counts(rng, o["conversations"], o["messages"], o["long"], o["long_messages"])
        contacts = max(1, int(len(counts) * 0.75))
        plans = []
        for index, count in enumerate(counts):
            long = index < o["long"]
            if count < 3:
                # Too short to have been handed off: the bot answered and the chat ended, or still runs.
                status = Status.RESOLVED if rng.random() < 0.85 else Status.BOT
            elif long:
                status = LONG_STATUSES[index % len(LONG_STATUSES)]
            else:
                status = _pick(rng, STATUS_WEIGHTS)
            step = 60 if long else rng.randint(5, 120)
            if status in (Status.RESOLVED, Status.OFFLINE):
                ends = now - timedelta(seconds=rng.uniform(3600, HISTORY_DAYS * 86400))
            else:
                ends = now - timedelta(seconds=rng.uniform(60, 6 * 3600))
            plan = ConversationPlan(
                messages=count,
                status=status,
                ends_at=ends,
                step_seconds=step,
                contact=index if index < contacts else rng.randrange(contacts),
                channel=_pick(rng, CHANNEL_WEIGHTS),
                long=long,
            )
            handed_off = status in (Status.WAITING, Status.ASSIGNED, Status.OFFLINE) or (
                status == Status.RESOLVED and count >= 3 and rng.random() < RESOLVED_HANDED_OFF
            )
            if handed_off:
                plan.reason = _pick(rng, REASON_WEIGHTS)
                # Long conversations go to people near their end, so most of them is with the bot.
                plan.handoff_at = max(1, min(count - 2, int(count * rng.uniform(0.3, 0.7))))
                if status in (Status.ASSIGNED, Status.RESOLVED):
                    plan.assignee_id = agent_ids[0] if long else rng.choice(agent_ids)
                plan.ticket = status == Status.OFFLINE or (
                    status == Status.RESOLVED and rng.random() < RESOLVED_WITH_TICKET
                )
            plans.append(plan)
        plans.sort(key=lambda p: p.starts_at)
        return plans

    def contacts(self, tenant: Tenant, plans: list[ConversationPlan]) -> list[Contact]:
        first_seen: dict[int, datetime] = {}
        for plan in plans:
            first_seen.setdefault(plan.contact, plan.starts_at)
        rows = []
        for index in range(len(first_seen)):
            anonymous = self.rng.random() < 0.2
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            rows.append(
                Contact(
                    tenant=tenant,
                    name="" if anonymous else f"{first} {last}",
                    email="" if anonymous else f"{first}.{last}.{index}@customers.example".lower(),
                    created_at=first_seen[index],
                )
            )
        return self.insert(Contact, rows, "contacts")

    def conversations(
        self, tenant, bot, queue, plans: list[ConversationPlan], contacts: list[Contact]
    ) -> None:
        rows = []
        for plan in plans:
            collected = {}
            if plan.reason and self.rng.random() < 0.5:
                collected["order_number"] = f"SP-{self.rng.randint(10000, 99999)}"
            rows.append(
                Conversation(
                    tenant=tenant,
                    bot=bot,
                    contact_id=contacts[plan.contact].pk,
                    channel=plan.channel,
                    status=plan.status,
                    assignee_id=plan.assignee_id,
                    queue=queue if plan.reason else None,
                    collected=collected,
                    last_seq=plan.messages,
                    created_at=plan.starts_at,
                    updated_at=plan.ends_at,
                    last_message_at=plan.ends_at,
                    handoff_reason=plan.reason,
                    waiting_since=plan.at(plan.handoff_at) if plan.handoff_at is not None else None,
                )
            )
        for plan, row in zip(plans, self.insert(Conversation, rows, "conversations"), strict=True):
            plan.pk = row.pk

    def messages(self, tenant: Tenant, plans: list[ConversationPlan], bot_name: str) -> int:
        """Every conversation's messages, merged in time order, written a batch at a time."""
        streams = (self.conversation_messages(tenant.pk, plan) for plan in plans)
        total = sum(p.messages for p in plans)
        buffer: list[Message] = []
        with self.bar(total, "messages") as bar:
            for message in heapq.merge(*streams, key=lambda m: m.created_at):
                buffer.append(message)
                if len(buffer) >= self.batch:
                    Message.objects.bulk_create(buffer)
                    bar.update(len(buffer))
                    buffer = []
            if buffer:
                Message.objects.bulk_create(buffer)
                bar.update(len(buffer))
        return total

    def conversation_messages(self, tenant_id: int, plan: ConversationPlan) -> Iterator[Message]:
        rng = self.rng
        fill = {"order": f"SP-{rng.randint(10000, 99999)}", "city": rng.choice(CITIES)}
        fill["product"] = rng.choice(PRODUCTS)
        for index in range(plan.messages):
            private, data, author_id = False, {}, None
            if index == 0:
                kind, body, data = (
                    Author.BOT,
                    "Hi! I'm the virtual assistant. Ask me anything.",
                    {"greeting": True},
                )
            elif plan.handoff_at is not None and index == plan.handoff_at:
                label = HandoffReason(plan.reason).label.lower()
                kind, body, private = Author.SYSTEM, f"Handed off: {label}", True
                data = {"event": "handoff", "reason": plan.reason}
            elif plan.handoff_at is not None and index == plan.handoff_at + 1:
                kind = Author.BOT
                offline = plan.status == Status.OFFLINE
                body = OFFLINE_MESSAGE if offline else HANDOFF_MESSAGE
                data = {"event": "handoff", "offline": True} if offline else {"event": "handoff"}
            elif plan.handoff_at is not None and index > plan.handoff_at:
                # After the handoff the customer talks with the agent, with the bot's offline intake, or
                # (still waiting) with nobody.
                kind = Author.CUSTOMER
                if (index - plan.handoff_at) % 2 == 1:
                    if plan.status == Status.OFFLINE:
                        kind = Author.BOT
                    elif plan.assignee_id:
                        kind, author_id = Author.AGENT, plan.assignee_id
                        private = rng.random() < 0.05
                lines = {Author.CUSTOMER: CUSTOMER_LINES, Author.AGENT: AGENT_LINES}.get(kind, BOT_LINES)
                body = rng.choice(lines).format(**fill)
            elif index % 2 == 1:
                kind, body = Author.CUSTOMER, rng.choice(CUSTOMER_LINES).format(**fill)
                if rng.random() < 0.3:
                    data = {"sentiment": round(rng.uniform(-0.8, 0.8), 2)}
            else:
                kind, body = Author.BOT, rng.choice(BOT_LINES).format(**fill)
                data = {"confidence": round(rng.uniform(0.3, 0.95), 2)}
            yield Message(
                tenant_id=tenant_id,
                conversation_id=plan.pk,
                author_kind=kind,
                author_id=author_id,
                body=body,
                seq=index + 1,
                private=private,
                data=data,
                created_at=plan.at(index),
            )

    def handoffs(self, tenant: Tenant, queue, plans: list[ConversationPlan]) -> int:
        rows = []
        for plan in plans:
            if plan.handoff_at is None:
                continue
            at = plan.at(plan.handoff_at)
            offline = plan.status == Status.OFFLINE
            accepted = at + timedelta(seconds=self.rng.randint(10, 900)) if plan.assignee_id else None
            rows.append(
                Handoff(
                    tenant=tenant,
                    conversation_id=plan.pk,
                    reason=plan.reason,
                    evidence={"explanation": f"Scale data: {HandoffReason(plan.reason).label.lower()}"},
                    context={
                        "original_question": "",
                        "collected": {},
                        "bot_answers": [],
                        "sentiment_trend": [],
                    },
                    queue=queue,
                    outcome=Handoff.Outcome.OFFLINE if offline else Handoff.Outcome.QUEUED,
                    created_at=at,
                    offered_at=None if offline else at,
                    accepted_at=accepted,
                    accepted_by_id=plan.assignee_id,
                    ended_at=plan.ends_at if plan.status == Status.RESOLVED else None,
                )
            )
        return len(self.insert(Handoff, rows, "handoffs"))

    def tickets(self, tenant: Tenant, plans: list[ConversationPlan], contacts: list[Contact]) -> int:
        rng = self.rng
        rows = []
        number = 1000
        for plan in plans:
            if not plan.ticket:
                continue
            number += 1
            product = rng.choice(PRODUCTS)
            opened = plan.at(plan.handoff_at + 1)
            rows.append(
                Ticket(
                    tenant=tenant,
                    number=number,
                    subject=f"Question about a {product}",
                    description=f"The customer asked about their {product}.",
                    handoff_reason=plan.reason,
                    status=_pick(rng, TICKET_STATUS_WEIGHTS),
                    priority=_pick(rng, TICKET_PRIORITY_WEIGHTS),
                    assignee_id=plan.assignee_id,
                    contact_id=contacts[plan.contact].pk,
                    conversation_id=plan.pk,
                    created_at=opened,
                    updated_at=min(self.now, opened + timedelta(hours=rng.uniform(0, 72))),
                )
            )
        self.insert(Ticket, rows, "tickets")
        TicketCounter.objects.create(tenant=tenant, last_number=number)
        return len(rows)

    def read_markers(self, tenant: Tenant, plans: list[ConversationPlan]) -> None:
        """Where each assignee has read their conversations to: most are read, some have new messages."""
        rows = [
            ReadMarker(
                tenant=tenant,
                user_id=plan.assignee_id,
                conversation_id=plan.pk,
                last_read_seq=max(0, plan.messages - self.rng.choice((0, 0, 0, 1, 2, 5))),
            )
            for plan in plans
            if plan.assignee_id
        ]
        self.insert(ReadMarker, rows, "read markers")
