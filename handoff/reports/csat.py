"""Customer satisfaction (CSAT) in the reports, counted by the database like the other figures.

Definitions:

- A **rating** is the customer's answer to "How did we do?" on a resolved conversation
  (:class:`helpdesk.models.Rating`: a score from 1 to 5 and an optional comment). It belongs to the period
  in which it was first given (``Rating.created_at``), with its latest score: rating again replaces the
  score, not the day. With a bot or queue chosen, ratings of that bot's or queue's conversations count
  (a queue's conversations as for deflection: worked in it, or never handed off and of a bot that hands
  off to it).
- **Responses** are ratings; the **average score** is their mean; **CSAT** is the share of 4 and 5
  (``satisfied / responses``; None when there are none).
- **Who resolved**: the bot or an agent, as recorded with the rating (the agent the conversation was
  assigned to when it was resolved).
- **By handoff reason**: the reason of the conversation's latest handoff before the rating was last
  given; conversations never handed off are their own row (:data:`NEVER_HANDED_OFF`).
- **Comments**: ratings with a comment, newest first.

An agent looking at their own figures (``scope.agent_user_id``) sees the team's totals, series and
reasons like everyone, but only their own row among the agents and only the comments on the
conversations they resolved: a comment is feedback on one person's work.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext, gettext_lazy

from handoff.models import Handoff
from handoff.reports.figures import Names, _bucket_day, _rate, _reason_order, _trunc, bot_queue_q
from handoff.reports.figures import agents as agent_figures
from handoff.reports.scope import ReportScope
from helpdesk.models import Rating
from helpdesk.reasons import reason_label

SATISFIED_FROM = 4
SCORES = (1, 2, 3, 4, 5)
BOT, AGENT = Rating.ResolvedBy.BOT.value, Rating.ResolvedBy.AGENT.value
RESOLVER_LABELS = {BOT: gettext_lazy("The bot"), AGENT: gettext_lazy("Agents")}
# The reasons table's row for conversations the bot had alone (``reason`` None in the API).
NEVER_HANDED_OFF = gettext_lazy("Never handed off")
COMMENTS_ON_PAGE = 20
# The most comments one API answer carries (``comments=``).
COMMENTS_API_MAX = 200
# A CSV of comments holds at most this many (the newest): enough for any range of a helpdesk's year.
COMMENTS_EXPORT_MAX = 10_000


def ratings_in(scope: ReportScope) -> QuerySet:
    """Ratings first given in the scope's days, of its bot and queue."""
    return (
        Rating.objects.for_tenant(scope.tenant_id)
        .filter(created_at__gte=scope.start, created_at__lt=scope.end)
        .filter(bot_queue_q(scope, prefix="conversation__"))
        .order_by()
    )


def _counts(*, scores: bool = False) -> dict:
    counts = {
        "responses": Count("pk"),
        "score_sum": Sum("score"),
        "satisfied": Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
    }
    if scores:
        counts["comments"] = Count("pk", filter=~Q(comment=""))
        counts.update({f"score_{n}": Count("pk", filter=Q(score=n)) for n in SCORES})
    return counts


# What the counting queries group by; every other column of their rows is a count, summed in Python.
GROUPED_BY = frozenset({"resolved_by", "agent_id", "bucket", "reason"})


def _added(into: dict, row: dict) -> dict:
    for key, value in row.items():
        if key not in GROUPED_BY:
            into[key] = into.get(key, 0) + (value or 0)
    return into


def csat_figures(counts: dict, *, scores: bool = False) -> dict:
    """Responses, average score and CSAT from summed counts (and the comments and the count of each
    score, with ``scores``)."""
    responses = counts.get("responses", 0)
    out = {
        "responses": responses,
        "average_score": round(counts.get("score_sum", 0) / responses, 2) if responses else None,
        "csat_rate": _rate(counts.get("satisfied", 0), responses),
    }
    if scores:
        out["comments"] = counts.get("comments", 0)
        out["by_score"] = {str(n): counts.get(f"score_{n}", 0) for n in SCORES}
    return out


def _by_resolver_rows(scope: ReportScope) -> list[dict]:
    """Counts per (who resolved, agent): one query, read by the totals, the bot-or-agent rows and the
    agents."""
    return list(ratings_in(scope).values("resolved_by", "agent_id").annotate(**_counts(scores=True)))


def _agent_rows(rows: list[dict], scope: ReportScope) -> dict[int, dict]:
    per_agent: dict[int, dict] = {}
    for row in rows:
        if row["resolved_by"] != AGENT or row["agent_id"] is None:
            continue
        if scope.agent_user_id is not None and row["agent_id"] != scope.agent_user_id:
            continue
        _added(per_agent.setdefault(row["agent_id"], {}), row)
    return per_agent


def agent_csat(scope: ReportScope) -> dict[int, dict]:
    """Each agent's responses, average score and CSAT over the ratings of the conversations they
    resolved (one query); only the viewer's own when the scope is an agent's."""
    rows = _by_resolver_rows(scope)
    return {user_id: csat_figures(counts) for user_id, counts in _agent_rows(rows, scope).items()}


def csat(scope: ReportScope, names: Names | None = None) -> dict:
    """Totals with the count of each score, by who resolved, per agent, per handoff reason and per day
    or week (three queries, plus the tenant's members)."""
    names = names or Names(scope.tenant_id)
    rows = _by_resolver_rows(scope)
    total: dict = {}
    by_resolver: dict[str, dict] = {BOT: {}, AGENT: {}}
    for row in rows:
        _added(total, row)
        _added(by_resolver.setdefault(row["resolved_by"], {}), row)
    per_agent = _agent_rows(rows, scope)
    if scope.agent_user_id is not None:
        agent_ids = [scope.agent_user_id]
    else:
        agent_ids = [pk for pk in names.agents if pk in per_agent]
        agent_ids += sorted(set(per_agent) - set(agent_ids))
    return {
        "total": csat_figures(total, scores=True),
        "by_resolver": [
            {
                "resolved_by": key,
                "label": str(RESOLVER_LABELS.get(key, key)),
                **csat_figures(counts, scores=True),
            }
            for key, counts in by_resolver.items()
        ],
        "agents": [
            {"user_id": pk, "name": names.agent(pk), **csat_figures(per_agent.get(pk, {}))}
            for pk in agent_ids
        ],
        "reasons": _by_reason(scope),
        "series": _series(scope),
        "only_own": scope.agent_user_id is not None,
    }


def _by_reason(scope: ReportScope) -> list[dict]:
    """One query: each rating with its conversation's latest handoff's reason (before the rating's latest
    score), grouped by it."""
    latest = (
        Handoff.objects.for_tenant(scope.tenant_id)
        .filter(conversation_id=OuterRef("conversation_id"), created_at__lte=OuterRef("updated_at"))
        .order_by("-created_at", "-pk")
        .values("reason")[:1]
    )
    rows = ratings_in(scope).annotate(reason=Subquery(latest)).values("reason").annotate(**_counts())
    counts = {row["reason"]: row for row in rows}
    reasons = _reason_order({r: c["responses"] for r, c in counts.items() if r is not None})
    out = [{"reason": r, "label": reason_label(r), **csat_figures(counts[r])} for r in reasons]
    if None in counts:
        out.append({"reason": None, "label": str(NEVER_HANDED_OFF), **csat_figures(counts[None])})
    return out


def _series(scope: ReportScope) -> list[dict]:
    """Per day or week: everyone's, the bot's and the agents' figures (one query)."""
    rows = (
        ratings_in(scope)
        .annotate(bucket=_trunc(scope, "created_at"))
        .values("bucket", "resolved_by")
        .annotate(**_counts())
    )
    cells: dict[tuple[date, str], dict] = defaultdict(dict)
    for row in rows:
        day = _bucket_day(row["bucket"], scope)
        _added(cells[(day, row["resolved_by"])], row)
        _added(cells[(day, "")], row)
    return [
        {
            "bucket": day,
            **csat_figures(cells.get((day, ""), {})),
            "bot": csat_figures(cells.get((day, BOT), {})),
            "agent": csat_figures(cells.get((day, AGENT), {})),
        }
        for day in scope.buckets()
    ]


def comment_rows(scope: ReportScope) -> QuerySet:
    """Ratings with a comment, newest first, as plain rows (an agent's scope: only their own)."""
    rows = ratings_in(scope).exclude(comment="")
    if scope.agent_user_id is not None:
        rows = rows.filter(agent_id=scope.agent_user_id)
    return rows.order_by("-created_at", "-pk").values(
        "pk",
        "created_at",
        "score",
        "comment",
        "resolved_by",
        "agent_id",
        "conversation_id",
        "conversation__bot_id",
    )


def comment_out(row: dict, names: Names, zone) -> dict:
    """One comment as the page, its CSV file and the API show it."""
    by_agent = row["resolved_by"] == AGENT
    agent_id = row["agent_id"]
    bot_id = row["conversation__bot_id"]
    if by_agent:
        who = names.agent(agent_id) if agent_id is not None else gettext("An agent no longer here")
    else:
        who = gettext("The bot (%(bot)s)") % {"bot": names.bot(bot_id)}
    rated: datetime = row["created_at"]
    return {
        "rating_id": row["pk"],
        "rated_at": rated.astimezone(zone),
        "score": row["score"],
        "comment": row["comment"],
        "resolved_by": row["resolved_by"],
        "resolved_by_name": who,
        "agent_id": agent_id,
        "conversation_id": row["conversation_id"],
        "bot_id": bot_id,
    }


def comments(scope: ReportScope, names: Names | None = None, *, limit: int = COMMENTS_ON_PAGE) -> list[dict]:
    """The newest ``limit`` comments (one query, plus the names)."""
    names = names or Names(scope.tenant_id)
    return [comment_out(row, names, scope.zone) for row in comment_rows(scope)[:limit]]


def agents_with_csat(scope: ReportScope, names: Names | None = None) -> dict:
    """The agents' figures (:func:`handoff.reports.figures.agents`) with each agent's CSAT beside them
    (one more query)."""
    names = names or Names(scope.tenant_id)
    result = agent_figures(scope, names)
    by_agent = agent_csat(scope)
    empty = csat_figures({})
    for row in result["agents"]:
        figures = by_agent.get(row["user_id"], empty)
        row["csat_responses"] = figures["responses"]
        row["csat_average_score"] = figures["average_score"]
        row["csat_rate"] = figures["csat_rate"]
    return result
