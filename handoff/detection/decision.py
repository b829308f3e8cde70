"""The one decision: given every signal about a customer turn, hand off or not, and why.

Signals come from the rule floor (``handoff.detection.floor``), the learned model
(``handoff.detection.signals``), Claude's own reading of the message, and the turn itself (a question
asked again, the unresolved count, confidence, a bot error). What must hold:

- no signal and no turn condition -> no handoff;
- any signal hands off: a source only adds; nothing (no low score, no "the customer seems fine" from a
  model) can take away another source's signal;
- the reason is the first present of ``DECISION_ORDER``: explicit_request, sensitive_topic,
  negative_sentiment, repeated_failure, bot_error, low_confidence;
- within a reason, a rule's signal (certain) comes before a model's, then the higher probability, then
  the order given; the handoff keeps every signal as evidence for the agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handoff.detection.signals import (
    BOT_ERROR,
    EXPLICIT_REQUEST,
    LOW_CONFIDENCE,
    NEGATIVE_SENTIMENT,
    REPEATED_FAILURE,
    SENSITIVE_TOPIC,
    Signal,
    quote,
)

DECISION_ORDER: tuple[str, ...] = (
    EXPLICIT_REQUEST,
    SENSITIVE_TOPIC,
    NEGATIVE_SENTIMENT,
    REPEATED_FAILURE,
    BOT_ERROR,
    LOW_CONFIDENCE,
)
_SOURCE_ORDER = {"rule": 0, "model": 1, "assistant": 2, "turn": 3}


@dataclass(frozen=True)
class TurnState:
    """The turn's own conditions, from the responder and the conversation so far."""

    unresolved_turns: int = 0  # consecutive unresolved customer turns, this one included
    max_unresolved_turns: int = 3  # 0 disables the count
    confidence: float | None = None  # the responder's, for an answer; None for small talk or no answer
    confidence_threshold: float = 0.35
    bot_error: str = ""  # a code when the responder failed
    repeated_failure: bool = True  # the bot's switches for the two turn reasons
    low_confidence: bool = True


@dataclass(frozen=True)
class Decision:
    reason: str
    signal: Signal  # the one that names the reason
    signals: tuple[Signal, ...]  # every signal considered, in decision order, for the agent's context


def turn_signals(state: TurnState) -> list[Signal]:
    """The unresolved count, a bot error and low confidence as signals, so one ordering decides them all."""
    signals = []
    if state.repeated_failure and 0 < state.max_unresolved_turns <= state.unresolved_turns:
        evidence = f"{state.unresolved_turns} customer turns in a row without a resolved answer"
        signals.append(
            Signal(REPEATED_FAILURE, "unresolved_turns", None, evidence, "unresolved_turns", "turn")
        )
    if state.bot_error:
        signals.append(Signal(BOT_ERROR, "bot_error", None, state.bot_error, "bot_error", "turn"))
    if (
        state.low_confidence
        and state.confidence is not None
        and state.confidence < state.confidence_threshold
    ):
        evidence = f"confidence {state.confidence:.2f} < {state.confidence_threshold:.2f}"
        signals.append(Signal(LOW_CONFIDENCE, "confidence", state.confidence, evidence, "confidence", "turn"))
    return signals


def _rank(signal: Signal) -> tuple:
    reason = DECISION_ORDER.index(signal.reason) if signal.reason in DECISION_ORDER else len(DECISION_ORDER)
    certainty = 1.0 if signal.probability is None or signal.source == "turn" else signal.probability
    return reason, _SOURCE_ORDER.get(signal.source, len(_SOURCE_ORDER)), -certainty


def handoff_decide(signals: Sequence[Signal], state: TurnState | None = None) -> Decision | None:
    """At most one handoff for the turn: see the module docstring for what must hold."""
    considered = [*signals, *turn_signals(state or TurnState())]
    ranked = sorted(enumerate(considered), key=lambda item: (*_rank(item[1]), item[0]))
    known = [signal for _, signal in ranked if signal.reason in DECISION_ORDER]
    if not known:
        return None
    return Decision(reason=known[0].reason, signal=known[0], signals=tuple(known))


def unresolved_after(
    previous: int, *, reply_kind: str, confidence: float | None, repeated: bool, threshold: float
) -> int:
    """How many consecutive customer turns are unresolved after this one.

    A turn is unresolved when the customer asked again (``repeated``), when the bot failed (``error``),
    or when its answer was not confident (below ``threshold``, or no confidence at all). A confident
    answer to a new question, a greeting or a thanks resolves it and resets the count, so a customer
    asking several different answerable questions never accumulates.
    """
    if repeated or reply_kind == "error":
        return previous + 1
    if reply_kind in ("greeting", "thanks"):
        return 0
    if confidence is None or confidence < threshold:
        return previous + 1
    return 0


def explain(signal: Signal) -> str:
    """One sentence an agent reads: what was seen and by whom (a rule is certain, the model gives odds)."""
    words = f': "{quote(signal.evidence)}"' if signal.evidence else ""
    odds = (
        f" ({signal.probability:.0%})" if signal.source == "model" and signal.probability is not None else ""
    )
    if signal.reason == EXPLICIT_REQUEST:
        if signal.source == "assistant":
            return "The assistant read the message as a request for a person"
        return f"Asked for a person{odds}{words}"
    if signal.reason == SENSITIVE_TOPIC:
        if signal.amount is not None:
            return (
                f"Refund of {signal.amount} {signal.currency or ''} asked for, above the bot's limit{words}"
            )
        return f"Sensitive topic ({signal.category.replace('_', ' ')}){odds}{words}"
    if signal.reason == NEGATIVE_SENTIMENT:
        return f"Frustrated{odds}{words}"
    if signal.reason == REPEATED_FAILURE and signal.source == "model":
        return f"Unhappy with the bot's answers{odds}{words}"
    if signal.reason == BOT_ERROR:
        if signal.rule == "watchdog":  # the evidence is the sentence: "No answer within 30 s"
            return signal.evidence
        return f"The bot failed to answer ({signal.evidence or 'error'})"
    if signal.reason == LOW_CONFIDENCE:
        return f"The bot was not confident in its answer ({signal.evidence})"
    return signal.evidence


def signal_evidence(signal: Signal) -> dict:
    """A signal as the handoff's evidence record (JSON): what the inbox, the API and reports read."""
    return {
        "reason": signal.reason,
        "rule": signal.rule,
        "category": signal.category,
        "source": signal.source,
        "matched": signal.evidence,
        "explanation": explain(signal),
        "score": signal.probability,
        "amount": signal.amount,
        "currency": signal.currency,
    }


def decision_evidence(decision: Decision) -> dict:
    """The deciding signal's record, with every signal considered under ``all`` (the deciding one first)."""
    return {**signal_evidence(decision.signal), "all": [signal_evidence(s) for s in decision.signals]}
