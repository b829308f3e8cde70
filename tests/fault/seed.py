"""Seeds the fault suite's database; run by the harness with ``manage.py shell -c``, never imported.

A tenant with an agent, a bot answering from a small knowledge base into an open queue, and a second bot
whose queue is closed (nobody in it) with the email offline policy. Prints one ``SEED=<json>`` line.
"""

import json

from django.contrib.auth import get_user_model
from django.test import Client

from chatbot.services import article_upsert, bot_create
from helpdesk.models import Membership, OfflinePolicy, Queue, Tenant

KNOWLEDGE = [
    ("Delivery", "Bikes are delivered in 5 to 7 working days. Accessories arrive in 2 to 3 working days."),
    ("Returns", "Unused accessories can be returned within 14 days. Bikes can be returned within 30 days."),
    ("Servicing", "A standard service costs $49 and includes brake and gear adjustment. Book it online."),
    ("Frame sizes", "Measure your inside leg and use the size chart on each product page to pick a size."),
]

tenant = Tenant.objects.create(slug="fault", name="Fault Cycles")
open_queue = Queue.objects.create(tenant=tenant, name="Spoke support", require_agent_online=False)
bot = bot_create(tenant=tenant, name="Spoke", queue=open_queue, order_number_pattern=r"SP-\d{5}")
closed_queue = Queue.objects.create(tenant=tenant, name="Night support", require_agent_online=True)
night = bot_create(
    tenant=tenant,
    name="Night",
    queue=closed_queue,
    offline_policy=OfflinePolicy.EMAIL,
    order_number_pattern=r"SP-\d{5}",
)
for seeded in (bot, night):
    for title, body in KNOWLEDGE:
        article_upsert(bot=seeded, title=title, body=body)

user = get_user_model().objects.create_user(
    username="fay", password="fault-pass-123", email="fay@example.org"
)
Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.AGENT, display_name="Fay")
open_queue.members.add(user)
client = Client()
client.force_login(user)

print(
    "SEED="
    + json.dumps(
        {
            "tenant_id": tenant.pk,
            "bot_key": bot.public_key,
            "night_key": night.public_key,
            "agent_user_id": user.pk,
            "agent_session": client.cookies["sessionid"].value,
        }
    )
)
