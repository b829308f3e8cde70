"""The demo tenant ``make run`` loads: a small outdoor-gear shop with a bot, a queue, two agents and an admin.

Loading is idempotent: running it again updates the same rows and never duplicates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.contrib.auth import get_user_model
from django.db import transaction

from chatbot.services import article_upsert, bot_create
from helpdesk.models import Bot, Membership, Queue, Tenant
from tickets.models import BusinessHours, OpeningWindow

DEMO_PUBLIC_KEY = "pk_demo_northwind"
DEMO_PASSWORD = "demo-pass-123"  # printed by the command: this is a local demo, never a deployment

DEMO_ARTICLES = [
    (
        "Delivery times",
        "Standard delivery takes 2 to 4 working days. Express delivery arrives the next working day "
        "if you order before 1pm and costs $9.95. Delivery is free on orders over $60.",
    ),
    (
        "Returns",
        "You can return unused items within 45 days for a full refund. Start a return from My orders, "
        "print the free return label and drop the parcel at any post office. "
        "Worn footwear cannot be returned.",
    ),
    (
        "Refunds",
        "Refunds are sent to your original payment method within 3 working days of your return "
        "reaching us. Your bank may take another 2 to 5 days to show it.",
    ),
    (
        "Tracking an order",
        "Every order gets a tracking number by email when it ships. You can also follow your "
        "parcel from My orders, under Track delivery.",
    ),
    (
        "Tent sizes",
        "Our tents come in 1, 2, 4 and 6 person sizes. The person count is for sleeping bags side by "
        "side; pick one size up if you want room for gear.",
    ),
    (
        "Warranty",
        "Tents, backpacks and sleeping bags carry a 3 year warranty against defects in materials and "
        "workmanship. Send a photo of the defect and your order number to start a claim.",
    ),
    (
        "Changing your password",
        "Click Sign in, then Forgot password, and enter your email address. The reset "
        "link we send is valid for one hour.",
    ),
    (
        "Opening hours",
        "Our support team answers chats Monday to Saturday, 8am to 8pm Central time. The "
        "Denver store is open every day from 10am to 7pm.",
    ),
]

DEMO_AGENTS = [("alice", "Alice Moreno"), ("bob", "Bob Chen")]


@dataclass(frozen=True)
class DemoSummary:
    tenant: Tenant
    bot: Bot
    agents: list[str]
    admin: str
    password: str


@transaction.atomic
def demo_load() -> DemoSummary:
    User = get_user_model()
    tenant, _ = Tenant.objects.get_or_create(slug="northwind", defaults={"name": "Northwind Outfitters"})
    queue, _ = Queue.objects.get_or_create(tenant=tenant, name="Customer support")
    bot = Bot.objects.for_tenant(tenant).filter(public_key=DEMO_PUBLIC_KEY).first()
    if bot is None:
        bot = bot_create(
            tenant=tenant,
            name="Northwind assistant",
            queue=queue,
            public_key=DEMO_PUBLIC_KEY,
            greeting="Hi! I'm the Northwind assistant. Ask me about delivery, returns or our gear, "
            "or ask for a person at any time.",
            order_number_pattern=r"NW-\d{5}",
        )
    for title, body in DEMO_ARTICLES:
        article_upsert(bot=bot, title=title, body=body)
    # The hours of the "Opening hours" article: Monday to Saturday, 8am to 8pm Central time.
    hours, _ = BusinessHours.objects.get_or_create(
        tenant=tenant, queue=queue, defaults={"timezone": "America/Chicago"}
    )
    for weekday in range(6):
        OpeningWindow.objects.get_or_create(
            tenant=tenant, hours=hours, weekday=weekday, defaults={"start": time(8, 0), "end": time(20, 0)}
        )

    names = []
    for username, full_name in DEMO_AGENTS:
        first, last = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": Membership.Role.AGENT, "display_name": first}
        )
        queue.members.add(user)
        names.append(username)

    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    Membership.objects.get_or_create(
        tenant=tenant, user=admin, defaults={"role": Membership.Role.ADMIN, "display_name": "Admin"}
    )
    return DemoSummary(tenant=tenant, bot=bot, agents=names, admin="admin", password=DEMO_PASSWORD)
