"""The agents' pages. Thin: the middleware resolved the tenant; call a selector or a service, render.

Never cached: they are live, and Back must show the lists as they are now, not as they were."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache

from helpdesk.errors import NotFound
from helpdesk.models import Conversation, Membership
from helpdesk.payloads import messages_payload
from helpdesk.selectors import conversation_get
from inbox.filters import SAVED_VIEWS, InboxFilters, inbox_filters_read
from inbox.selectors import (
    INBOX_LISTS,
    LIST_PAGE,
    canned_replies,
    contact_history,
    conversation_messages_tail,
    inbox_filtered_page,
    inbox_lists,
    inbox_page,
)
from inbox.services import conversation_mark_read

LIST_TITLES = {
    "waiting": gettext_lazy("Waiting"),
    "mine": gettext_lazy("Mine"),
    "open": gettext_lazy("All open"),
}

# The buttons a conversation page offers in each status; each is the socket frame it sends. The page
# reads this table (json_script) to show the right ones when the status changes live.
CONVERSATION_ACTIONS: dict[str, tuple[str, ...]] = {
    Conversation.Status.BOT: ("claim", "resolve"),
    Conversation.Status.WAITING: ("claim", "handback", "resolve"),
    Conversation.Status.ASSIGNED: ("handback", "resolve"),
    Conversation.Status.OFFLINE: ("handback", "resolve"),
    Conversation.Status.RESOLVED: ("reopen",),
}
LINK_SCHEMES = ("http://", "https://")


def _membership(request: HttpRequest) -> Membership:
    if not request.membership:
        raise PermissionDenied(gettext("You are not an agent of any company on this helpdesk."))
    return request.membership


def _saved_views(filters: InboxFilters) -> list[dict]:
    """The saved views as links, the one the filters are now marked current."""
    return [
        {"key": key, "title": title, "query": urlencode(query), "current": filters == InboxFilters(**query)}
        for key, title, query in SAVED_VIEWS
    ]


@never_cache
@login_required
def inbox_index(request: HttpRequest) -> HttpResponse:
    """The inbox: its three lists (Waiting, Mine, All open), or with filters in the query string (see
    ``inbox.filters``) one list of what they ask for, paginated. Bad filter values are named above the
    unfiltered lists."""
    membership = _membership(request)
    form, filters, problems = inbox_filters_read(request.GET, tenant=membership.tenant_id)
    context = {"form": form, "filters": filters, "problems": problems, "saved_views": _saved_views(filters)}
    if filters.active:
        context["page"] = inbox_filtered_page(
            tenant=membership.tenant_id, user=request.user, filters=filters, number=request.GET.get("page")
        )
        context["live_filters"] = filters.as_page_data()
        query = request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
    else:
        lists = inbox_lists(tenant=membership.tenant_id, user=request.user)
        context["columns"] = [(name, LIST_TITLES[name], lists[name]) for name in INBOX_LISTS]
        context["page_size"] = LIST_PAGE
    return render(request, "inbox/index.html", context)


@never_cache
@login_required
def inbox_list_page(request: HttpRequest, name: str) -> HttpResponse:
    membership = _membership(request)
    if name not in INBOX_LISTS:
        raise Http404(gettext("No such list."))
    page = inbox_page(
        tenant=membership.tenant_id, user=request.user, name=name, number=request.GET.get("page")
    )
    return render(request, "inbox/list.html", {"name": name, "title": LIST_TITLES[name], "page": page})


def _before_seq(value: str | None) -> int | None:
    """The ``before`` of an earlier page of messages: a positive seq, or None (the latest page) for
    anything else, so a mangled link shows the latest messages rather than an error."""
    if value is None or not value.isdigit() or not 0 < int(value) < 2**31:
        return None
    return int(value)


def _sources(message: dict) -> list[dict]:
    """A bot answer's sources as the page lists them: each title, linked only to an http(s) URL."""
    if message["author_kind"] != "bot":
        return []
    sources = (message.get("data") or {}).get("sources") or []
    out = []
    for source in sources if isinstance(sources, list) else []:
        if not isinstance(source, dict):
            continue
        url = str(source.get("url") or "")
        title = str(source.get("title") or "") or url
        if title:
            out.append({"title": title, "url": url if url.lower().startswith(LINK_SCHEMES) else ""})
    return out


@never_cache
@login_required
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation with its latest messages (``?before=<seq>``: the page before that message). The
    socket adds what arrives after; a long history is read a page at a time, so the page costs the same
    at 20 or 20,000 messages."""
    membership = _membership(request)
    try:
        conversation = conversation_get(tenant=membership.tenant_id, conversation_id=conversation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    before = _before_seq(request.GET.get("before"))
    rows, earlier_before = conversation_messages_tail(conversation=conversation, before_seq=before)
    conversation_mark_read(membership=membership, conversation=conversation)
    # The tickets app owns tickets; the page reads the contact's through the relation.
    tickets = list(conversation.contact.tickets.select_related("contact").order_by("-created_at")[:10])
    ticket = None
    if conversation.status == Conversation.Status.OFFLINE:
        # Where a reply goes (inbox.relays): the conversation's own ticket, among those or read on its own.
        ticket = next((t for t in tickets if t.conversation_id == conversation.pk), None)
        ticket = ticket or conversation.tickets.select_related("contact").first()
    return render(
        request,
        "inbox/conversation.html",
        {
            "conversation": conversation,
            "messages": [{**m, "sources": _sources(m)} for m in messages_payload(conversation, rows)],
            "actions": CONVERSATION_ACTIONS.get(conversation.status, ()),
            "actions_by_status": {status: list(names) for status, names in CONVERSATION_ACTIONS.items()},
            "earlier_before": earlier_before,
            # An earlier page is history only: live messages and replies belong on the latest one.
            "earlier_page": before is not None,
            "handoff": conversation.handoffs.order_by("-created_at").first(),
            "history": contact_history(conversation),
            "tickets": tickets,
            "ticket": ticket,
            "canned": canned_replies(tenant=membership.tenant_id),
            # What other apps add to the context card (settings.INBOX_CONVERSATION_PANELS).
            "panels": getattr(settings, "INBOX_CONVERSATION_PANELS", ()),
        },
    )
