"""The review loop's pages: the marking form's endpoint (posted from the inbox's conversation page) and
the leads' review queue with its confirm and correct buttons. Thin: the middleware resolved the tenant;
the services check who may do what; errors are shown as a short page with the reason and a way back."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from handoff.models import ReviewSignal
from handoff.review.queue_rows import queue_rows
from handoff.review.selectors import QUEUE_LIMIT, review_queue
from handoff.review.services import is_lead, review_confirm, review_correct, review_mark
from helpdesk.access import access_conversation
from helpdesk.errors import DomainError, NotFound
from helpdesk.models import Conversation, Membership

# What the error page calls each field of the forms.
FIELD_NAMES = {
    "verdict": gettext_lazy("Verdict"),
    "at_seq": gettext_lazy("Where it should have handed off"),
    "signal": gettext_lazy("What should have fired"),
    "note": gettext_lazy("Note"),
}


def _membership(request: HttpRequest) -> Membership:
    if not request.membership:
        raise DjangoPermissionDenied(_("You are not an agent of any company on this helpdesk."))
    return request.membership


def _conversation(membership: Membership, conversation_id: int) -> Conversation:
    try:
        return access_conversation(tenant=membership.tenant_id, conversation_id=conversation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _refused(request: HttpRequest, error: DomainError, back: str) -> HttpResponse:
    """What went wrong, with the field it concerns, and the way back; nothing was changed."""
    fields = [(FIELD_NAMES.get(name, name), messages) for name, messages in error.fields.items()]
    context = {"error": error, "fields": fields, "back": back}
    return render(request, "handoff/review_error.html", context, status=error.http_status)


def _label_fields(request: HttpRequest) -> dict:
    return {
        "verdict": request.POST.get("verdict", ""),
        "at_seq": request.POST.get("at_seq"),
        "signal": request.POST.get("signal", ""),
    }


@login_required
@require_POST
def review_mark_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    membership = _membership(request)
    conversation = _conversation(membership, conversation_id)
    back = _back(request, reverse("inbox:conversation", args=[conversation.pk]) + "#review")
    try:
        review_mark(
            membership=membership,
            conversation=conversation,
            note=request.POST.get("note", ""),
            **_label_fields(request),
        )
    except DomainError as exc:
        return _refused(request, exc, back)
    return HttpResponseRedirect(back, status=303)


@login_required
@require_POST
def review_confirm_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    membership = _membership(request)
    conversation = _conversation(membership, conversation_id)
    back = _back(request, reverse("reports:review"))
    try:
        review_confirm(membership=membership, conversation=conversation)
    except DomainError as exc:
        return _refused(request, exc, back)
    return HttpResponseRedirect(back, status=303)


@login_required
@require_POST
def review_correct_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    membership = _membership(request)
    conversation = _conversation(membership, conversation_id)
    back = _back(request, reverse("reports:review"))
    note = request.POST.get("note")
    try:
        review_correct(
            membership=membership,
            conversation=conversation,
            note=note if note else None,
            **_label_fields(request),
        )
    except DomainError as exc:
        return _refused(request, exc, back)
    return HttpResponseRedirect(back, status=303)


@login_required
@require_GET
def review_queue_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not is_lead(membership):
        context = {"membership": membership}
        return render(request, "handoff/review_refused.html", context, status=403)
    queue = review_queue(tenant=membership.tenant_id)
    rows = queue_rows(queue)
    parts = [
        ("marked", _("Marked, waiting for confirmation"), queue.marked.total, rows["marked"]),
        (
            "bot_resolved",
            _("Resolved by the bot, but the customer was not helped"),
            queue.bot_resolved.total,
            rows["bot_resolved"],
        ),
        ("uncertain", _("Handoffs the detector was unsure of"), queue.uncertain.total, rows["uncertain"]),
    ]
    context = {"queue": queue, "parts": parts, "signals": ReviewSignal.choices, "limit": QUEUE_LIMIT}
    return render(request, "handoff/review_queue.html", context)
