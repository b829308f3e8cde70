"""The agents' pages. Thin: resolve the tenant (the middleware did), call a selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from helpdesk.errors import NotFound
from helpdesk.selectors import conversation_get, messages_after, messages_payload
from inbox.selectors import inbox_lists


def _membership(request: HttpRequest):
    if not request.membership:
        raise PermissionDenied("You are not an agent of any company on this helpdesk.")
    return request.membership


@login_required
def inbox_index(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    lists = inbox_lists(tenant=membership.tenant_id, user=request.user)
    return render(request, "inbox/index.html", {"lists": lists})


@login_required
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    membership = _membership(request)
    try:
        conversation = conversation_get(tenant=membership.tenant_id, conversation_id=conversation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages = messages_payload(
        conversation, messages_after(conversation=conversation, include_private=True, limit=10_000)
    )
    handoff = conversation.handoffs.order_by("-created_at").first()
    return render(
        request,
        "inbox/conversation.html",
        {"conversation": conversation, "messages": messages, "handoff": handoff},
    )
