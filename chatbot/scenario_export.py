"""A company's confirmed handoff reviews as a scenario file (format ``handoff-scenarios/1``), so the team's
own conversations become a test of the handoff decisions that ``handoff_eval`` replays.

The file holds one bot's settings (the ones the replay reads), its enabled knowledge articles and one
scenario per confirmed review of that bot's conversations (``handoff.review.examples.scenario_of`` says
what each verdict expects; the customer's words are masked). Reading and checking are here; the command
only parses its arguments and writes the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from chatbot.evaluation import FORMAT, REASONS, scenarios_validate
from chatbot.models import KnowledgeArticle
from handoff.models import HandoffReview
from handoff.review.examples import reviewed_conversations, scenario_of
from helpdesk.models import Bot, Tenant


class ExportError(ValueError):
    """Why nothing was exported, in words for the person who ran the command."""


@dataclass
class Export:
    data: dict
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (conversation id, why)

    @property
    def scenarios(self) -> int:
        return len(self.data["scenarios"])


def tenant_by_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise ExportError(f"No company has the slug {slug!r}.")
    return tenant


def _bots_listed(bots: list[Bot]) -> str:
    return ", ".join(f"{bot.pk} ({bot.name})" for bot in bots) or "none"


def bot_choose(tenant: Tenant, wanted: str | None) -> Bot:
    """The bot named by id, name or public key; without one, the company's bot with confirmed reviews
    when there is exactly one."""
    bots = list(Bot.objects.for_tenant(tenant).order_by("pk"))
    if wanted:
        wanted = wanted.strip()
        matches = [b for b in bots if str(b.pk) == wanted or b.public_key == wanted]
        matches = matches or [b for b in bots if b.name.casefold() == wanted.casefold()]
        if len(matches) == 1:
            return matches[0]
        problem = "Several bots are called" if matches else "No bot"
        raise ExportError(f"{problem} {wanted!r} in {tenant.slug}; its bots are: {_bots_listed(bots)}.")
    reviewed_bots = set(
        HandoffReview.objects.for_tenant(tenant)
        .filter(confirmed_at__isnull=False)
        .values_list("conversation__bot_id", flat=True)
    )
    candidates = [b for b in bots if b.pk in reviewed_bots]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ExportError(f"{tenant.slug} has no confirmed reviews yet: nothing to export.")
    listed = _bots_listed(candidates)
    raise ExportError(
        f"{tenant.slug} has confirmed reviews of several bots; choose one with --bot: {listed}."
    )


def since_parse(value: str | None) -> datetime | None:
    """A day (``YYYY-MM-DD``) as the UTC midnight it starts at."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ExportError(f"--since must be a day written YYYY-MM-DD, not {value!r}.") from exc
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def bot_settings(bot: Bot) -> dict:
    """What ``handoff_eval`` builds its throwaway bot from."""
    return {
        "name": bot.name,
        "confidence_threshold": bot.confidence_threshold,
        "max_unresolved_turns": bot.max_unresolved_turns,
        "refund_handoff_amount": float(bot.refund_handoff_amount),
        "currency": bot.currency,
        "order_number_pattern": bot.order_number_pattern,
    }


def review_scenarios_export(
    *,
    tenant: Tenant,
    bot: Bot,
    confirmed_since: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> Export:
    """The scenario file's content for ``bot``'s confirmed reviews, checked by the reader
    ``handoff_eval`` uses; :class:`ExportError` when there is nothing to export."""
    articles = list(
        KnowledgeArticle.objects.for_tenant(tenant)
        .filter(bot=bot, enabled=True)
        .order_by("pk")
        .values("title", "body", "url")
    )
    if not articles:
        raise ExportError(
            f"Bot {bot.pk} ({bot.name}) has no enabled knowledge articles; a replay needs them."
        )
    reviews = HandoffReview.objects.for_tenant(tenant).filter(
        confirmed_at__isnull=False, conversation__bot=bot
    )
    if confirmed_since is not None:
        reviews = reviews.filter(confirmed_at__gte=confirmed_since)
    if on_total is not None:
        on_total(reviews.count())
    items = reviewed_conversations(
        tenant_ids=[tenant.pk], bot_id=bot.pk, confirmed_since=confirmed_since, progress=progress
    )
    scenarios, skipped = [], []
    for item in items:
        scenario, why = scenario_of(item)
        if scenario is None:
            skipped.append((item.conversation_id, why))
        else:
            scenarios.append(scenario)
    if not scenarios:
        since = f" confirmed since {confirmed_since:%Y-%m-%d}" if confirmed_since else ""
        detail = f" ({len(skipped)} could not be replayed)" if skipped else ""
        raise ExportError(f"No confirmed reviews{since} of bot {bot.pk} ({bot.name}) to export{detail}.")
    data = {
        "format": FORMAT,
        "about": (
            f"Confirmed handoff reviews of {tenant.name}'s bot {bot.name}, exported by manage.py "
            "handoff_export. Customers' words are masked (emails, phone numbers, order and account "
            "numbers, names)."
        ),
        "reasons": list(REASONS),
        "name": f"{tenant.name}: reviewed handoffs of {bot.name}",
        "bot": bot_settings(bot),
        "kb": [{k: v for k, v in article.items() if v or k != "url"} for article in articles],
        "scenarios": scenarios,
    }
    scenarios_validate(data)  # the reader's own check: a file it would refuse is never written
    return Export(data, skipped)
