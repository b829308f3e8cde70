"""The agents' ticket pages and the inbound-email endpoint. Thin: parse, resolve the tenant, call one
service or selector, render.

The pages' tenant comes only from ``request.membership`` (the middleware); the endpoint's only from the
per-tenant token in its URL. Another tenant's ticket is the same 404 as a missing one.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.models import Membership
from tickets import selectors, services
from tickets.forms import ReplyForm, TicketFilterForm, TicketUpdateForm
from tickets.inbound import InboundRejected, parse_provider_json, parse_rfc822
from tickets.models import Ticket

logger = logging.getLogger(__name__)
PAGE_SIZE = 25
RAW_TYPES = {"message/rfc822", "text/plain", "application/octet-stream"}


def _membership(request: HttpRequest) -> Membership:
    if not request.membership:
        raise PermissionDenied(gettext("You are not an agent of any company on this helpdesk."))
    return request.membership


def _ticket(membership: Membership, number: int) -> Ticket:
    try:
        return selectors.ticket_get(tenant=membership.tenant_id, number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    form = TicketFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {"status": "", "mine": False, "q": ""}
    tickets = selectors.ticket_list(
        tenant=membership.tenant_id,
        status=filters["status"],
        assignee_id=request.user.pk if filters["mine"] else None,
        query=filters["q"],
    )
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "tickets/list.html", context, status=200 if form.is_valid() else 400)


def _detail(
    request: HttpRequest, ticket: Ticket, *, reply_form=None, update_form=None, status=200
) -> HttpResponse:
    agents = selectors.tenant_agents(tenant=ticket.tenant_id)
    if update_form is None:
        current = next((m.pk for m in agents if m.user_id == ticket.assignee_id), None)
        update_form = TicketUpdateForm(initial={"status": ticket.status, "assignee": current}, agents=agents)
    context = {
        "ticket": ticket,
        "replies": selectors.ticket_replies(ticket=ticket),
        "history": selectors.contact_history(
            tenant=ticket.tenant_id, contact=ticket.contact, exclude_ticket_id=ticket.pk
        ),
        "reply_form": reply_form or ReplyForm(),
        "update_form": update_form,
    }
    return render(request, "tickets/detail.html", context, status=status)


@login_required
@require_GET
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    return _detail(request, _ticket(_membership(request), number))


def _field_errors(form, exc: InvalidInput) -> None:
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
@require_POST
def ticket_reply(request: HttpRequest, number: int) -> HttpResponse:
    membership = _membership(request)
    ticket = _ticket(membership, number)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reply_add(
                ticket=ticket,
                membership_or_none=membership,
                body=form.cleaned_data["body"],
                private=form.cleaned_data["private"],
            )
        except InvalidInput as exc:
            _field_errors(form, exc)
        else:
            messages.success(
                request, gettext("Note added.") if form.cleaned_data["private"] else gettext("Reply sent.")
            )
            return redirect("tickets:detail", number=ticket.number)
    return _detail(request, ticket, reply_form=form, status=400)


@login_required
@require_POST
def ticket_update(request: HttpRequest, number: int) -> HttpResponse:
    membership = _membership(request)
    ticket = _ticket(membership, number)
    form = TicketUpdateForm(request.POST, agents=selectors.tenant_agents(tenant=membership.tenant_id))
    if form.is_valid():
        try:
            services.ticket_status_set(
                ticket=ticket, membership_or_none=membership, status=form.cleaned_data["status"]
            )
            services.ticket_assignee_set(
                ticket=ticket, membership=membership, assignee=form.assignee_membership()
            )
        except InvalidInput as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, gettext("Ticket updated."))
            return redirect("tickets:detail", number=ticket.number)
    return _detail(request, ticket, update_form=form, status=400)


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"error": exc.as_dict()}, status=exc.http_status)


def _inbound_body(request: HttpRequest) -> bytes:
    """The posted email, up to ``INBOUND_EMAIL_MAX_BYTES`` (an email with attachments is larger than the
    API's JSON bodies may be): a larger one is refused before it is read whole."""
    limit = settings.INBOUND_EMAIL_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        raise InboundRejected("too_large", f"The message is larger than this server accepts ({limit} bytes).")
    return body


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest, token: str = "") -> JsonResponse:
    """Receive a customer's emailed reply: a raw RFC 822 body (``message/rfc822``, ``text/plain``) or the
    JSON shape documented in :mod:`tickets.inbound`, posted to ``/api/v1/inbound/email/<token>/``."""
    try:
        if not token:
            raise InboundRejected("missing_token", "The URL must end with your inbound token.")
        settings_row = selectors.mail_settings_for_token(token)
        if settings_row is None:
            raise InboundRejected("unknown_token", "This inbound token belongs to no company.")
        body = _inbound_body(request)
        if request.content_type == "application/json":
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise InboundRejected("malformed", f"The body is not valid JSON: {exc}.") from exc
            email = parse_provider_json(data)
        elif request.content_type in RAW_TYPES:
            email = parse_rfc822(body)
        else:
            raise InboundRejected(
                "unsupported_media_type", "Send message/rfc822 (a raw email) or application/json."
            )
        result = services.inbound_email_receive(tenant_id=settings_row.tenant_id, email=email)
    except DomainError as exc:
        logger.info("Inbound email refused: %s (%s)", exc.code, exc.message)
        return _error(exc)
    payload = {
        "status": "imported" if result.created else "duplicate",
        "ticket": result.ticket.reference,
        "reply_id": result.reply.pk,
        "reopened": result.reopened,
        "follow_up_of": result.follow_up_of.reference if result.follow_up_of else None,
    }
    return JsonResponse(payload, status=201 if result.created else 200)
