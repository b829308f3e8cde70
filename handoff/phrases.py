"""The phrase tables of the inline triggers: asking for a person (with typos forgiven) and the default
sensitive topics.

Every table is written against ``handoff.matching.fold`` (lower case, no accents, same offsets as the
input) and compiled once, at import, into a ``PhraseSet``; see ``handoff.matching`` for why that keeps
every inline trigger well under a millisecond.
"""

from __future__ import annotations

import re

from handoff.matching import PhraseSet, TextIndex, TypoCorrector, correct_typos, negated, words

_IDENTITY = re.compile(
    r"\b(?:are\s+(?:you|u)|r\s+u|is\s+(?:this|that|it)|am\s+i\s+(?:talking|speaking|chatting|writing)\s+"
    r"(?:to|with)|you\s+are|you'?re|eres|es\s+usted|etes-vous|es-tu|bist\s+du|sind\s+sie)\s+"
    r"(?:(?:a|an|the|really|actually|even|just|still|now|un|una|une|ein|eine)\s+)*$"
)


_WHETHER_NEEDED = re.compile(
    r"\b(?:do|does|did|will|would|must|should)\s+(?:i|we|you|one)\s+(?:(?:really|still|first|also|ever)\s+)?"
    r"(?:have|need|got)\s+to\s+$"
)


def asks_whether_needed(folded: str, start: int) -> bool:
    """Whether the phrase at ``start`` asks if a person is needed ("Do I have to talk to someone to...").

    The customer wants to know the process, not to be transferred: the bot answers the question.
    """
    return _WHETHER_NEEDED.search(folded[max(0, start - 40) : start]) is not None


def asks_identity(folded: str, start: int) -> bool:
    """Whether the phrase at ``start`` asks what the bot is ("are you a live agent?").

    Such questions are not a request for a person: the bot answers honestly that it is an assistant
    and says how to reach one. Asking for a person in the same message still hands off.
    """
    return _IDENTITY.search(folded[max(0, start - 40) : start]) is not None


# --- explicit request for a person -------------------------------------------------------------------

_HUMAN = r"human(?!\s+(?:resources|error|errors|rights|nature|race|readable|body|trafficking|interest))"
_EN_MOD = (
    r"(?:a|an|the|your|ur|our|one\s+of\s+(?:your|the)|some|any|real|live|actual|human|proper|qualified|senior"
    r"|customer|support|service|care|sales|member\s+of(?:\s+(?:your|the))?)"
)
_EN_TARGET = (
    rf"(?:{_HUMAN}(?:s|\s+beings?)?|agents?|person|people|some\s?one|somebody|anyone|anybody"
    r"|representatives?|reps?|operators?|staff(?:\s+members?)?|employees?|team(?:\s+members?)?|managers?"
    r"|supervisors?|boss|advis(?:o|e)rs?|specialists?|customer\s+(?:service|support|care)"
    r"(?:\s+(?:team|agents?|reps?|representatives?|advis(?:o|e)rs?))?|support(?:\s+(?:team|staff|agents?"
    r"|people))?|help\s?desk)"
)
_EN_STRICT = (
    rf"(?:{_HUMAN}(?:s|\s+beings?)?|agents?|representatives?|reps?|operators?|managers?|supervisors?"
    r"|advis(?:o|e)rs?|(?:real|live|actual)\s+(?:person|people|one|someone|somebody))"
)
_EN_VERB = (
    r"(?:talk|speak|chat|converse|communicate|get\s+(?:me\s+)?through|put\s+me\s+through|connect(?:\s+me)?"
    r"|be\s+connected|transfer(?:\s+me)?|be\s+transferred|switch\s+me|pass\s+me(?:\s+(?:on|over))?"
    r"|hand\s+me(?:\s+(?:off|over))?|forward\s+me|escalate\s+(?:this|it|me)|(?:get|put\s+me|be)\s+in\s+touch"
    r"|deal|have\s+a\s+(?:quick\s+)?word)"
)
_ES_TARGET = (
    r"(?:personas?|humanos?|ser\s+humano|agentes?|representantes?|operador(?:a|es)?|asesor(?:a|es)?|alguien"
    r"|emplead[oa]s?|encargad[oa]|supervisor(?:a)?|gerente|servicio\s+al\s+cliente|atencion\s+al\s+cliente"
    r"|soporte|servicio\s+tecnico)"
)
_FR_TARGET = (
    r"(?:conseill(?:er|ere)s?|humains?|etre\s+humain|personnes?|agents?|operat(?:eur|rice)s?"
    r"|representant(?:e)?s?|quelqu'un|responsable|service\s+client|interlocut(?:eur|rice)|collaborat(?:eur"
    r"|rice))"
)
_DE_TARGET = (
    r"(?:menschen|mensch|mitarbeiter(?:in|innen)?|berater(?:in)?|person|agenten|kundendienst|kundenservice"
    r"|kundenberater(?:in)?|support|sachbearbeiter(?:in)?|jemandem|jemand|ansprechpartner(?:in)?)"
)
_DE_DET = (
    r"(?:einem|einer|einen|dem|der|den|ihrem|ihren|ihrer|eurem|echten|echtem|richtigen|realen|menschlichen"
    r"|lebenden)"
)
_DE_VERB = r"(?:sprechen|reden|chatten|telefonieren|schreiben|verbunden|verbinden|kommunizieren)"
_BARE_TARGET = (
    rf"(?:{_HUMAN}s?|agents?|person|operators?|representatives?|reps?|some\s?one|somebody|managers?"
    r"|supervisors?|advis(?:o|e)rs?|customer\s+(?:service|support)|human\s+being|humanos?|agentes?|personas?"
    r"|operador(?:a)?"
    r"|representantes?|asesor(?:a)?|humains?|conseill(?:er|ere)|personne|operat(?:eur|rice)|mensch(?:en)?"
    r"|mitarbeiter(?:in)?|berater(?:in)?|kundendienst|kundenservice|operatore|umano|atendente|pessoa"
    r"|(?:transfer|connect)\s+me|put\s+me\s+through|escalate(?:\s+(?:this|it))?)"
)
_BARE_MOD = (
    r"(?:real|live|actual|human|proper|a|an|the|un|una|une|ein|einen|eine|echte[nr]?|richtige[nr]?|vrai|vraie"
    r"|verdader[oa]|real|uma|um)"
)
_BARE_FILLER = (
    r"(?:please|pls|plz|ok|okay|hi|hello|hey|now|just|yes|yeah|asap|right\s+now|thanks|thank\s+you"
    r"|(?:i\s+)?(?:want|need|would\s+like|'d\s+like)\s+to|i\s+want|i\s+need|give\s+me|get\s+me|want|need"
    r"|can\s+i\s+have|i'?d\s+like|gimme|por\s+favor|ahora|ya|quiero"
    r"|svp|s'il\s+(?:vous|te)\s+plait|maintenant|je\s+veux|bitte|jetzt|sofort|ich\s+will|ich\s+mochte"
    r"|per\s+favore)"
)

EXPLICIT_REQUEST = PhraseSet(
    [
        # English: a verb of contact and a person. "Can you connect me with a live agent?"
        rf"\b{_EN_VERB}(?:\s+(?:directly|right\s+now|now|please|immediately|again|back|over|through))?"
        rf"\s+(?:to|with)\s+(?:{_EN_MOD}\s+){{0,4}}{_EN_TARGET}(?![\w-])",
        rf"\b(?:reach|get\s+(?:a\s+)?hold\s+of|get\s+ahold\s+of)\s+(?:{_EN_MOD}\s+){{0,3}}"
        rf"{_EN_STRICT}(?![\w-])",
        # English: wanting one. "I want a human", "can I get a real person"
        r"\b(?:want|wanna|need|would\s+like|'d\s+like|prefer|request|ask(?:ing)?\s+for|demand|get\s+me"
        r"|give\s+me|find\s+me|send\s+me|bring\s+me|(?:can|could|may)\s+i\s+(?:have|get)|let\s+me\s+have)"
        rf"\s+(?:(?:a|an|the|some|your|one\s+of\s+your|real|live|actual|human|proper|customer\s+service"
        rf"|support)\s+){{0,3}}{_EN_STRICT}(?![\w-])",
        r"\b(?:want|wanna|would\s+like|'d\s+like|prefer|request|ask(?:ing)?\s+for|give\s+me|get\s+me)"
        r"\s+(?:a|an|some)\s+person(?![\w-])",
        # English: asking whether one is there. "Is there a human I can talk to?"
        r"\b(?:is|are)\s+there\s+(?:a|an|any|some)\s+(?:(?:real|live|actual)\s+)?"
        rf"(?:{_HUMAN}s?|person|people|agents?|representatives?|operators?|staff)"
        r"(?=\s*(?:[?.!,]|$)|\s+(?:i|we)\s+(?:can|could)|\s+who\s+can|\s+to\s+(?:talk|speak|chat|help)"
        r"|\s+(?:available|there|around|online)(?:\s+(?:now|right\s+now|today))?(?:\s*(?:[?.!,]|$)"
        r"|\s+to\s+(?:talk|speak|chat|help)))",
        r"\bis\s+(?:there\s+)?(?:anyone|anybody|someone|somebody)\s+(?:there|real|human|available|i\s+can"
        r"|who\s+can|to\s+(?:talk|speak|chat))\b",
        r"\b(?:live|human)\s+(?:agent|operator|representative|rep|person|support|help|assistance)s?(?![\w-])",
        # English: a person there, or taking over. "Any humans around?", "Can a human take over?"
        r"\b(?:any|a|an|some)\s+(?:real\s+|live\s+|actual\s+)?(?:humans?|people|persons?|agents?|operators?)\s+"
        r"(?:around|about|online|(?:available|there|here)(?=\s*(?:[?.!]|$)|\s+to\s+(?:talk|speak|chat|help)))",
        rf"\b(?:a|an|some|your|the)\s+(?:real\s+|live\s+|actual\s+)?(?:{_HUMAN}|person|agent|operator"
        r"|representative|colleague|advis(?:o|e)r)\s+(?:to\s+)?(?:take\s+over|step\s+in|jump\s+in|pick\s+this\s+up)",
        # English: a person to call back or look into it. "Can someone from your team call me back?"
        r"\b(?:can|could|please|pls|would)\s+(?:you\s+)?(?:(?:get|have|ask)\s+)?(?:someone|somebody|a\s+person"
        r"|an?\s+(?:human|agent|advis(?:o|e)r|representative|manager|supervisor))\s+(?:(?:from|at|in|on|of)\s+"
        r"(?:(?:your|the)\s+)?(?:[\w-]+\s+){0,2})?(?:please\s+)?(?:to\s+)?(?:call|phone|ring|contact|email|text"
        r"|look\s+(?:at|into)|check\s+(?:on\s+)?(?:this|my|it)|get\s+(?:back|in\s+touch)|reach\s+out)\b",
        r"\b(?:have|get)\s+(?:someone|somebody|a\s+person|an?\s+(?:human|agent|advis(?:o|e)r|representative))\s+"
        r"(?:(?:from|at|in|on)\s+(?:(?:your|the)\s+)?(?:[\w-]+\s+){0,2})?(?:to\s+)?(?:call|phone|ring|contact|email"
        r"|look\s+(?:at|into)|get\s+back|reach\s+out)\b",
        r"\b(?:want|need|would\s+like|'d\s+like|request|ask\s+for|book|arrange|schedule|get)\s+(?:a|an|the)\s+"
        r"(?:phone\s+)?(?:call\s?-?back|call\s+back|return\s+call|phone\s+call\s+from\s+(?:someone|an?\s+\w+))\b",
        r"(?:(?:^|(?<=[.!?;:\n]))\s*(?:please\s+)?|\bplease\s+|\b(?:can|could|would)\s+(?:you|someone|somebody"
        r"|anyone|anybody)\s+(?:please\s+)?)(?:call|ring|phone)\s+me\b",
        # "Can you pass me to a colleague?": a colleague of the bot's, not the customer's own
        r"\b(?:pass|transfer|put|hand|forward|connect|switch)\s+me\s+(?:(?:on|over|through)\s+)?(?:to|with)\s+"
        r"(?:a|an|one\s+of\s+your|your|ur)\s+(?:human\s+)?colleagues?\b",
        r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:one\s+of\s+)?(?:your|ur)\s+colleagues?\b",
        r"\b(?:(?:want|wanna|need|like)\s+to|please)\s+escalate\b",
        # Spanish
        r"\b(?:hablar|habla|hable|comunicarme|comunicar|contactar|conectar(?:me)?|pasar(?:me)?|pasame|paseme"
        r"|transferir(?:me)?|transfiereme|transfierame|atendido|atendida|atender(?:me)?|charlar|chatear)"
        rf"\s+(?:con|a|por)\s+(?:(?:un|una|el|la|los|las|algun|alguna|su|sus|tu|tus|verdader[oa]"
        rf"|real)\s+){{0,3}}"
        rf"{_ES_TARGET}\b",
        r"\b(?:quiero|necesito|quisiera|prefiero|deseo|dame|pasame)\s+(?:un|una)\s+(?:agente|humano"
        r"|persona\s+real|representante|operador(?:a)?|asesor(?:a)?)\b",
        r"\b(?:persona\s+real|agente\s+humano|atencion\s+humana|ser\s+humano)\b",
        r"\bhay\s+(?:alguien|algun(?:a)?\s+(?:persona|humano|agente))\s+(?:real|humano|de\s+verdad"
        r"|con\s+(?:quien|quien)\s+hablar|disponible)\b",
        # French
        r"\b(?:parler|discuter|echanger|communiquer|joindre|contacter|passer|passez-moi|transferer"
        r"|transferez(?:-moi)?|(?:mettre|mettez-moi|etre\s+mis|etre\s+mise)\s+en\s+relation|m'entretenir)"
        r"\s+(?:a|au|aux|avec|en\s+relation\s+avec)\s+(?:(?:un|une|le|la|les|des|vrai|vraie|veritable|votre"
        rf"|vos|du)\s+|l'){{0,3}}{_FR_TARGET}(?![\w-])",
        r"\b(?:je\s+veux|je\s+voudrais|j'aimerais|je\s+souhaite|je\s+demande|passez-moi|passe-moi"
        r"|donnez-moi|me\s+passer|y\s+a-t-il)\s+"
        r"(?:un|une)\s+(?:vraie?\s+)?"
        r"(?:humain|conseill(?:er|ere)|agent|personne|operat(?:eur|rice))\b",
        r"\b(?:vrai\s+humain|vraie\s+personne|etre\s+humain|personne\s+reelle|conseill(?:er|ere)\s+humain)\b",
        # German: "Ich möchte mit einem Menschen sprechen", "Verbinden Sie mich mit einem Mitarbeiter"
        rf"\bmit\s+(?:{_DE_DET}\s+){{0,2}}{_DE_TARGET}\b(?=[^.!?;,\n]{{0,60}}\b{_DE_VERB}\b)",
        rf"\b{_DE_VERB}(?:\s+sie)?(?:\s+mich)?(?:\s+bitte)?\s+mit\s+(?:{_DE_DET}\s+){{0,2}}{_DE_TARGET}\b",
        r"\b(?:ich\s+(?:will|mochte|moechte|brauche|hatte\s+gerne?|wunsche)|bitte)\s+(?:einen|eine|ein)\s+"
        r"(?:echten\s+|richtigen\s+)?(?:menschen|mitarbeiter(?:in)?|berater(?:in)?|person|ansprechpartner)\b",
        r"\b(?:echte[nr]?|richtige[nr]?|reale[nr]?)\s+(?:person|mensch(?:en)?)\b",
        r"\bmenschliche[nr]?\s+(?:mitarbeiter|berater|ansprechpartner|person)\b",
        # Italian and Portuguese
        r"\b(?:parlare|chattare|mettermi\s+in\s+contatto)\s+con\s+(?:(?:un|una|uno|un'|l'|il|la|qualche|vero"
        r"|vera)\s*){0,2}(?:operatore|operatrice|persona|umano|essere\s+umano|agente|consulente|qualcuno)\b",
        r"\b(?:falar|conversar)\s+com\s+(?:(?:um|uma|o|a|algum|alguma)\s+){0,2}(?:atendente|humano|pessoa"
        r"|agente|operador|alguem|representante)\b",
        # A clause that is nothing but the request: "operator", "real person please", "humano por favor"
        rf"(?:^|(?<=[.!?;,:\n]))\W*(?:{_BARE_FILLER}\W+)*(?:{_BARE_MOD}\s+)*{_BARE_TARGET}"
        rf"(?:\W+(?:{_BARE_MOD}\s+)*{_BARE_TARGET})*(?:\W+{_BARE_FILLER})*\W*?(?=\s*(?:[.!?;,:\n]|$))",
    ]
)


def find_explicit_request(text: TextIndex) -> tuple[int, int] | None:
    """The span of the first request for a person that is neither negated nor a question about the bot.

    When there is none as typed, the sentences holding a forgivable typo are read again corrected.
    """
    span = _first_request(text)
    return span if span is not None else _first_request_forgiving_typos(text)


def _first_request(text: TextIndex) -> tuple[int, int] | None:
    folded = text.folded
    for match in EXPLICIT_REQUEST.matches(text):
        start = match.start()
        while start < match.end() and not folded[start].isalnum():
            start += 1
        if not (negated(folded, start) or asks_identity(folded, start) or asks_whether_needed(folded, start)):
            return start, match.end()
    return None


# Words the explicit request is built from, and the typos of them we forgive ("humna", "speek",
# "reprsentative"). Real words one edit away from a vocabulary word are never "corrected".
TYPO_VOCABULARY = frozenset(
    words(
        "human humans agent agents person people operator operators representative representatives someone "
        "somebody anyone anybody speak talk chat connect transfer customer support service manager "
        "supervisor staff real live actual hablar persona humano humana agente representante "
        "operador alguien asesor parler conseiller conseillere humain personne operateur representant "
        "mensch menschen mitarbeiter mitarbeiterin sprechen berater echte echten"
    )
)
NOT_TYPOS = frozenset(
    words(
        "humane humanly persian pearson parson personal personally personnel stuff stiff spear spears steak "
        "steaks sneak speck managed manages servile argent beraten berate berated agency urgent stalk "
        "customs sometime parlor parley operation operations supported supporter supports"
    )
)
_TYPOS = TypoCorrector(TYPO_VOCABULARY, NOT_TYPOS)


def typo_fix(token: str) -> str | None:
    """The request word ``token`` is a typo of ("humna" -> "human"), or None; see ``TypoCorrector``."""
    return _TYPOS.fix(token)


def _first_request_forgiving_typos(text: TextIndex) -> tuple[int, int] | None:
    for (start, end), fixes in _TYPOS.sentences_to_fix(text):
        fixed, starts, ends = correct_typos(text.folded[start:end], fixes)
        span = _first_request(TextIndex(fixed))
        if span is not None:
            return start + starts[span[0]], start + ends[span[1] - 1]
    return None


# --- default sensitive topics -------------------------------------------------------------------------
# (name, label, keywords, patterns); patterns see folded text. Every bot has a built-in rule row per
# entry that holds only whether it is on and the admin's extra phrases: the phrases here are read at run
# time (``chatbot.knowledge.trigger_settings_for``), so a change here reaches every bot.


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in text.split(";"))


_MONEY_EVENT = r"(?:charges?|payments?|transactions?|debits?|withdrawals?)"
# A lawyer is a legal threat only when the customer brings one in: "I'm going to contact my lawyer",
# "my solicitor will be in touch". "A desk lamp for my lawyer's office" or "I'm a lawyer" is not.
_LAWYER = r"(?:lawyers?|attorneys?|solicitors?|legal\s+(?:team|counsel|representatives?|advis(?:o|e)rs?))"
_REGULATOR = (
    r"(?:bbb|better\s+business\s+bureau|ftc|fca|cfpb|ofcom|ofgem|accc|cma|cnil|trading\s+standards"
    r"|consumer\s+(?:protection|rights|affairs|ombudsman|council)|ombudsman|regulators?|authorities"
    r"|police|attorney\s+general|verbraucherzentrale)"
)
_ACCOUNT_THING = (
    r"(?:account|password|e-?mail|bank|payout|card|login|details|phone|number|profile|workspace|settings"
    r"|identity)"
)

SENSITIVE_DEFAULTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "billing_dispute",
        "billing dispute",
        _phrases(
            "dispute a charge; dispute the charge; dispute this charge; disputed charge; charged twice;"
            " charged me twice; double charged; double-charged; billed twice; billed me twice; overcharged;"
            " over-charged; duplicate charge; unauthorized charge; unauthorised charge; fraudulent charge;"
            " fraudulent transaction; chargeback; charge back; cobro duplicado; me cobraron dos veces;"
            " débité deux fois; doppelt abgebucht; doppelt belastet"
        ),
        (
            r"\bdisput(?:e|ing)\b[^.!?\n]{0,40}\b(?:charge|payment|transaction|bill|invoice|debit)s?\b",
            r"\bcharged\s+(?:me\s+|us\s+)?(?:twice|two\s+times|three\s+times|double|for\s+the\s+same)",
            r"\b(?:charged|billed|debited)\s+(?:[\w']+\s+){0,4}?(?:twice|two\s+times|three\s+times)\b",
            r"\b(?:took|taken|deducted|withdrew|withdrawn|collected)\s+(?:the\s+|my\s+)?(?:money|payment|amount"
            r"|funds|direct\s+debit|subscription|fee)s?\s+(?:out\s+)?twice\b",
            r"\bpaid\s+(?:[\w']+\s+){0,4}?twice\b",
            rf"\b(?:duplicate|double|identical|repeated)\s+{_MONEY_EVENT}|\btwo\s+(?:identical|duplicate"
            rf"|of\s+the\s+same)\s+{_MONEY_EVENT}",
            rf"\b{_MONEY_EVENT}\b[^.!?\n]{{0,60}}?\b(?:i|we)\s+(?:(?:didn'?t|did\s+not|never)\s+(?:make|made"
            r"|authori[sz]e|recogni[sz]e|approve|order|agree\s+to|sign\s+up\s+for)|(?:don'?t|do\s+not|can'?t"
            r"|cannot)\s+recogni[sz]e)",
            r"\bi\s+(?:didn'?t|did\s+not|never|don'?t|do\s+not|can'?t|cannot)\s+(?:make|authori[sz]e"
            rf"|recogni[sz]e|approve)\s+(?:this|that|the|a|an|these|those|one|some)\s+(?:\w+\s+)?{_MONEY_EVENT}",
            rf"\b(?:unknown|unrecogni[sz]ed|mystery|strange|suspicious)\s+{_MONEY_EVENT}",
            r"\b(?:my|the|this|your|last|latest)\s+(?:bill|invoice|statement)\s+(?:is|was|looks)\s+(?:wrong"
            r"|incorrect)\b",
            r"\bcharged\s+(?:me\s+)?(?:the\s+wrong\s+amount|an?\s+(?:incorrect|wrong)\s+amount|too\s+much)",
            r"\b(?:wrongly|incorrectly)\s+(?:charged|billed)\b",
        ),
    ),
    (
        "complaint",
        "complaint",
        _phrases(
            "formal complaint; official complaint; i want to complain; i would like to complain;"
            " i'd like to complain; queja formal; poner una queja; presentar una queja;"
            " presentar una reclamación; faire une réclamation; beschwerde einreichen; mich beschweren"
        ),
        (
            r"\b(?:make|file|lodge|raise|submit|register|open|send|put\s+in|write)\s+(?:a|an|my)\s+"
            r"(?:formal\s+|official\s+)?complaint\b",
            r"\bcomplain(?:ing)?\s+about\s+(?:the|your|my|this|a|an)\b",
            r"\b(?:this|that)\s+is\s+a\s+(?:formal\s+)?complaint\b",
        ),
    ),
    (
        "legal",
        "legal",
        _phrases(
            "legal action; legal proceedings; lawsuit; small claims; gdpr; ccpa;"
            " data protection authority; subject access request; dsar; trading standards;"
            " consumer protection; better business bureau; ombudsman; acciones legales; medidas legales;"
            " poursuites; action en justice; rechtliche schritte; dsgvo; rgpd"
        ),
        (
            r"\b(?:contact(?:ing|ed)?|call(?:ing|ed)?|phon(?:e|ing|ed)|ring(?:ing)?|email(?:ing|ed)?"
            r"|consult(?:ing|ed)?|get(?:ting)?|got|hir(?:e|ing|ed)|instruct(?:ing|ed)?|involv(?:e|ing|ed)"
            r"|retain(?:ing|ed)?|engag(?:e|ing|ed)|see(?:ing)?|(?:speak|talk)(?:ing)?\s+(?:to|with)"
            r"|spoken?\s+(?:to|with)|(?:go|going|went|gone)\s+to|bring(?:ing)?\s+in|ask(?:ing|ed)?"
            r"|(?:send|sending|sent|forward(?:ing|ed)?|pass(?:ing|ed)?|hand(?:ing|ed)?|refer(?:ring|red)?"
            r"|giv(?:e|ing)|gave|tak(?:e|ing)|took)\s+(?:this|it|everything|all\s+of\s+(?:this|it)|the\s+"
            r"(?:matter|case|issue))\s+(?:(?:on|over|up)\s+)?to|in\s+(?:touch|contact)\s+with)\s+"
            rf"(?:(?:my|our|a|an|the|own|family|company)\s+){{0,2}}{_LAWYER}\b(?!'s)",
            rf"\b(?:my|our)\s+(?:own\s+)?{_LAWYER}\s+(?:will|'ll|would|shall|(?:is|are)\s+going\s+to|says|said"
            r"|told|advised|knows|wants|thinks|(?:has|have)\s+(?:said|told|advised|been|already)|(?:is|are)\s+"
            r"(?:aware|involved|handling|dealing|looking|already|now|ready))\b",
            rf"\b(?:hear(?:ing)?|letter|word|call|email)\s+from\s+(?:my|our)\s+{_LAWYER}|\b(?:through|via)\s+"
            rf"(?:my|our)\s+{_LAWYER}|\blawyer(?:ing)?\s+up\b",
            r"\b(?:i'?ll|i\s+will|i'?m\s+going\s+to|i\s+am\s+going\s+to|gonna|going\s+to|we\s+will"
            r"|we'?ll)\s+sue\b",
            r"\bsu(?:e|ing)\s+(?:you|your\s+company|the\s+company|them)\b",
            r"\b(?:take|taking)\s+(?:you|this|it|the\s+company)\s+to\s+court\b|\bsee\s+you\s+in\s+court\b",
            rf"\breport(?:ing)?\s+(?:you|this|it|your\s+(?:company|shop|business))\s+to\s+(?:the\s+)?{_REGULATOR}",
            r"\b(?:file|filing|lodge|lodging|make|making|submit|submitting)\s+(?:a\s+)?(?:formal\s+)?"
            rf"(?:complaint|report|claim)\s+(?:with|to)\s+(?:the\s+)?{_REGULATOR}",
            r"\b(?:verklagen|demandar(?:los|les)?)\b",
            r"\b(?:llam|contact|consult|contrat|busc)\w*\s+(?:a\s+)?(?:un|una|mi|mis|nuestro)\s+abogad[oa]s?\b"
            r"|\bmi\s+abogad[oa]\s+(?:se\s+pondra|va\s+a|les?\s|os\s|te\s)",
            r"\b(?:contact|appel|consult|saisi|prend|voir|parler\s+a)\w*\s+(?:un|une|mon|ma|notre)\s+"
            r"avocat(?:e)?s?\b|\bmon\s+avocat(?:e)?\s+(?:va|vous|te|se|m'a)\b",
            r"\b(?:meinen|einen|unseren)\s+(?:rechts)?anw(?:a|ae)lt\w*\s+(?:\w+\s+){0,2}(?:einschalten|einschalte"
            r"|kontaktieren|anrufen|beauftragen|nehmen|nehme|informieren)\b|\b(?:mein|unser)\s+(?:rechts)?anwalt"
            r"\s+(?:wird|meldet|hat)\b|\bmit\s+(?:meinem|einem)\s+(?:rechts)?anwalt\b",
        ),
    ),
    (
        "account_security",
        "account security",
        _phrases(
            "hacked; hacker; hackers; identity theft; phishing; account takeover; fraud; hackeado;"
            " hackearon; compte piraté; gehackt"
        ),
        (
            r"\bunauthori[sz]ed\b(?!\s+(?:charges?|payments?|transactions?|debits?))",
            r"\b(?:someone|somebody|a\s+stranger)\s+(?:else\s+)?(?:has\s+)?(?:logged|signed|got|broke"
            r"|gotten)\s+"
            r"in(?:to|\s+to)?\s+(?:my|our)\s+account",
            r"\b(?:someone|somebody)\s+(?:else\s+)?(?:is|was|has\s+been)\s+(?:using|accessing)\s+my\s+"
            r"(?:account|card|details)",
            # "Somebody placed orders with my account", "someone changed the payout account on my workspace"
            r"\b(?:someone|somebody|a\s+stranger|strangers|a\s+hacker)\s+(?:else\s+)?(?:has\s+|had\s+|have\s+)?"
            r"(?:placed|made|used|accessed|changed|reset|updated|removed|added|opened|bought|ordered|logged"
            r"|signed|took\s+over|taken\s+over|stole|stolen)\b[^.!?\n]{0,40}?\b(?:my|our)\s+(?:[\w-]+\s+){0,2}"
            rf"{_ACCOUNT_THING}\b",
            r"\b(?:orders?|purchases?)\s+(?:that\s+)?i\s+(?:didn'?t|did\s+not|never)\s+(?:place|make|made"
            r"|order)",
            r"\bi\s+(?:didn'?t|did\s+not|never)\s+(?:place|make)\s+(?:this|that|these|those)\s+(?:orders?"
            r"|purchases?)",
            # "a login from Brazil that wasn't me", "a sign-in I don't recognise"
            r"\b(?:log-?ins?|sign-?ins?|logged\s+in|signed\s+in|access|activity|devices?|sessions?|orders?"
            r"|purchases?)\b[^.!?\n]{0,60}?\b(?:wasn'?t|weren'?t|isn'?t)\s+(?:me|us)\b",
            r"\b(?:log-?ins?|sign-?ins?|logged\s+in|signed\s+in)\b[^.!?\n]{0,60}?\b(?:was|were|is)\s+not\s+(?:me|us)\b",
            r"\b(?:log-?ins?|sign-?ins?|devices?|sessions?|activity)\b[^.!?\n]{0,40}?\b(?:i|we)\s+(?:don'?t"
            r"|do\s+not|didn'?t|did\s+not|can'?t|cannot)\s+recogni[sz]e",
            r"\b(?:i|we)\s+(?:don'?t|do\s+not|didn'?t|did\s+not|can'?t|cannot)\s+recogni[sz]e\s+(?:this|that"
            r"|the|a|an)\s+(?:new\s+)?(?:log-?in|sign-?in|device|session|activity)",
            r"\b(?:account|password|email)\s+(?:was|has\s+been|got|is)\s+(?:compromised|hijacked"
            r"|taken\s+over)",
            r"\bcompromised\s+(?:account|password|login)\b",
            r"\b(?:someone|somebody)\s+(?:else\s+)?changed\s+my\s+(?:password|email|e-mail)",
            r"\bsuspicious\s+(?:log-?ins?|sign-?ins?|activity|emails?|texts?|orders?)\b",
        ),
    ),
    (
        "account_cancellation",
        "account cancellation",
        _phrases(
            "delete my data; erase my data; delete my personal data; right to be forgotten;"
            " cerrar mi cuenta; eliminar mi cuenta; borrar mi cuenta; borrar mis datos; fermer mon compte;"
            " supprimer mon compte; supprimer mes données; konto löschen; konto kündigen;"
            " meine daten löschen"
        ),
        (
            r"\b(?:close|delete|cancel|deactivate|remove|terminate|erase|shut\s+down|get\s+rid\s+of)\s+(?:my"
            r"|our"
            r"|the|this)\s+(?:\w+\s+){0,2}(?:account|profile)\b",
            r"\b(?:delete|erase|remove|wipe)\s+(?:all\s+)?(?:of\s+)?my\s+(?:personal\s+)?(?:data|information"
            r"|info|details)\b",
            r"\bcancel\s+(?:my|our|the)\s+(?:\w+\s+)?(?:subscription|membership)\b",
            # The contract itself, not something booked under it: "cancel my broadband contract" but not
            # "cancel my service appointment" or "cancel my plan change".
            r"\b(?:cancel|terminate|end|close|quit|discontinue)\s+(?:my|our|the|this)\s+(?:[\w-]+\s+){0,2}"
            r"(?:contract|subscription|membership|plan|service|broadband|internet)s?\b(?!\s+(?:order|appointment"
            r"|booking|visit|delivery|payment|upgrade|change|request|call|number|box|item|add-?on|engineer))",
            r"\b(?:account|profile)\s+(?:closure|deletion)\b",
            r"\b(?:mein(?:en|e)?|unser(?:en|e)?)\s+(?:\w+\s+)?(?:konto|kundenkonto|account|vertrag|abo"
            r"|abonnement|mitgliedschaft)\b[^.!?\n]{0,40}?\b(?:loschen|kundigen|schlie(?:ss|ß)en|beenden"
            r"|deaktivieren)\b",
            r"\b(?:losch|kundig|schlie(?:ss|ß)|beend)\w*\s+(?:sie\s+)?(?:bitte\s+)?(?:mein(?:en|e)?|unser(?:en|e)?)"
            r"\s+(?:\w+\s+)?(?:konto|kundenkonto|account|vertrag|abo|abonnement|mitgliedschaft)\b",
            r"\b(?:cancelar|cerrar|eliminar|borrar|dar\s+de\s+baja)\s+(?:mi|mis|nuestra)\s+(?:\w+\s+)?(?:cuenta"
            r"|suscripcion|contrato|membresia)\b|\bdar(?:me)?\s+de\s+baja\b",
            r"\b(?:resilier|fermer|supprimer|cloturer|clore)\s+(?:mon|ma|mes|notre)\s+(?:\w+\s+)?(?:compte"
            r"|abonnement|contrat|adhesion|forfait)\b",
        ),
    ),
)
