"""The reports page: filters, then every section's charts and tables; ``?format=csv&table=<name>`` gives
one table as a CSV file with the same filters. Thin: the middleware resolved the tenant; the report's
scope checks the input; :mod:`handoff.reports.page` reads and lays out the figures."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from handoff.forms import ReportFilterForm
from handoff.reports.figures import Names
from handoff.reports.page import TABLES, report_sections, report_table
from handoff.reports.scope import LEAD_ROLES, MAX_DAYS, ReportScope, report_scope
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import Membership

HTML, CSV = "html", "csv"


def _membership(request: HttpRequest) -> Membership:
    if not request.membership:
        raise PermissionDenied(gettext("You are not an agent of any company on this helpdesk."))
    return request.membership


def _bad_request(text: str) -> HttpResponse:
    return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")


def _scope(form: ReportFilterForm, membership: Membership) -> ReportScope | None:
    """The report's scope, or None with the form's errors set. Another company's bot or queue is a 404."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return report_scope(
            tenant=membership.tenant_id,
            first_day=data["from"],
            last_day=data["to"],
            bot_id=data["bot"] or None,
            queue_id=data["queue"] or None,
            viewer=membership,
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        form.add_error(None, exc.message)
        for name, messages in exc.fields.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        return None


def _query(scope: ReportScope) -> str:
    params = {"from": scope.first_day.isoformat(), "to": scope.last_day.isoformat()}
    if scope.bot is not None:
        params["bot"] = scope.bot.pk
    if scope.queue is not None:
        params["queue"] = scope.queue.pk
    return urlencode(params)


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    output = request.GET.get("format") or HTML
    if output not in (HTML, CSV):
        return _bad_request("format: use html or csv.")
    table_name = request.GET.get("table", "")
    if output == CSV and table_name not in TABLES:
        return _bad_request(f"table: use one of {', '.join(TABLES)}.")
    form = ReportFilterForm(request.GET)
    scope = _scope(form, membership)
    if scope is None and output == CSV:
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return _bad_request(errors.replace("__all__: ", ""))
    names = Names(membership.tenant_id)
    if output == CSV:
        table = report_table(scope, names, table_name)
        response = HttpResponse(table.csv_text(), content_type="text/csv; charset=utf-8")
        filename = f"{table.name}-{scope.first_day.isoformat()}-to-{scope.last_day.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    values = {name: request.GET.get(name, "") for name in ("from", "to", "bot", "queue")}
    if scope is not None:
        values.update(_query_values(scope))
    context = {
        "form": form,
        "scope": scope,
        "sections": report_sections(scope, names) if scope is not None else [],
        "values": values,
        "bots": names.bots,
        "queues": names.queues,
        "query": _query(scope) if scope is not None else "",
        "max_days": MAX_DAYS,
        # Leads and admins confirm handoff reviews: the page links to their queue.
        "review_queue": membership.role in LEAD_ROLES,
    }
    return render(request, "handoff/reports.html", context, status=200 if scope is not None else 400)


def _query_values(scope: ReportScope) -> dict[str, str]:
    return {
        "from": scope.first_day.isoformat(),
        "to": scope.last_day.isoformat(),
        "bot": str(scope.bot.pk) if scope.bot else "",
        "queue": str(scope.queue.pk) if scope.queue else "",
    }
