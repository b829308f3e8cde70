"""``manage.py reports_bench``: the reports' queries timed on a large history (meant for PostgreSQL).

The first run builds a tenant of its own (``--tenant``, default ``reports-bench``): an admin and
``--agents`` agents, three queues (Support with business hours in Chicago and a closure, Billing with
hours in London, Sales with none), a bot for each, and ``--conversations`` conversations (100,000) over
``--days`` whole days (90, in UTC) before today, busier in the daytime. About two in five are resolved by
the bot, some are still with it, the rest handed off for the reasons customers give, at once to the
offline path when the queue is closed (a ticket for most), otherwise picked up by an agent after a minute
or two (some after much longer), answered, and mostly resolved, some handed back. Every conversation has
its messages (customer, bot, the handoff and the agent joining as system messages, agent replies,
resolution): about six each; about two in five resolved conversations are rated by the customer a few
minutes after (``helpdesk.bulk.made_up_rating``), some with a comment. It is written in one transaction
with ``bulk_create``, then analysed. Later runs reuse it (``--rebuild`` makes it again; the same
``--seed``, the same history; a history built before ratings were made gets them added).

Then, for ranges of ``--ranges`` days (7, 28, 90 and 366) ending today, all bots and queues and then
Support alone, it runs each report section ``--runs`` times (after one warm-up) with its queries
captured, and prints each query's p50 and p95 in milliseconds, then the whole page's (a request of the
reports page as the admin, with its query count). ``--explain`` prints the plan of each query of the
28-day range as PostgreSQL ran it, and names any sequential scan of a table of more than 10,000 rows.
"""

from __future__ import annotations

import bisect
import math
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handoff.models import Handoff
from handoff.reports.figures import Names
from handoff.reports.hours import open_intervals, tenant_schedules
from handoff.reports.page import SECTIONS
from handoff.reports.scope import report_scope
from helpdesk.bulk import REASON_WEIGHTS, made_up_rating, tenant_bulk_delete, timestamps_as_given
from helpdesk.models import Bot, Contact, Conversation, Membership, Message, Queue, Rating, Tenant
from tickets.models import BusinessHours, Closure, OpeningWindow, Ticket, TicketCounter

Status, Author = Conversation.Status, Message.Author
# Conversations per hour of the day (UTC), relative: quiet at night, busy in the afternoon.
HOURLY = [2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 13, 13, 14, 15, 15, 14, 13, 12, 10, 8, 6, 5, 4, 3]
BIG_TABLE = 10_000


class Builder:
    """The bench tenant's history, drawn from a seeded generator and written in batches."""

    def __init__(self, options: dict, out) -> None:
        self.o = options
        self.rng = random.Random(options["seed"])
        # Ratings draw from a generator of their own, so the rest of the history is the same with them.
        self.rating_rng = random.Random(f"{options['seed']}-ratings")
        self.now = timezone.now().replace(microsecond=0)
        self.out = out
        self.batch = 5000

    def insert(self, model, rows: list) -> list:
        for start in range(0, len(rows), self.batch):
            model.objects.bulk_create(rows[start : start + self.batch])
        return rows

    def lognormal(self, median: float, spread: float, cap: float) -> float:
        return min(cap, median * math.exp(self.rng.gauss(0, spread)))

    def build(self) -> Tenant:
        o, rng = self.o, self.rng
        slug = o["tenant"]
        tenant = Tenant.objects.create(slug=slug, name="Reports bench")
        User = get_user_model()
        password = make_password(o["password"]) if o["password"] else make_password(None)
        names = [f"{slug}-admin", *(f"{slug}-agent-{n:02d}" for n in range(1, o["agents"] + 1))]
        User.objects.bulk_create(User(username=name, password=password) for name in names)
        users = list(User.objects.filter(username__in=names).order_by("username"))
        Membership.objects.bulk_create(
            Membership(
                tenant=tenant,
                user=user,
                role=Membership.Role.ADMIN if user.username.endswith("-admin") else Membership.Role.AGENT,
                display_name="Admin" if user.username.endswith("-admin") else f"Agent {user.username[-2:]}",
            )
            for user in users
        )
        agents = [u.pk for u in users if not u.username.endswith("-admin")]
        queues = {}
        for name, zone, windows in (
            (
                "Support",
                "America/Chicago",
                [(d, clock(8), clock(18)) for d in range(5)] + [(5, clock(9), clock(13))],
            ),
            ("Billing", "Europe/London", [(d, clock(9), clock(17)) for d in range(5)]),
            ("Sales", None, []),
        ):
            queue = Queue.objects.create(tenant=tenant, name=name, require_agent_online=False)
            queues[name] = queue
            if zone:
                hours = BusinessHours.objects.create(tenant=tenant, queue=queue, timezone=zone)
                OpeningWindow.objects.bulk_create(
                    OpeningWindow(tenant=tenant, hours=hours, weekday=d, start=a, end=b)
                    for d, a, b in windows
                )
        offsite = self.now - timedelta(days=9)
        Closure.objects.create(
            tenant=tenant,
            hours=queues["Support"].business_hours,
            label="Team offsite",
            starts_at=offsite,
            ends_at=offsite + timedelta(hours=6),
        )
        bots = [
            (Bot.objects.create(tenant=tenant, name="Spoke", queue=queues["Support"]), 60),
            (Bot.objects.create(tenant=tenant, name="Ledger", queue=queues["Billing"]), 25),
            (Bot.objects.create(tenant=tenant, name="Pitch", queue=queues["Sales"]), 15),
        ]
        # Whole days in UTC before today's: the busy hours (HOURLY) fall at the same UTC hours whenever the
        # history is built, so the same seed gives the same history.
        start = datetime.combine((self.now - timedelta(days=o["days"])).date(), clock(0), tzinfo=UTC)
        schedules = tenant_schedules(tenant_id=tenant.pk, start=start - timedelta(days=1), end=self.now)
        opens = {
            queue_id: open_intervals(schedule, start - timedelta(days=1), self.now + timedelta(days=1))
            for queue_id, schedule in schedules.items()
        }

        def is_open(queue_id: int, moment: datetime) -> bool:
            spans = opens.get(queue_id)
            if spans is None:
                return True
            i = bisect.bisect_right(spans, (moment, moment)) - 1
            return any(a <= moment < b for a, b in spans[max(0, i) : i + 2])

        count = o["conversations"]
        contacts = self.insert(
            Contact, [Contact(tenant=tenant, name=f"Customer {n}") for n in range(max(1, count // 2))]
        )
        self.out.write(f"  {len(users)} people, 3 queues, 3 bots, {len(contacts):,} contacts")
        plans = []
        for _ in range(count):
            day = rng.randrange(o["days"])
            hour = rng.choices(range(24), weights=HOURLY)[0]
            created = start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
            if created >= self.now - timedelta(minutes=30):
                created -= timedelta(hours=1)
            bot = rng.choices([b for b, _ in bots], weights=[w for _, w in bots])[0]
            plans.append((created, bot))
        plans.sort(key=lambda p: p[0])
        conversations, messages, handoffs, tickets = [], [], [], []
        details = []
        for created, bot in plans:
            roll = rng.random()
            plan = {"created": created, "bot": bot, "status": Status.BOT, "events": []}
            events = plan["events"]
            events.append((created, Author.CUSTOMER, None, False))
            events.append((created + timedelta(seconds=4), Author.BOT, None, False))
            if roll < 0.42:
                plan["status"] = Status.RESOLVED
                events.append((created + timedelta(seconds=50), Author.CUSTOMER, None, False))
                events.append((created + timedelta(seconds=54), Author.BOT, None, False))
                # The bot resolves it after BOT_IDLE_RESOLVE_MINUTES without a message.
                plan["resolved_at"] = created + timedelta(seconds=54 + 30 * 60)
            elif roll >= 0.50:
                handed = created + timedelta(seconds=rng.randint(40, 600))
                queue_id = bot.queue_id
                offline = not is_open(queue_id, handed) or rng.random() < 0.04
                handoff = {
                    "created_at": handed,
                    "reason": rng.choices(list(REASON_WEIGHTS), weights=list(REASON_WEIGHTS.values()))[0],
                    "queue_id": queue_id,
                    "outcome": Handoff.Outcome.OFFLINE if offline else Handoff.Outcome.QUEUED,
                    "offered_at": None if offline else handed,
                }
                plan["handoff"] = handoff
                events.append((handed, Author.SYSTEM, None, True))
                if offline:
                    plan["status"] = Status.OFFLINE
                    events.append((handed + timedelta(seconds=1), Author.BOT, None, False))
                    plan["ticket"] = rng.random() < 0.85
                else:
                    waited = self.lognormal(80, 1.1, 4 * 3600)
                    joined = handed + timedelta(seconds=waited)
                    if joined > self.now or rng.random() < 0.02:
                        plan["status"] = Status.WAITING
                    else:
                        agent = rng.choice(agents)
                        handoff["accepted_at"], handoff["accepted_by_id"] = joined, agent
                        plan["assignee"] = agent
                        events.append((joined, Author.SYSTEM, None, False))
                        if rng.random() < 0.93:
                            replied = joined + timedelta(seconds=self.lognormal(45, 0.9, 1800))
                            events.append((replied, Author.AGENT, agent, False))
                            events.append((replied + timedelta(seconds=40), Author.CUSTOMER, None, False))
                        ended = joined + timedelta(seconds=self.lognormal(14 * 60, 0.8, 6 * 3600))
                        fate = rng.random()
                        if ended > self.now or fate < 0.05:
                            plan["status"] = Status.ASSIGNED
                        else:
                            events.append((ended - timedelta(seconds=5), Author.AGENT, agent, False))
                            events.append((ended, Author.SYSTEM, None, False))
                            handoff["ended_at"] = ended
                            if fate < 0.11:
                                plan["status"] = Status.BOT
                                plan["assignee"] = None  # handed back
                            else:
                                plan["status"] = Status.RESOLVED
                                plan["resolved_at"] = ended
            if "resolved_at" in plan:
                self.plan_rating(plan)
            details.append(plan)
            conversations.append(
                Conversation(
                    tenant=tenant,
                    bot=bot,
                    contact=contacts[rng.randrange(len(contacts))],
                    status=plan["status"],
                    assignee_id=plan.get("assignee"),
                    queue_id=plan["handoff"]["queue_id"] if "handoff" in plan else None,
                    handoff_reason=plan["handoff"]["reason"] if "handoff" in plan else "",
                    last_seq=len(events),
                    created_at=created,
                    updated_at=max(e[0] for e in events),
                    last_message_at=max(e[0] for e in events),
                )
            )
        ratings = []
        with timestamps_as_given(Conversation, Message, Handoff, Ticket, Rating):
            self.insert(Conversation, conversations)
            for plan, row in zip(details, conversations, strict=True):
                for seq, (at, kind, author, private) in enumerate(
                    sorted(plan["events"], key=lambda e: e[0]), 1
                ):
                    messages.append(
                        Message(
                            tenant=tenant,
                            conversation_id=row.pk,
                            author_kind=kind,
                            author_id=author,
                            body=f"{kind} message",
                            seq=seq,
                            private=private,
                            created_at=at,
                        )
                    )
                if "handoff" in plan:
                    handoffs.append(Handoff(tenant=tenant, conversation_id=row.pk, **plan["handoff"]))
                if "rating" in plan:
                    ratings.append(Rating(tenant=tenant, conversation_id=row.pk, **plan["rating"]))
                if plan.get("ticket"):
                    tickets.append(
                        Ticket(
                            tenant=tenant,
                            number=1001 + len(tickets),
                            subject="Offline request",
                            contact_id=row.contact_id,
                            conversation_id=row.pk,
                            handoff_reason=plan["handoff"]["reason"],
                            created_at=plan["handoff"]["created_at"] + timedelta(minutes=2),
                            updated_at=plan["handoff"]["created_at"] + timedelta(minutes=2),
                        )
                    )
            self.insert(Message, messages)
            self.insert(Handoff, handoffs)
            self.insert(Ticket, tickets)
            self.insert(Rating, ratings)
        TicketCounter.objects.create(tenant=tenant, last_number=1000 + len(tickets))
        self.out.write(
            f"  {len(conversations):,} conversations, {len(messages):,} messages, "
            f"{len(handoffs):,} handoffs, {len(tickets):,} tickets, {len(ratings):,} ratings"
        )
        return tenant

    def plan_rating(self, plan: dict) -> None:
        """The customer's rating of a resolved conversation, a few minutes after it was resolved (if they
        gave one, and before now)."""
        by_agent = plan.get("assignee") is not None
        drawn = made_up_rating(self.rating_rng, by_agent=by_agent)
        delay = min(3 * 3600, 120 * math.exp(self.rating_rng.gauss(0, 1.0)))
        rated = plan["resolved_at"] + timedelta(seconds=delay)
        if drawn is None or rated >= self.now:
            return
        score, comment = drawn
        plan["rating"] = {
            "score": score,
            "comment": comment,
            "resolved_by": Rating.ResolvedBy.AGENT if by_agent else Rating.ResolvedBy.BOT,
            "agent_id": plan.get("assignee"),
            "created_at": rated,
            "updated_at": rated,
        }

    def add_ratings(self, tenant: Tenant) -> int:
        """Ratings for a history built before the bench made them: the resolved conversations, drawn the
        same way (a conversation resolved by an agent is still assigned to them)."""
        rows = []
        resolved = (
            Conversation.objects.for_tenant(tenant)
            .filter(status=Status.RESOLVED)
            .order_by("pk")
            .values_list("pk", "assignee_id", "updated_at")
        )
        for pk, assignee_id, updated_at in resolved:
            plan = {"assignee": assignee_id, "resolved_at": updated_at}
            self.plan_rating(plan)
            if "rating" in plan:
                rows.append(Rating(tenant=tenant, conversation_id=pk, **plan["rating"]))
        with timestamps_as_given(Rating):
            self.insert(Rating, rows)
        return len(rows)


def _analyse() -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        for model in (Contact, Conversation, Message, Handoff, Ticket, Rating):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


# What each query is, told by the tables and functions its SQL names (all of them must appear).
LABELS = (
    (('FROM "helpdesk_rating"', 'FROM "handoff_handoff"'), "ratings by handoff reason"),
    (('FROM "helpdesk_rating"', "ORDER BY"), "newest comments"),
    (('FROM "helpdesk_rating"', "AT TIME ZONE"), "ratings by who resolved and bucket"),
    (('FROM "helpdesk_rating"', "DJANGO_DATETIME_TRUNC"), "ratings by who resolved and bucket"),
    (('FROM "helpdesk_rating"',), "ratings by who resolved and agent"),
    (('FROM "helpdesk_conversation"',), "conversations, resolved: by bot and bucket, two periods"),
    (
        ('FROM "handoff_handoff"', '"helpdesk_conversation"."created_at" AT TIME ZONE'),
        "handed off: by bot and bucket, two periods",
    ),
    (("tickets_openingwindow",), "business hours: windows"),
    (("tickets_closure",), "business hours: closures"),
    (("tickets_businesshours",), "business hours: zones"),
    (('"tickets_ticket"',), "handoffs by queue and reason (hours, offline, tickets)"),
    (('FROM "handoff_handoff"', "TRUNC"), "handoffs by reason and bucket"),
    (('FROM "handoff_handoff"', "ISODOW"), "pickup by hour of the week"),
    (('FROM "handoff_handoff"', '"accepted_by_id"'), "agents: handled, first response, resolution"),
    (('SELECT "handoff_handoff"."queue_id"',), "pickup by queue"),
    (('FROM "handoff_handoff"',), "pickup overall"),
    (("helpdesk_membership",), "agents' names"),
    (("chatbot_bot",), "bots' names"),
    (("inbox_queue",), "queues' names"),
)


def label(sql: str) -> str:
    upper = sql.upper()
    for needles, name in LABELS:
        if all(needle.upper() in upper for needle in needles):
            return name
    return sql[:60]


def pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _seq_scans(plan: dict, sizes: dict[str, int]) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and sizes.get(plan.get("Relation Name", ""), 0) > BIG_TABLE:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child, sizes)
    return found


class Command(BaseCommand):
    help = "Time each report query on a large history (built on the first run, then reused)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="reports-bench", help="Slug of the bench tenant.")
        parser.add_argument("--conversations", type=int, default=100_000)
        parser.add_argument("--days", type=int, default=90, help="Days of history, ending now (default 90).")
        parser.add_argument("--agents", type=int, default=20)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--password", default="", help="Password of its users, to log in by hand.")
        parser.add_argument("--rebuild", action="store_true", help="Delete and build the history again.")
        parser.add_argument("--runs", type=int, default=10, help="Timed runs of each section (default 10).")
        parser.add_argument("--ranges", default="7,28,90,366", help="Range lengths in days, ending today.")
        parser.add_argument("--explain", action="store_true", help="Print the plans of the 28-day range.")

    def handle(self, *args, **o) -> None:
        tenant = Tenant.objects.filter(slug=o["tenant"]).first()
        if tenant is not None and o["rebuild"]:
            with transaction.atomic():
                tenant_bulk_delete(tenant, f"{tenant.slug}-")
            tenant = None
        if tenant is None:
            self.stdout.write(f"Building the history of {o['tenant']!r}…")
            started = time.monotonic()
            with transaction.atomic():
                tenant = Builder(o, self.stdout).build()
            _analyse()
            self.stdout.write(f"  built and analysed in {time.monotonic() - started:.0f} s")
        else:
            self.stdout.write(f"Reusing {o['tenant']!r} (--rebuild to make it again).")
            if not Rating.objects.for_tenant(tenant).exists():
                with transaction.atomic():
                    added = Builder(o, self.stdout).add_ratings(tenant)
                _analyse()
                self.stdout.write(f"  added {added:,} ratings to a history built without them")
        self.describe(tenant)
        admin = (
            Membership.objects.for_tenant(tenant).filter(role=Membership.Role.ADMIN).order_by("pk").first()
        )
        if admin is None:
            raise CommandError("The bench tenant has no admin: run with --rebuild.")
        support = Queue.objects.for_tenant(tenant).filter(name="Support").first()
        ranges = [int(days) for days in o["ranges"].split(",") if days.strip()]
        for days in ranges:
            self.bench(tenant, admin, days, None, o)
        if support is not None:
            self.bench(tenant, admin, 28, support, o)
        if o["explain"]:
            self.explain(tenant, 28)

    def describe(self, tenant: Tenant) -> None:
        counts = {
            "conversations": Conversation.objects.for_tenant(tenant).count(),
            "messages": Message.objects.for_tenant(tenant).count(),
            "handoffs": Handoff.objects.for_tenant(tenant).count(),
            "tickets": Ticket.objects.for_tenant(tenant).count(),
            "ratings": Rating.objects.for_tenant(tenant).count(),
        }
        others = Conversation.objects.unscoped("the bench reports the database's size").count()
        self.stdout.write(
            "Tenant: "
            + ", ".join(f"{n:,} {name}" for name, n in counts.items())
            + f" ({others:,} conversations in the database); {connection.vendor}"
        )

    def scope(self, tenant: Tenant, admin: Membership, days: int, queue: Queue | None):
        today = timezone.now().astimezone(UTC).date()
        return report_scope(
            tenant=tenant,
            first_day=today - timedelta(days=days - 1),
            last_day=today,
            queue_id=queue.pk if queue else None,
            viewer=admin,
        )

    def bench(self, tenant: Tenant, admin: Membership, days: int, queue: Queue | None, o: dict) -> None:
        scope = self.scope(tenant, admin, days, queue)
        conversations = Conversation.objects.for_tenant(tenant).filter(
            created_at__gte=scope.start, created_at__lt=scope.end
        )
        handoffs = Handoff.objects.for_tenant(tenant).filter(
            created_at__gte=scope.start, created_at__lt=scope.end
        )
        if queue is not None:
            handoffs = handoffs.filter(queue=queue)
        self.stdout.write(
            f"\n{days} days, {scope.first_day} to {scope.last_day}, by {scope.bucket}, {scope.zone_name}"
            + (f", queue {queue.name}" if queue else ", every bot and queue")
            + f": {conversations.count():,} conversations in the range, {handoffs.count():,} handoffs"
            + (" to the queue" if queue else "")
        )
        self.stdout.write(f"  {'query':<66} {'p50 ms':>8} {'p95 ms':>8}")
        for name, build in SECTIONS.items():
            timings: dict[tuple[int, str], list[float]] = {}
            for run in range(o["runs"] + 1):
                with CaptureQueriesContext(connection) as captured:
                    build(scope, Names(tenant.pk))
                if run == 0:
                    continue  # warm-up
                for index, query in enumerate(captured.captured_queries):
                    timings.setdefault((index, label(query["sql"])), []).append(float(query["time"]) * 1000)
            for (_, what), values in timings.items():
                self.stdout.write(
                    f"  {name + ': ' + what:<66} {pct(values, 0.5):>8.1f} {pct(values, 0.95):>8.1f}"
                )
        client = Client()
        client.force_login(admin.user)
        params = {"from": scope.first_day.isoformat(), "to": scope.last_day.isoformat()}
        if queue is not None:
            params["queue"] = queue.pk
        client.get("/reports/", params)
        times = []
        queries = 0
        for _ in range(o["runs"]):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/reports/", params)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"The reports page answered {response.status_code}.")
            queries = len(captured)
        what = f"the whole page, {queries} queries"
        self.stdout.write(f"  {what:<66} {pct(times, 0.5):>8.1f} {pct(times, 0.95):>8.1f}")

    def explain(self, tenant: Tenant, days: int) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("--explain needs PostgreSQL.")
            return
        admin = (
            Membership.objects.for_tenant(tenant).filter(role=Membership.Role.ADMIN).order_by("pk").first()
        )
        scope = self.scope(tenant, admin, days, None)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
                "AND relnamespace = 'public'::regnamespace"
            )
            sizes = dict(cursor.fetchall())
        for build in SECTIONS.values():
            with CaptureQueriesContext(connection) as captured:
                build(scope, Names(tenant.pk))
            for query in captured.captured_queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query["sql"])
                    plan = cursor.fetchone()[0][0]
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    text = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
                scans = _seq_scans(plan["Plan"], sizes)
                self.stdout.write(
                    f"\n{label(query['sql'])}: {plan['Execution Time']:.1f} ms"
                    + (f", sequential scan of {', '.join(scans)}" if scans else "")
                )
                self.stdout.write(text)
