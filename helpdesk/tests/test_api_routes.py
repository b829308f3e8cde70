"""Generated from the URL resolver: every API route and method, with no credentials, a read-only key, and
another tenant's ids. A new route is covered as soon as it is wired in ``config.api_urls``; one whose
path keyword or list model is unknown here fails ``test_every_route_is_known``, so it cannot slip by.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern

from chatbot.models import KnowledgeArticle
from config import api_urls
from handoff.models import Handoff, HandoffRule
from helpdesk.models import ApiKey, Bot, Contact, Conversation, Membership, Queue, Webhook
from helpdesk.tests.api_support import client_for, key_for, tenant_fingerprint, tenant_world
from inbox.models import CannedReply
from tickets.models import BusinessHours, Ticket

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1/"
PUBLIC = {
    "widget-session",
    "widget-attachments",
    "widget-attachment-content",
    "widget-attachment-thumbnail",
    "api-not-found",
}
METHODS = ("get", "post", "put", "patch", "delete")
UNSAFE = {"post", "put", "patch", "delete"}
KEYWORD = re.compile(r"<int:(\w+)>")
MISSING_ID = 987_654_321
# The rows each list route returns, to check it shows only the caller's ("id" is the agent's user id).
LISTS = {
    "conversation-list": Conversation,
    "handoff-list": Handoff,
    "handoff-rule-list": HandoffRule,
    "contact-list": Contact,
    "bot-list": Bot,
    "article-list": KnowledgeArticle,
    "queue-list": Queue,
    "business-hours-list": BusinessHours,
    "agent-list": Membership,
    "canned-reply-list": CannedReply,
    "ticket-list": Ticket,
    "api-key-list": ApiKey,
    "webhook-list": Webhook,
}
# Routes without ids that are not lists of rows.
NOT_LISTS = {"report-handoffs", "article-import"}


def routes() -> list[tuple[str, str, list[str]]]:
    """(name, route, methods) of every tenant API route."""
    out = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in PUBLIC:
            continue
        view = pattern.callback.view_class
        out.append((pattern.name, str(pattern.pattern), [m for m in METHODS if hasattr(view, m)]))
    return out


def url(route: str, ids: dict[str, int]) -> str:
    return PREFIX + KEYWORD.sub(lambda m: str(ids[m.group(1)]), route)


def call(client, method: str, path: str):
    if method in UNSAFE:
        return getattr(client, method)(path, {}, format="json")
    return getattr(client, method)(path)


@pytest.fixture
def worlds(make_tenant, make_bot, make_agent):
    return (
        tenant_world(make_tenant("acme"), make_bot, make_agent),
        tenant_world(make_tenant("globex"), make_bot, make_agent),
    )


def test_every_route_is_known(worlds):
    acme, _ = worlds
    for name, route, methods in routes():
        assert methods, name
        assert set(KEYWORD.findall(route)) <= set(acme.ids), f"{name}: add its keyword to tenant_world"
        if not KEYWORD.search(route):
            assert name in LISTS or name in NOT_LISTS, f"{name}: say which rows it lists"


def test_every_route_refuses_a_caller_without_credentials(worlds):
    acme, _ = worlds
    before = tenant_fingerprint(acme.tenant.pk)
    failures = []
    for name, route, methods in routes():
        for method in methods:
            response = call(client_for(None), method, url(route, acme.ids))
            if response.status_code != 401 or response.json()["error"]["code"] != "not_authenticated":
                failures.append((name, method, response.status_code))
            elif not response["WWW-Authenticate"].startswith("Bearer"):
                failures.append((name, method, "no WWW-Authenticate"))
    assert failures == []
    assert tenant_fingerprint(acme.tenant.pk) == before


def test_every_write_refuses_a_read_only_key(worlds):
    acme, _ = worlds
    client = client_for(key_for(acme.tenant, ApiKey.Scope.READ))
    before = tenant_fingerprint(acme.tenant.pk)
    failures = []
    for name, route, methods in routes():
        for method in set(methods) & UNSAFE:
            response = call(client, method, url(route, acme.ids))
            if response.status_code != 403 or response.json()["error"]["code"] != "permission_denied":
                failures.append((name, method, response.status_code))
    assert failures == []
    assert tenant_fingerprint(acme.tenant.pk) == before


def test_a_read_only_key_reads_every_route(worlds):
    acme, _ = worlds
    client = client_for(key_for(acme.tenant, ApiKey.Scope.READ))
    failures = []
    for name, route, methods in routes():
        if "get" in methods:
            response = client.get(url(route, acme.ids))
            if response.status_code != 200:
                failures.append((name, response.status_code, response.content[:200]))
    assert failures == []


@pytest.mark.parametrize("credential", ["key", "admin session"])
def test_another_tenants_ids_are_not_found_like_missing_ones(worlds, credential):
    acme, globex = worlds
    if credential == "key":
        client = client_for(key_for(acme.tenant))
    else:
        client = client_for(None)
        client.force_login(acme.objects["admin"].user)
    before = tenant_fingerprint(globex.tenant.pk)
    missing = dict.fromkeys(globex.ids, MISSING_ID)
    failures = []
    for name, route, methods in routes():
        if not KEYWORD.search(route):
            continue
        for method in methods:
            theirs = call(client, method, url(route, globex.ids))
            nowhere = call(client, method, url(route, missing))
            if theirs.status_code != 404 or theirs.json() != nowhere.json():
                failures.append((name, method, theirs.status_code, theirs.content[:200]))
    assert failures == []
    assert tenant_fingerprint(globex.tenant.pk) == before


def test_every_list_shows_only_the_callers_rows(worlds):
    acme, globex = worlds
    client = client_for(key_for(acme.tenant, ApiKey.Scope.READ))
    failures = []
    for name, route, _ in routes():
        model = LISTS.get(name)
        if model is None:
            continue
        rows = client.get(url(route, acme.ids), {"limit": 200}).json()["results"]
        key = "user_id" if model is Membership else "pk"
        mine = set(model.objects.filter(tenant=acme.tenant).values_list(key, flat=True))
        theirs = set(model.objects.filter(tenant=globex.tenant).values_list(key, flat=True))
        shown = {row["id"] for row in rows}
        if not shown or not shown <= mine or shown == theirs:
            failures.append((name, sorted(shown), sorted(mine)))
    assert failures == []
