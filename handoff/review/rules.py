"""Pure checks of a review's label: which verdicts fit which conversation, and which message a late or
missed handoff may name. No database: the services pass what they read."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from handoff.detection.corpus import LABELS
from handoff.detection.signals import LABEL_REASON, LOW_CONFIDENCE
from handoff.models import (
    BOT_RESOLVED_VERDICTS,
    HANDED_OFF_VERDICTS,
    VERDICTS_AT_MESSAGE,
    ReviewSignal,
    ReviewVerdict,
)
from helpdesk.errors import InvalidInput

# What each signal of a late or missed handoff would have raised: the detector's label's reason, and for
# "the bot did not know" the low-confidence reason. The scenario export expects it.
SIGNAL_REASON: dict[str, str] = {
    **{signal: LABEL_REASON[signal] for signal in ReviewSignal.values if signal in LABELS},
    ReviewSignal.LOW_CONFIDENCE.value: LOW_CONFIDENCE,
}
# The signals the detector learns from a message (all but "the bot did not know", a fact about the bot).
SIGNAL_LABELS = frozenset(signal for signal in ReviewSignal.values if signal in LABELS)


@dataclass(frozen=True)
class Label:
    """What a review says: the verdict, and for late or missed the message and (optionally) the signal."""

    verdict: str
    at_seq: int | None = None
    signal: str = ""

    def as_dict(self) -> dict:
        return {"verdict": self.verdict, "at_seq": self.at_seq, "signal": self.signal}


def verdicts_for(*, handed_off: bool) -> tuple[ReviewVerdict, ...]:
    return HANDED_OFF_VERDICTS if handed_off else BOT_RESOLVED_VERDICTS


def seq_parse(value) -> int | None:
    """A message seq from a form or an API body: a positive whole number, or None when left empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(
            _("Choose one of the customer's messages."), fields={"at_seq": [_("Not a message.")]}
        )
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(
            _("Choose one of the customer's messages."), fields={"at_seq": [_("Not a message number.")]}
        ) from exc
    if not 0 < number < 2**31:
        raise InvalidInput(
            _("Choose one of the customer's messages."), fields={"at_seq": [_("Not a message.")]}
        )
    return number


def label_check(
    *,
    verdict: str,
    at_seq,
    signal: str,
    handed_off: bool,
    customer_seqs: set[int],
    before_seq: int | None,
) -> Label:
    """The label, or :class:`InvalidInput` naming the field.

    ``customer_seqs`` are the seqs of the customer's messages; a late or missed verdict names one of them
    (for late, one before ``before_seq``: the message that did hand off). Other verdicts name none: a
    message sent with them is dropped, since the form always sends its select.
    """
    allowed = verdicts_for(handed_off=handed_off)
    if verdict not in {v.value for v in allowed}:
        kind = _("a handed-off conversation") if handed_off else _("a conversation the bot resolved")
        choices = ", ".join(v.value for v in allowed)
        raise InvalidInput(
            _("“%(verdict)s” is not a verdict for %(kind)s: use one of %(choices)s.")
            % {"verdict": verdict, "kind": kind, "choices": choices},
            fields={"verdict": [_("Use one of %(choices)s.") % {"choices": choices}]},
        )
    if signal and signal not in ReviewSignal.values:
        raise InvalidInput(
            _("“%(signal)s” is not a handoff signal.") % {"signal": signal},
            fields={"signal": [_("Use one of %(choices)s.") % {"choices": ", ".join(ReviewSignal.values)}]},
        )
    if verdict not in VERDICTS_AT_MESSAGE:
        return Label(verdict=verdict)
    seq = seq_parse(at_seq)
    if seq is None:
        raise InvalidInput(
            _("Say at which of the customer's messages it should have handed off."),
            fields={"at_seq": [_("Choose a message.")]},
        )
    if seq not in customer_seqs:
        raise InvalidInput(
            _("Message %(seq)s is not one of the customer's messages in this conversation.") % {"seq": seq},
            fields={"at_seq": [_("Choose one of the customer's messages.")]},
        )
    if verdict == ReviewVerdict.LATE and before_seq is not None and seq >= before_seq:
        raise InvalidInput(
            _("A late handoff names a message before the one that handed off."),
            fields={"at_seq": [_("Choose a message before message %(seq)s.") % {"seq": before_seq}]},
        )
    return Label(verdict=verdict, at_seq=seq, signal=signal)
