"""Helpers of the API tests: keys, clients, one of everything in a tenant, and a fingerprint of its data.

``tenant_world`` makes, through the real services, one row of every kind an API route can name, and
returns their ids under the URL keyword each route uses: the generated route tests fill any route's path
from it, so a new route only needs its keyword here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from rest_framework.test import APIClient

from chatbot.models import KnowledgeArticle
from handoff.models import HandoffRule
from handoff.services import handoff_request_manual
from helpdesk.api_keys import api_key_create
from helpdesk.attachments import attachment_store
from helpdesk.models import ApiKey, Membership, Tenant, TenantOwned, WebhookDelivery
from helpdesk.services import message_create
from helpdesk.tests.attachment_support import png_bytes
from helpdesk.webhooks import webhook_create
from inbox.models import CannedReply
from inbox.presence import presence_connect

OUR_APPS = ("helpdesk", "chatbot", "handoff", "inbox", "tickets")


def key_for(tenant: Tenant, scope: str = ApiKey.Scope.READ_WRITE, name: str = "test") -> str:
    return api_key_create(tenant=tenant, name=name, scope=scope)[1]


def client_for(raw_key: str | None = None) -> APIClient:
    client = APIClient()
    if raw_key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@dataclass
class World:
    tenant: Tenant
    ids: dict[str, int] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)


def tenant_world(tenant: Tenant, make_bot, make_agent) -> World:
    """A tenant with one of everything: bot, queue, hours, article, rule, contact, an API conversation with
    a handoff, an agent online, a canned reply, a webhook with a delivery, a key, a ticket and an
    attachment."""
    from chatbot.services import api_conversation_start
    from helpdesk.contacts import contact_find_or_create
    from tickets.models import BusinessHours
    from tickets.services import ticket_create_for_conversation

    bot = make_bot(tenant, f"{tenant.slug} bot")
    agent = make_agent(tenant, f"{tenant.slug}-agent")
    admin = make_agent(tenant, f"{tenant.slug}-admin", role=Membership.Role.ADMIN)
    presence_connect(membership=agent)
    contact, _ = contact_find_or_create(tenant=tenant, name="Pat", email=f"pat@{tenant.slug}.example")
    conversation = api_conversation_start(tenant=tenant, bot=bot, contact=contact)
    message_create(conversation=conversation, author_kind="customer", body="My order SP-12345 is late")
    handoff, _ = handoff_request_manual(conversation=conversation, evidence={}, requested_by={"test": True})
    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="api")
    hours = BusinessHours.objects.create(tenant=tenant, queue=bot.queue, timezone="UTC")
    canned = CannedReply.objects.create(tenant=tenant, title="Thanks", body="Thanks for waiting!")
    webhook = webhook_create(
        tenant=tenant, url=f"https://hooks.example/{tenant.slug}", events=["message.created"]
    )
    delivery = WebhookDelivery.objects.create(
        tenant=tenant,
        webhook=webhook,
        delivery_id="00000000-0000-0000-0000-000000000001",
        event="message.created",
        request_body="{}",
        status_code=200,
        succeeded=True,
        final=True,
    )
    key = api_key_create(tenant=tenant, name="world", scope=ApiKey.Scope.READ)[0]
    attachment = attachment_store(
        tenant=tenant, data=png_bytes(), name="photo.png", uploader_kind="api", conversation=conversation
    )
    world = World(tenant=tenant)
    world.objects = {
        "bot": bot,
        "agent": agent,
        "admin": admin,
        "contact": contact,
        "conversation": conversation,
        "handoff": handoff,
        "ticket": ticket,
        "webhook": webhook,
        "delivery": delivery,
    }
    world.ids = {
        "conversation_id": conversation.pk,
        "handoff_id": handoff.pk,
        "rule_id": HandoffRule.objects.for_tenant(tenant).filter(bot=bot).first().pk,
        "contact_id": contact.pk,
        "bot_id": bot.pk,
        "article_id": KnowledgeArticle.objects.for_tenant(tenant).filter(bot=bot).first().pk,
        "queue_id": bot.queue_id,
        "hours_id": hours.pk,
        "agent_id": agent.user_id,
        "reply_id": canned.pk,
        "ticket_id": ticket.pk,
        "key_id": key.pk,
        "webhook_id": webhook.pk,
        "attachment_id": attachment.pk,
    }
    return world


def tenant_fingerprint(tenant_id: int) -> dict[str, list[dict]]:
    """Every row of every tenant-owned model of the tenant, field by field: equal before and after means
    nothing of the tenant changed."""
    out = {}
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and issubclass(model, TenantOwned):
            rows = list(model.objects.filter(tenant_id=tenant_id).order_by("pk").values())
            if model is ApiKey:
                # Using a key stamps it; that is not a change of the tenant's data.
                rows = [{k: v for k, v in row.items() if k != "last_used_at"} for row in rows]
            out[model._meta.label] = rows
    return out
