"""Recognising small talk (hello, thanks, bye) so it is answered warmly instead of searched for.

A greeting searched in the knowledge base finds nothing and would read as a question the bot cannot
answer (a low-confidence handoff on "hi"). A message is small talk only when nothing else is left once
its greeting, thanks and pleasantry words are taken out: "Hello, my parcel never came" is a question.

Customers often open by saying who they are ("Hi, I'm Maria, maria@example.com", "hello, my order
number is RW20331902"). That is still a greeting: the details are collected for the agent by the
extraction step, and the bot asks what it can help with instead of searching for an email address.
So is a greeting that announces a question without asking it ("hello, got a couple of things to ask",
"hola, tengo una duda"): the bot invites the question instead of searching for "things".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from chatbot.responders.base import ReplyKind
from helpdesk.text import fold_case, strip_accents

_GREETINGS = (
    "hi",
    "hii",
    "hello",
    "hallo",
    "hey",
    "heya",
    "hiya",
    "howdy",
    "yo",
    "greetings",
    "good morning",
    "good afternoon",
    "good evening",
    "good day",
    "morning",
    "evening",
    "hola",
    "buenos dias",
    "buenas tardes",
    "buenas",
    "bonjour",
    "bonsoir",
    "salut",
    "guten tag",
    "ciao",
    "buongiorno",
    "ola",
    "hej",
    "namaste",
    "oi",
    "bom dia",
    "boa tarde",
    "boa noite",
    "buenas noches",
    "coucou",
    "guten morgen",
    "guten abend",
    "servus",
    "moin",
    "salve",
    "buonasera",
    "hoi",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "how are you",
    "how are you doing",
    "how s it going",
    "are you there",
)
_THANKS = (
    "thanks",
    "thank you",
    "thank u",
    "thanks a lot",
    "many thanks",
    "thx",
    "ty",
    "tysm",
    "cheers",
    "much appreciated",
    "appreciate it",
    "appreciated",
    "merci",
    "gracias",
    "danke",
    "grazie",
)
_GOODBYES = (
    "bye",
    "bye bye",
    "goodbye",
    "good bye",
    "see you",
    "see ya",
    "take care",
    "have a nice day",
    "have a good day",
    "have a great day",
    "adios",
    "au revoir",
)
# Closing pleasantries: on their own they end a conversation, they do not ask anything.
_CLOSINGS = (
    "that s all",
    "that is all",
    "that s it",
    "that s all i needed",
    "that s all i need",
    "that s everything",
    "all good",
    "all set",
    "got it",
    "that helps",
    "that helped",
    "that worked",
    "that works",
    "it works",
    "it worked",
    "all working",
    "working now",
    "works now",
    "all sorted",
    "sorted",
    "fixed it",
    "problem solved",
    "that did it",
    "that did the trick",
    "makes sense",
    "that makes sense",
    "sounds good",
    "good to know",
    "understood",
    "fair enough",
    "i m good",
    "nothing else",
    "no more questions",
    "ok",
    "okay",
    "great",
    "perfect",
    "awesome",
    "cool",
    "nice",
    "brilliant",
    "lovely",
    "excellent",
    "wonderful",
    "super",
)
# Announcing a question without asking it yet: "got a couple of things to ask", "quick question", "I need
# some help", "tengo una duda", "j'ai une petite question", "ich habe ein paar Fragen". Each is built from
# its language's parts (who has or needs, how many, what: a question, a thing, help), so any combination
# counts, and nothing in it names a subject: "a question about my refund" leaves "refund", a question.
_HOW_MANY = (
    r"(?:(?:a|an|one|two|three|four|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|some|several|more"
    r"|another|quick|small|little|short|simple|just|other)\s+)*"
)
_ANNOUNCEMENTS = (
    # English
    r"(?:i\s+)?(?:(?:ve|have|d|would)\s+)?(?:got|have|had|need|like|want)(?:\s+to\s+(?:ask|have))?\s+"
    + _HOW_MANY
    + r"(?:questions?|q|qs|queries|query|things?|issues?|problems?|doubts?|help|assistance|support|info"
    r"|information)(?:\s+(?:to\s+ask(?:\s+you)?|for\s+you|i\s+(?:need|want|d\s+like)\s+to\s+ask|with"
    r"\s+something|if\s+you\s+have\s+a\s+(?:minute|moment|sec|second)))*",
    _HOW_MANY + r"(?:quick|small|short|simple|little)\s+(?:question|query|one|thing)s?",
    r"(?:(?:can|could|would|will)\s+(?:you|u|someone|anyone)|(?:are|r)\s+you\s+able\s+to|(?:i\s+m\s+)?"
    r"(?:hoping|wondering\s+if)\s+(?:you|someone)\s+(?:can|could))\s+help(?:\s+me)?(?:\s+out)?"
    r"(?:\s+with\s+(?:something|a\s+few\s+things|a\s+question))?",
    r"(?:(?:can|could|may)\s+i|i\s+(?:want|d\s+like|would\s+like|wanted)\s+to)\s+ask(?:\s+you)?"
    r"(?:\s+(?:something|a\s+question|a\s+few\s+(?:things|questions)|some\s+questions|a\s+thing))?",
    # Spanish and Portuguese
    r"(?:tengo|tenho|tendria|queria|quiero|quisiera|gostaria\s+de|preciso\s+de|necesito)\s+(?:hacer\s+|fazer\s+)?"
    r"(?:(?:una|unas|un|uma|umas|algunas|algumas|varias|dos|duas|un\s+par\s+de|otra|outra)\s+)?"
    r"(?:pregunta|preguntas|pergunta|perguntas|consulta|consultas|duda|dudas|duvida|duvidas|ayuda|ajuda)"
    r"(?:\s+(?:rapida|rapidas|rapidinha|pequena))?",
    r"(?:una|uma)\s+(?:pregunta|pergunta|consulta|duda|duvida)\s+(?:rapida|pequena|corta|curta)",
    r"(?:me\s+)?(?:puedes|puede|podrias|podria|pode|podes|poderia)\s+(?:me\s+)?(?:ayudar|ajudar)(?:me)?",
    # French
    r"(?:j\s+ai|j\s+aurais|je\s+voudrais\s+poser|j\s+aimerais\s+poser)\s+"
    r"(?:(?:une|deux|quelques|plusieurs|petite|petites|autre)\s+)*questions?(?:\s+(?:rapide|a\s+poser))?",
    r"(?:une\s+)?(?:petite\s+question|question\s+rapide)",
    r"j\s+ai\s+besoin\s+d\s+(?:aide|un\s+renseignement|informations?)",
    r"(?:pouvez\s+vous|tu\s+peux|vous\s+pouvez|pourriez\s+vous)\s+m\s+aider",
    # German
    r"ich\s+(?:habe|hatte|hab)\s+(?:(?:eine|ein|zwei|paar|ein\s+paar|einige|mehrere|kurze|kleine|noch)\s+)*"
    r"(?:frage|fragen|anliegen)",
    r"(?:eine\s+)?(?:kurze|kleine)\s+frage",
    r"ich\s+(?:brauche|benotige)\s+hilfe",
    r"(?:konnen|konnten)\s+sie\s+mir\s+helfen|kannst\s+du\s+mir\s+helfen",
    # Italian
    r"(?:ho|avrei|volevo\s+fare|vorrei\s+fare)\s+(?:(?:una|un|qualche|alcune|due|un\s+paio\s+di|altra)\s+)?"
    r"(?:domanda|domande|domandina)(?:\s+(?:veloce|rapida|da\s+fare))?",
    r"(?:una\s+)?domanda\s+(?:veloce|rapida)",
    r"ho\s+bisogno\s+di\s+(?:aiuto|una\s+mano)",
    r"(?:mi\s+)?(?:puoi|puo|potresti|potrebbe)\s+aiutar(?:e|mi)",
    r"volevo\s+chiedere(?:\s+(?:una\s+cosa|qualcosa))?",
    # Dutch
    r"ik\s+heb\s+(?:(?:een|paar|een\s+paar|enkele|twee|nog|korte|kleine)\s+)*(?:vraag|vragen|vraagje)",
    r"(?:een\s+)?(?:snelle|korte)\s+vraag",
    r"ik\s+heb\s+hulp\s+nodig",
    r"(?:kunt\s+u|kun\s+je|kan\s+iemand)\s+(?:mij|me)\s+helpen",
)
_ANNOUNCEMENT_RE = re.compile(r"\b(?:" + "|".join(f"(?:{a})" for a in _ANNOUNCEMENTS) + r")\b")
_POLITE = ("please", "pls", "por favor", "s il vous plait", "svp", "bitte", "per favore", "alsjeblieft")


# Words that may surround small talk without turning it into a question.
_PADDING_WORDS = (
    "there team all everyone folks guys again so very much lot a for the your you help oh ah well and "
    "then just really friend mate buddy i needed need it that s this was now here"
)
_PADDING = frozenset(_PADDING_WORDS.split())


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


_GREETING_RE = _phrase_pattern(_GREETINGS)
_THANKS_RE = _phrase_pattern(_THANKS)
_GOODBYE_RE = _phrase_pattern(_GOODBYES)
_CLOSING_RE = _phrase_pattern(_CLOSINGS)
_POLITE_RE = _phrase_pattern(_POLITE)


# Saying who one is: an email address, a number or reference (anything with a digit), "my name is Sam
# Rivera", "my email is ...", and "I'm Maria" or "this is Maria" when the name is capitalised as typed.
_CONTACT_DETAIL = re.compile(r"\S+@\S+|\S*\d\S*")
_NAME_GIVEN = re.compile(
    r"\b(?:[Mm]y\s+name\s+is|[Mm]y\s+name's|[Nn]ame's)\s+[\w'-]+(?:\s+[A-Z][\w'-]*)?"
    r"|\b(?:I'?m|I\s+am|[Tt]his\s+is|[Ii]t'?s)\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?"
)
_DETAIL_INTRO = re.compile(
    r"\bmy\s+(?:e-?mail(?:\s+address)?|(?:phone|mobile|customer)(?:\s+number)?|number)(?:\s+is|:)?"
    r"|\b(?:my\s+)?(?:order|account|reference|ref|ticket|case)(?:\s+(?:number|no|id|reference))?(?:\s+is|:)?"
    r"(?=\s*#?\S*\d)|\b(?:i'?m|i\s+am|this\s+is|it'?s)\s+(?=\S+@)",
    re.IGNORECASE,
)


def _without_introduction(text: str) -> str:
    """``text`` without the customer saying who they are (name, email, order or account number)."""
    text = _DETAIL_INTRO.sub(" ", text)
    text = _NAME_GIVEN.sub(" ", text)
    return _CONTACT_DETAIL.sub(" ", text)


def _normalise(text: str) -> str:
    """Case folded, apostrophes as spaces, accents dropped ("días", "können" -> "dias", "konnen")."""
    text = strip_accents(fold_case(text)).replace("\u2019", " ").replace("'", " ")
    return " ".join(re.sub(r"[^a-z\s]", " ", text).split())


def _classify(text: str) -> dict[str, bool] | None:
    """Which kinds of small-talk phrase the message holds, or None when anything else is left."""
    rest = _normalise(_without_introduction(text))
    if not rest:
        return None
    found: dict[str, bool] = {}
    for name, pattern in (
        ("announcement", _ANNOUNCEMENT_RE),
        ("thanks", _THANKS_RE),
        ("goodbye", _GOODBYE_RE),
        ("closing", _CLOSING_RE),
        ("greeting", _GREETING_RE),
        ("polite", _POLITE_RE),
    ):
        rest, count = pattern.subn(" ", rest)
        found[name] = count > 0
    if any(word not in _PADDING for word in rest.split()):
        return None
    found.pop("polite")
    return found if any(found.values()) else None


def small_talk_kind(text: str) -> str | None:
    """ReplyKind.GREETING or ReplyKind.THANKS when the message is only small talk, else None.

    Thanks, goodbyes and bare acknowledgements ("ok", "great") all close a conversation, so they share
    the THANKS kind; a message that both greets and thanks counts as thanks.
    """
    reply = small_talk_reply(text, bot_name="")
    return reply[0] if reply else None


def small_talk_reply(text: str, bot_name: str) -> tuple[str, str] | None:
    """(kind, reply) for small talk, else None: a greeting invites the question, thanks and goodbyes close."""
    found = _classify(text)
    if found is None:
        return None
    if found["goodbye"]:
        return ReplyKind.THANKS, _("Thanks for chatting with us. Goodbye, and have a great day!")
    if found["thanks"]:
        return ReplyKind.THANKS, _("You're welcome! If anything else comes up, just ask.")
    if found["closing"]:
        return ReplyKind.THANKS, _("Glad that helped. Is there anything else I can do for you?")
    if found["announcement"]:
        text = _("Hello! I'm %(name)s. Of course: go ahead, what would you like to ask?")
        return ReplyKind.GREETING, text % {"name": bot_name}
    return ReplyKind.GREETING, _("Hello! I'm %(name)s. What can I help you with today?") % {"name": bot_name}
