"""Seeds the load bench's database; run by ``bench/load.py`` with ``manage.py shell -c``, never imported.

One tenant, one bot answering from a small knowledge base, one queue where agents claim conversations
(open without anyone online, a pickup deadline longer than any run so no conversation leaves for the
offline path mid-bench), and ``LOAD_AGENTS`` agents in it. Prints one ``SEED=<json>`` line with the bot's
key and each agent's session cookie.
"""

import json
import os

from django.contrib.auth import get_user_model
from django.test import Client

from chatbot.services import article_upsert, bot_create
from helpdesk.models import Membership, Queue, Tenant

KNOWLEDGE = [
    ("Delivery", "Bikes are delivered in 5 to 7 working days. Accessories arrive in 2 to 3 working days."),
    ("Returns", "Unused accessories can be returned within 14 days. Bikes can be returned within 30 days."),
    ("Servicing", "A standard service costs $49 and includes brake and gear adjustment. Book it online."),
    ("Frame sizes", "Measure your inside leg and use the size chart on each product page to pick a size."),
    ("Warranty", "Frames carry a five year warranty; components are covered for two years."),
    ("Payment", "We accept cards, PayPal and bank transfer. Orders ship once payment clears."),
]

agents = int(os.environ["LOAD_AGENTS"])
tenant = Tenant.objects.create(slug="load", name="Load Cycles")
queue = Queue.objects.create(
    tenant=tenant,
    name="Load support",
    require_agent_online=False,
    assignment=Queue.Assignment.MANUAL,
    pickup_deadline_seconds=24 * 3600,
)
bot = bot_create(tenant=tenant, name="Spoke", queue=queue, order_number_pattern=r"SP-\d{5}")
for title, body in KNOWLEDGE:
    article_upsert(bot=bot, title=title, body=body)

sessions = []
User = get_user_model()
for index in range(agents):
    user = User.objects.create_user(username=f"load-agent-{index}")  # no password: hashing is slow
    Membership.objects.create(
        tenant=tenant, user=user, role=Membership.Role.AGENT, display_name=f"Agent {index}"
    )
    queue.members.add(user)
    client = Client()
    client.force_login(user)
    sessions.append(client.cookies["sessionid"].value)

print("SEED=" + json.dumps({"tenant_id": tenant.pk, "bot_key": bot.public_key, "sessions": sessions}))
