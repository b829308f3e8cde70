"""The customer's language: detected from what they write, with lingua, among the languages the product
speaks (``settings.LANGUAGES``), so the bot's own texts (handoff, offline path, disclaimers) reach them in
it.

lingua is a well-kept, offline, statistical detector that stays right on short chat messages, where
n-gram profile detectors (langdetect, langid) guess. It is asked only about messages long enough to mean
something (two words or more); otherwise, or when two languages are too close to call, the answer is
None and the conversation keeps the language it has. Its models load on the first question (about
160 MB for five languages in high-accuracy mode, which is the mode that tells "where is my order?" from
German); ``LANGUAGE_DETECTION=false`` turns it off and every conversation speaks its bot's language.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.utils import translation

_WORDS = re.compile(r"[^\W\d_]{2,}")
_MIN_WORDS = 2
_lock = threading.Lock()


def supported_languages() -> tuple[str, ...]:
    """The two-letter codes of the languages the product speaks."""
    return tuple(code.split("-")[0] for code, _ in settings.LANGUAGES)


@cache
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in supported_languages()]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_minimum_relative_distance(0.2).build()


def language_detect(text: str) -> str | None:
    """The two-letter code of the language ``text`` is written in, or None when it is too short to tell,
    too close to call, or detection is off."""
    if not settings.LANGUAGE_DETECTION or len(_WORDS.findall(text)) < _MIN_WORDS:
        return None
    with _lock:  # the first call loads the models; later ones are fast and the lock is not contended
        detector = _detector()
    found = detector.detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None


def language_warm_up() -> None:
    """Load the detector's models now (a process's first detection would otherwise pay for it)."""
    language_detect("warming up the language models")


def language_or_default(code: str | None) -> str:
    """``code`` when the product speaks it, else the site's default language."""
    supported = supported_languages()
    if code and code.split("-")[0].lower() in supported:
        return code.split("-")[0].lower()
    return settings.LANGUAGE_CODE.split("-")[0]


def conversation_language(conversation) -> str:
    """The language the bot writes to this conversation in: the customer's detected language, else the
    bot's default language, else the site's."""
    return language_or_default(conversation.language or conversation.bot.language)


@contextmanager
def speaking_to(conversation) -> Iterator[None]:
    """The bot's texts inside the block are in the conversation's language."""
    with translation.override(conversation_language(conversation)):
        yield


def bot_greeting(bot) -> str:
    """The greeting a new visitor reads: the admin's own words as written, or the default greeting in the
    bot's language (nothing is known yet of the visitor's)."""
    from helpdesk.models import DEFAULT_GREETING

    if bot.greeting.strip() != DEFAULT_GREETING:
        return bot.greeting
    with translation.override(language_or_default(bot.language)):
        return translation.gettext(DEFAULT_GREETING)
