"""The offline path's words and the parsing of the customer's replies (pure: text in, text out).

Every sentence the customer reads is one gettext message in the active language (the caller activates
the conversation's language); the reply parsing reads English words and any email address.

The bot asks for an email (validated) and, unless the customer skips it, a name; it accepts corrections
("sorry, it's ann@example.org") at any step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

EMAIL_LIKE = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']*")
SKIP = re.compile(
    r"^\s*(?:skip(?: it)?|no|nope|no thanks?|(?:i'?d )?rather not(?: say)?|(?:i )?prefer not(?: to)?(?: say)?"
    r"|n/?a|none|-)\s*[.!]*\s*$",
    re.I,
)
NAME_INTRO = re.compile(
    r"\b(?:my name is|my name's|i am|i'm|im|this is|call me|name:)\s+([A-Za-zÀ-ÖØ-öø-ÿ'’\- ]{1,60})", re.I
)
NAME_ONLY = re.compile(r"^\s*([A-Za-zÀ-ÖØ-öø-ÿ'’\-]+(?:\s+[A-Za-zÀ-ÖØ-öø-ÿ'’\-]+){0,3})\s*[.!]*\s*$")
# Words that make a short reply something other than a name ("ok", "I don't want to").
NOT_A_NAME = frozenset(
    [
        "yes",
        "ok",
        "okay",
        "thanks",
        "thank",
        "hi",
        "hello",
        "sure",
        "yep",
        "yeah",
        "help",
        "what",
        "why",
        "i",
        "not",
        "no",
        "don't",
        "dont",
        "want",
        "the",
        "please",
        "is",
        "my",
        "it",
        "you",
        "your",
        "rather",
        "skip",
    ]
)


@dataclass(frozen=True)
class ContactReply:
    email: str = ""  # a valid address found in the reply
    bad_email: str = ""  # something that looks like an address but is not one
    name: str = ""
    skip: bool = False  # "skip", "no thanks": no name


def _valid_email(candidate: str) -> bool:
    try:
        validate_email(candidate)
    except ValidationError:
        return False
    return True


def _clean_name(raw: str) -> str:
    words = [w for w in raw.strip(" .,!-").split() if w]
    while words and words[-1].lower() in {"and", "my", "email", "is", "here", "thanks"}:
        words.pop()
    if not words or any(w.lower().strip("'’") in NOT_A_NAME for w in words):
        return ""
    name = " ".join(words)[:80]
    return name.title() if name.islower() else name


def contact_reply_parse(text: str, *, expecting_name: bool = False) -> ContactReply:
    """Read an email address and a name out of what the customer typed."""
    email = bad = ""
    for match in EMAIL_LIKE.finditer(text):
        candidate = match.group(0).strip(".").lower()
        if _valid_email(candidate):
            email = candidate
        elif not email:
            bad = match.group(0)
    rest = EMAIL_LIKE.sub(" ", text)
    name = ""
    intro = NAME_INTRO.search(rest)
    if intro:
        name = _clean_name(intro.group(1))
    elif expecting_name and not email and not SKIP.match(rest):
        only = NAME_ONLY.match(rest)
        if only:
            name = _clean_name(only.group(1))
    skip = bool(expecting_name and SKIP.match(rest))
    return ContactReply(email=email, bad_email="" if email else bad, name=name, skip=skip)


def opener_text(why: str) -> str:
    """The first words of the offline path: why nobody from the team is answering."""
    if why == "pickup_missed":
        return _("I'm sorry for the wait: nobody from the team could pick this up just now.")
    return _("Our support team isn't available right now.")


def _sentences(*parts: str) -> str:
    """Sentences joined with one space, each ending with its stop once ("back." not "back..")."""
    out = []
    for part in parts:
        part = part.strip()
        if part:
            ended = part.rstrip(")\"»”“'")[-1:] in (".", "!", "?", "…")
            out.append(part if ended else f"{part}.")
    return " ".join(out)


def ask_email_text(opener: str, back: str) -> str:
    """Ask for an email address. ``back`` names when the team is back, or is empty when no time is known
    (the promise that the team gets back is made once, at the end)."""
    return _sentences(
        opener,
        back,
        _(
            "If you leave your email address (and your name, if you like), I'll open a ticket with this "
            "whole conversation and the team will get back to you."
        ),
    )


def offer_text(opener: str, back: str) -> str:
    return _sentences(
        opener,
        back,
        _(
            "I can keep trying to help in the meantime, but my answers won't have been checked by a "
            "person. If you'd rather hear from the team, just leave your email address and I'll open a "
            "ticket for you."
        ),
    )


def closed_text(opener: str, back: str) -> str:
    return _sentences(opener, back)


def ask_name_text() -> str:
    return _("Thanks! And what name should the team use? (You can say skip.)")


def bad_email_text(bad: str) -> str:
    return _(
        '"%(bad)s" doesn\'t look like a complete email address. Could you check it and send it again?'
    ) % {"bad": bad}


def need_email_text() -> str:
    return _("To open a ticket I need an email address the team can reply to. What is it?")


def follow_up_soon_text() -> str:
    return _("The team will follow up as soon as someone is available")


def ticket_opened_text(*, reference: str, name: str, email: str, by_email: bool, back: str) -> str:
    """The confirmation, saying each thing once: who replies where, then when the team is back.

    ``back`` names a time ("We're back Monday at 9:00 (New York time)") or is empty when none is known;
    then the reply is promised "as soon as someone is available" in the same sentence.
    """
    thanks = _("Thanks, %(name)s.") % {"name": name} if name else _("Thanks.")
    opened = _("I've opened ticket %(reference)s with our whole conversation.") % {"reference": reference}
    parts = {"email": email}
    if by_email and back:
        follow = _(
            "I've emailed you a copy of this conversation at %(email)s, and the team will reply there."
        )
    elif by_email:
        follow = _(
            "I've emailed you a copy of this conversation at %(email)s, and the team will reply there as "
            "soon as someone is available."
        )
    elif back:
        follow = _("The team will reply to %(email)s.")
    else:
        follow = _("The team will reply to %(email)s as soon as someone is available.")
    return _sentences(thanks, opened, follow % parts, back)


def added_to_ticket_text(reference: str) -> str:
    return _(
        "Thanks, I've added that to ticket %(reference)s. The team will see it when they pick it up."
    ) % {"reference": reference}


def email_updated_text(reference: str, email: str) -> str:
    return _("Got it: the team will reply to %(email)s about ticket %(reference)s.") % {
        "email": email,
        "reference": reference,
    }


def disclaimer_text() -> str:
    return _("(This answer comes from our help articles and hasn't been checked by a person.)")


def offline_unsure_text() -> str:
    return _(
        "I'm not sure I can answer that one well, and the team is away right now. If you leave your email "
        "address, I'll open a ticket with our conversation and they'll get back to you."
    )
