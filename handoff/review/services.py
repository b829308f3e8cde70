"""Writes of the review loop: an agent or lead marks a conversation's handoff decision; a lead or admin
confirms the label as marked, or corrects it. Every write locks the conversation's review row, so two
people clicking at once leave one consistent label.

Who may do what:

- any member may mark a conversation that was handed off (they can all see it in the inbox);
- only leads and admins may mark a conversation the bot resolved alone ("missed" means the bot should
  have handed off, which is a judgement of the team's policy), and only they confirm or correct;
- once a label is confirmed an agent can no longer change it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handoff.models import Handoff, HandoffReview, ReviewVerdict
from handoff.reports.scope import LEAD_ROLES
from handoff.review.rules import Label, label_check
from handoff.review.selectors import customer_seqs, handoff_seq, review_subject
from helpdesk.errors import Conflict, InvalidInput, PermissionDenied
from helpdesk.models import Conversation, Membership

NOTE_MAX = 2000


def is_lead(membership: Membership) -> bool:
    return membership.role in LEAD_ROLES


def _lead_required(membership: Membership) -> None:
    if not is_lead(membership):
        raise PermissionDenied(_("Only leads and admins confirm or correct reviews."), code="lead_required")


def _note_clean(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            _("The note is longer than %(max)s characters.") % {"max": NOTE_MAX},
            fields={"note": [_("At most %(max)s characters.") % {"max": NOTE_MAX}]},
        )
    return note


def _label(
    conversation: Conversation, handoff: Handoff | None, *, verdict: str, at_seq, signal: str
) -> Label:
    return label_check(
        verdict=verdict,
        at_seq=at_seq,
        signal=signal or "",
        handed_off=handoff is not None,
        customer_seqs=customer_seqs(conversation),
        before_seq=handoff_seq(handoff) if handoff is not None else None,
    )


def _locked_review(conversation: Conversation) -> HandoffReview | None:
    return (
        HandoffReview.objects.for_tenant(conversation.tenant_id)
        .select_for_update()
        .filter(conversation=conversation)
        .first()
    )


def _subject(conversation: Conversation, membership: Membership) -> Handoff | None:
    """The handoff the review judges (None: the bot resolved it alone), or why it cannot be reviewed."""
    if membership.tenant_id != conversation.tenant_id:
        raise PermissionDenied(_("This conversation belongs to another company."))
    handed_off, handoff = review_subject(conversation)
    if not handed_off and conversation.status != Conversation.Status.RESOLVED:
        raise InvalidInput(
            _("Only a handed-off conversation, or one the bot resolved, can be reviewed."),
            code="not_reviewable",
        )
    if not handed_off and not is_lead(membership):
        raise PermissionDenied(
            _("Only leads and admins review conversations the bot resolved alone."), code="lead_required"
        )
    return handoff


def _write(
    review: HandoffReview | None,
    *,
    conversation: Conversation,
    handoff: Handoff | None,
    label: Label,
    note: str | None,
    marked_by_id: int | None,
) -> HandoffReview:
    now = timezone.now()
    if review is None:
        review = HandoffReview(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            marked_at=now,
            marked_by_id=marked_by_id,
        )
    review.handoff = handoff
    review.handed_off = handoff is not None
    review.verdict, review.at_seq, review.signal = label.verdict, label.at_seq, label.signal
    if note is not None:
        review.note = note
    if marked_by_id is not None:
        review.marked_by_id, review.marked_at = marked_by_id, now
    review.save()
    return review


@transaction.atomic
def review_mark(
    *,
    membership: Membership,
    conversation: Conversation,
    verdict: str,
    at_seq=None,
    signal: str = "",
    note: str = "",
) -> HandoffReview:
    """Mark the handoff decision of ``conversation``. Marking again replaces the marking until a lead
    confirms it; after that an agent's marking is refused, and a lead's is a correction."""
    handoff = _subject(conversation, membership)
    label = _label(conversation, handoff, verdict=verdict, at_seq=at_seq, signal=signal)
    note = _note_clean(note)
    review = _locked_review(conversation)
    if review is not None and review.confirmed:
        if not is_lead(membership):
            raise Conflict(
                _("A lead has confirmed this review: ask them to correct it."), code="review_confirmed"
            )
        return _correct(
            review, conversation=conversation, handoff=handoff, label=label, note=note, by=membership
        )
    return _write(
        review,
        conversation=conversation,
        handoff=handoff,
        label=label,
        note=note,
        marked_by_id=membership.user_id,
    )


@transaction.atomic
def review_confirm(*, membership: Membership, conversation: Conversation) -> HandoffReview:
    """A lead confirms the label as marked. A conversation nobody marked yet (one the review queue
    flagged) is confirmed as the system decided it: the right call. Confirming twice changes nothing."""
    _lead_required(membership)
    handoff = _subject(conversation, membership)
    review = _locked_review(conversation)
    if review is None:
        review = _write(
            None,
            conversation=conversation,
            handoff=handoff,
            label=Label(verdict=ReviewVerdict.RIGHT_CALL.value),
            note="",
            marked_by_id=membership.user_id,
        )
    if review.confirmed:
        return review
    review.confirmed_by_id, review.confirmed_at = membership.user_id, timezone.now()
    review.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return review


def _correct(
    review: HandoffReview | None,
    *,
    conversation: Conversation,
    handoff: Handoff | None,
    label: Label,
    note: str | None,
    by: Membership,
) -> HandoffReview:
    if review is not None and not review.corrected_from:
        marked = Label(verdict=review.verdict, at_seq=review.at_seq, signal=review.signal)
        if marked != label:
            review.corrected_from = {**marked.as_dict(), "by": review.marked_by_id}
    # A lead's correction of an agent's marking keeps the agent as the one who marked it.
    marked_by_id = by.user_id if review is None else None
    review = _write(
        review, conversation=conversation, handoff=handoff, label=label, note=note, marked_by_id=marked_by_id
    )
    review.confirmed_by_id, review.confirmed_at = by.user_id, timezone.now()
    review.save(update_fields=["corrected_from", "confirmed_by", "confirmed_at", "updated_at"])
    return review


@transaction.atomic
def review_correct(
    *,
    membership: Membership,
    conversation: Conversation,
    verdict: str,
    at_seq=None,
    signal: str = "",
    note: str | None = None,
) -> HandoffReview:
    """A lead sets the label and confirms it at once. What an agent had marked, when different, is kept
    in ``corrected_from`` (the first marking: correcting twice does not lose it)."""
    _lead_required(membership)
    handoff = _subject(conversation, membership)
    label = _label(conversation, handoff, verdict=verdict, at_seq=at_seq, signal=signal)
    note = None if note is None else _note_clean(note)
    review = _locked_review(conversation)
    return _correct(review, conversation=conversation, handoff=handoff, label=label, note=note, by=membership)
