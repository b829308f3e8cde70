"""The review queue as the page lists it: one row per conversation, saying why it is there, what was
marked, and the choices a lead has to confirm or correct it. Pure: it lays out what the selector read."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from handoff.models import Handoff, HandoffReview
from handoff.review.rules import verdicts_for
from handoff.review.selectors import MessageChoice, ReviewQueue
from helpdesk.models import Conversation
from helpdesk.reasons import reason_label


@dataclass(frozen=True)
class QueueRow:
    conversation: Conversation
    why: str
    review: HandoffReview | None
    handed_off: bool
    messages: list[MessageChoice]
    verdicts: list[tuple[str, str]]
    message_text: str = ""  # the marked message, for late or missed

    @property
    def part(self) -> str:
        return "handoff" if self.handed_off else "bot"


def _verdicts(handed_off: bool) -> list[tuple[str, str]]:
    return [(v.value, v.label) for v in verdicts_for(handed_off=handed_off)]


def _text(messages: list[MessageChoice], seq: int | None) -> str:
    return next((m.text for m in messages if m.seq == seq), "") if seq else ""


def _marked_why(review: HandoffReview) -> str:
    handoff: Handoff | None = review.handoff
    if handoff is None:
        return _("Resolved by the bot")
    return _("Handed off: %(reason)s") % {"reason": str(reason_label(handoff.reason)).lower()}


def _resolved_why(conversation: Conversation) -> str:
    reasons = []
    rating = getattr(conversation, "rating", None)
    if getattr(conversation, "low_rating", False) and rating is not None:
        rated = _("rated %(score)s/5") % {"score": rating.score}
        reasons.append(rated + (f": “{rating.comment}”" if rating.comment else ""))
    if getattr(conversation, "came_back", False):
        reasons.append(_("the customer wrote again after the bot resolved it"))
    if getattr(conversation, "followed_up", False):
        reasons.append(_("its ticket was opened again"))
    return _("Resolved by the bot; %(why)s") % {"why": "; ".join(reasons)}


def _uncertain_why(handoff: Handoff) -> str:
    score = handoff.evidence.get("score")
    certainty = f"{score:.0%}" if isinstance(score, int | float) else "?"
    explanation = handoff.evidence.get("explanation") or reason_label(handoff.reason)
    return _("Handed off with %(certainty)s certainty: %(explanation)s") % {
        "certainty": certainty,
        "explanation": explanation,
    }


def queue_rows(queue: ReviewQueue) -> dict[str, list[QueueRow]]:
    messages = queue.messages
    marked = [
        QueueRow(
            conversation=r.conversation,
            why=_marked_why(r),
            review=r,
            handed_off=r.handed_off,
            messages=messages.get(r.conversation_id, []),
            verdicts=_verdicts(r.handed_off),
            message_text=_text(messages.get(r.conversation_id, []), r.at_seq),
        )
        for r in queue.marked.rows
    ]
    resolved = [
        QueueRow(
            conversation=c,
            why=_resolved_why(c),
            review=None,
            handed_off=False,
            messages=messages.get(c.pk, []),
            verdicts=_verdicts(False),
        )
        for c in queue.bot_resolved.rows
    ]
    uncertain = [
        QueueRow(
            conversation=h.conversation,
            why=_uncertain_why(h),
            review=None,
            handed_off=True,
            messages=messages.get(h.conversation_id, []),
            verdicts=_verdicts(True),
            message_text=h.trigger_message.body if h.trigger_message else "",
        )
        for h in queue.uncertain.rows
    ]
    return {"marked": marked, "bot_resolved": resolved, "uncertain": uncertain}
