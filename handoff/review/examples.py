"""Confirmed reviews as what the rest of the product learns from: scenarios of the team's own conversations
(``handoff_export``, format ``handoff-scenarios/1``, replayed by ``handoff_eval``) and labelled
messages for the handoff detector (``detection_train`` for companies that opted in).

Only confirmed labels leave the reviews, and only the customer's words, masked
(:mod:`handoff.review.masking`). What a scenario expects, per verdict:

- ``right_call`` on a handed-off conversation: the handoff as it happened (the turn and its reason); on
  a conversation the bot resolved: no handoff;
- ``unnecessary``: no handoff;
- ``late`` and ``missed``: a handoff at the marked message, for the reason of the marked signal (any
  reason when none was marked).

A handed-off conversation's turns are the customer's messages up to the one the handoff happened at
(what came after went to a person); a bot-resolved one's are all of them. A handoff no replay can
reproduce (an agent taking over, the API, a bot error) is left out of the scenarios with the reason.

As detector examples: the marked message of a late or missed review with the marked signal as its label
(the bot not knowing the answer is not a message's signal, so it teaches nothing here), and for an
unnecessary handoff the message that triggered it as a hard negative ("no signal").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError
from django.db.models import OuterRef, Subquery

from handoff.detection.corpus import Example
from handoff.models import HandoffReview, ReviewSettings, ReviewVerdict
from handoff.review.masking import PersonalData, personal_data_mask
from handoff.review.rules import SIGNAL_LABELS, SIGNAL_REASON
from helpdesk.models import Message
from helpdesk.reasons import DETECTED_REASONS

REVIEW_DOMAIN = "reviews"  # the detector's domain of reviewed examples (its own fold in the thresholds)
REPLAYABLE_REASONS = frozenset(str(reason) for reason in DETECTED_REASONS)
CHUNK = 500  # conversations whose messages are read in one query


@dataclass(frozen=True)
class Reviewed:
    """A confirmed review with its conversation's customer messages, masked, in order."""

    review: HandoffReview
    turns: tuple[tuple[int, str], ...]  # (seq, masked text)
    handoff_seq: int | None  # where the handoff happened (see ``handoff.review.selectors.handoff_seq``)

    @property
    def conversation_id(self) -> int:
        return self.review.conversation_id


def opted_in_tenant_ids() -> list[int]:
    """The companies whose confirmed reviews may teach the detector."""
    return sorted(
        ReviewSettings.objects.unscoped("training reads every company that opted in")
        .filter(train_detector=True)
        .values_list("tenant_id", flat=True)
    )


def _personal(review: HandoffReview) -> PersonalData:
    conversation = review.conversation
    collected = [str(v) for v in conversation.collected.values() if isinstance(v, str | int)]
    return PersonalData(
        name=conversation.contact.name,
        collected=(*collected, conversation.contact.email, conversation.contact.external_id),
        order_pattern=conversation.bot.order_number_pattern,
    )


def reviewed_conversations(
    *,
    tenant_ids: Sequence[int],
    bot_id: int | None = None,
    confirmed_since: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Reviewed]:
    """The confirmed reviews of ``tenant_ids`` (optionally of one bot, confirmed since a moment), oldest
    conversation first, with their customer messages masked: one query for the reviews, one per
    ``CHUNK`` conversations for the messages. ``progress`` is told how many conversations were read."""
    first_after_handoff = (
        Message.objects.filter(
            conversation=OuterRef("conversation"), created_at__gte=OuterRef("handoff__created_at")
        )
        .order_by("seq")
        .values("seq")[:1]
    )
    rows = (
        HandoffReview.objects.filter(tenant_id__in=list(tenant_ids), confirmed_at__isnull=False)
        .select_related("conversation__contact", "conversation__bot", "handoff__trigger_message")
        .annotate(first_seq_after_handoff=Subquery(first_after_handoff))
        .order_by("conversation__created_at", "conversation_id")
    )
    if bot_id is not None:
        rows = rows.filter(conversation__bot_id=bot_id)
    if confirmed_since is not None:
        rows = rows.filter(confirmed_at__gte=confirmed_since)
    reviews = list(rows)
    out: list[Reviewed] = []
    for start in range(0, len(reviews), CHUNK):
        chunk = reviews[start : start + CHUNK]
        texts: dict[int, list[tuple[int, str]]] = {}
        messages = (
            Message.objects.filter(
                tenant_id__in=list(tenant_ids),
                conversation_id__in=[r.conversation_id for r in chunk],
                author_kind=Message.Author.CUSTOMER,
                private=False,
            )
            .order_by("conversation_id", "seq")
            .values_list("conversation_id", "seq", "body")
        )
        for conversation_id, seq, body in messages:
            texts.setdefault(conversation_id, []).append((seq, body))
        for review in chunk:
            personal = _personal(review)
            turns = tuple(
                (seq, personal_data_mask(body, personal))
                for seq, body in texts.get(review.conversation_id, [])
            )
            handoff = review.handoff
            if handoff is None:
                at = None
            elif handoff.trigger_message is not None:
                at = handoff.trigger_message.seq
            else:
                at = review.first_seq_after_handoff
            out.append(Reviewed(review, turns, at))
        if progress is not None:
            progress(len(chunk))
    return out


# Scenarios ---------------------------------------------------------------------------------------------


def _turns_until_handoff(item: Reviewed) -> list[tuple[int, str]]:
    if not item.review.handed_off:
        return list(item.turns)
    return [(seq, text) for seq, text in item.turns if seq <= item.handoff_seq]


def scenario_of(item: Reviewed) -> tuple[dict | None, str]:
    """The scenario a confirmed review makes, or None and why it cannot be replayed."""
    review = item.review
    if review.handed_off and item.handoff_seq is None:
        return None, "the handoff's place in the conversation is unknown"
    turns = _turns_until_handoff(item)
    if not turns:
        return None, "no customer message before the handoff"
    expect: dict = {"handoff_at": None}
    if review.verdict == ReviewVerdict.RIGHT_CALL and review.handed_off:
        reason = review.handoff.reason if review.handoff else ""
        if reason not in REPLAYABLE_REASONS:
            return None, f"handed off for {reason or 'an unknown reason'}, which a replay cannot reproduce"
        expect = {"handoff_at": len(turns), "reason": reason}
    elif review.verdict in (ReviewVerdict.LATE, ReviewVerdict.MISSED):
        seqs = [seq for seq, _ in turns]
        if review.at_seq not in seqs:
            return None, "the marked message is not among the customer's messages before the handoff"
        expect = {"handoff_at": seqs.index(review.at_seq) + 1}
        if review.signal:
            expect["reason"] = SIGNAL_REASON[review.signal]
    scenario = {
        "id": f"review-{review.conversation_id}",
        "verdict": review.verdict,
        "turns": [text for _, text in turns],
        "expect": expect,
    }
    if review.signal:
        scenario["signal"] = review.signal
    return scenario, ""


# Detector examples -------------------------------------------------------------------------------------


def detector_examples_of(item: Reviewed) -> list[Example]:
    """The labelled messages a confirmed review teaches the detector (see the module docstring)."""
    review = item.review
    texts = dict(item.turns)
    lang = review.conversation.language or "und"
    source = f"review of conversation {review.conversation_id}"
    if review.verdict in (ReviewVerdict.LATE, ReviewVerdict.MISSED) and review.signal in SIGNAL_LABELS:
        text = texts.get(review.at_seq, "")
        if text.strip():
            return [Example(text, (review.signal,), lang, REVIEW_DOMAIN, source=source)]
    if review.verdict == ReviewVerdict.UNNECESSARY and item.handoff_seq in texts:
        text = texts[item.handoff_seq]
        if text.strip():
            return [Example(text, (), lang, REVIEW_DOMAIN, hard=True, source=source)]
    return []


def training_examples(items: Iterable[Reviewed], corpus: Sequence[Example]) -> tuple[list[Example], int]:
    """The reviewed examples to add to ``corpus``, and how many were left out: a text the corpus (or an
    earlier review) already has is learnt once, with the corpus's labels (the corpus is checked by
    people; a review is one person's call)."""
    seen = {example.text for example in corpus}
    added: list[Example] = []
    skipped = 0
    for item in items:
        for example in detector_examples_of(item):
            if example.text in seen:
                skipped += 1
                continue
            seen.add(example.text)
            added.append(example)
    return added, skipped


@dataclass(frozen=True)
class ReviewedTraining:
    """The reviewed examples ``detection_train`` adds, and what to tell the person training."""

    examples: list[Example]
    companies: int  # that opted in
    left_out: int  # already in the corpus (or another review)
    problem: str = ""  # why none could be read (the database is not there or not migrated)


def reviewed_training_examples(corpus: Sequence[Example]) -> ReviewedTraining:
    """Examples from the confirmed reviews of every company that opted in (``ReviewSettings``), masked.
    A database that cannot be read (none yet, not migrated: a fresh checkout's first ``make run``) gives
    none, with the reason: the corpus alone is still a whole model."""
    try:
        tenant_ids = opted_in_tenant_ids()
        items = reviewed_conversations(tenant_ids=tenant_ids) if tenant_ids else []
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return ReviewedTraining([], 0, 0, problem=f"the database cannot be read ({reason})")
    examples, left_out = training_examples(items, corpus)
    return ReviewedTraining(examples, len(tenant_ids), left_out)
