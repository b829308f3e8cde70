"""The local responder: answers without a model, by quoting the best sentences of the retrieved passages.

It runs when no Anthropic key is configured and in tests. Its confidence is what decides a
low-confidence handoff, so it is built to be calibrated rather than optimistic: roughly, the chance that
the quoted passage really answers the question. See `answer_confidence`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chatbot.confidence.calibration import CALIBRATION_FEATURES, shipped_calibration
from chatbot.extraction import extract_fields
from chatbot.responders.base import BotProfile, BotReply, Passage, ReplyKind, Turn
from chatbot.retrieval import passage_terms
from chatbot.smalltalk import small_talk_reply
from chatbot.terms import FOLLOW_UP_WEIGHT, follow_up_context, index_terms, query_terms, stem, typo_match

# Nouns that frame a question ("what is your X policy", "more information about X") rather than name
# its subject: matching only them is weak evidence, missing them costs little.
_FRAME_WORDS = (
    "policy policies information info details detail process processing procedure option options "
    "rule rules terms guide instructions question issue problem version type kind general"
)
FRAME_TERMS = frozenset(stem(word) for word in _FRAME_WORDS.split())
FRAME_WEIGHT = 0.3
# Strength is score / (score + STRENGTH_HALF), raised to STRENGTH_POWER. BM25 scores grow with the
# size of the corpus, so strength is a gentle damper on matches made of common words, never the driver.
STRENGTH_HALF = 1.0
STRENGTH_POWER = 0.25
# Share of the confidence lost when another article scores as well as the best one.
TIE_PENALTY = 0.2
# Passages scoring at least this share of the best BM25 score compete on word evidence (see
# `answer_confidence`): BM25 orders them by rare words, which may be a side detail of the question.
CONTENDER_SCORE = 0.5
# In a message with a question and other sentences, words outside the question count this much.
CONTEXT_WEIGHT = 0.5
MAX_SENTENCES = 3
# A second article is quoted too when it scores at least this share of the best one.
CLOSE_SCORE = 0.8

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class ConfidenceFactors:
    """The evidence behind a confidence, kept for logs and the agent's handoff context.

    ``confidence`` is the hand-made combination of the evidence described in `answer_confidence`;
    ``calibrated`` is what the responder reports: the probability that the answer is right, fitted on the
    labelled calibration set (``chatbot.confidence``) from all of the other fields.
    """

    coverage: float  # share of the question's (weighted) content words found in the passage
    title_match: float  # share of the passage title's (weighted) words found in the question
    strength: float  # BM25 score squashed into [0, 1)
    distinctness: float  # 1 - (best score of another article / best score)
    confidence: float
    passage_id: str = ""  # the passage the evidence is about (the one to quote first)
    focus: float = 0.0  # the largest share of the question's (weighted) words found in one sentence
    terms: float = 0.0  # how many content words the question has of its own, weighted as in coverage
    specific: float = 0.0  # share of the question's (weighted) words that no other retrieved article has
    follow_up: bool = False  # the question leaned on the previous message, whose words counted too
    calibrated: float = 0.0

    def features(self) -> tuple[float, ...]:
        """The evidence as numbers for the calibration, in the order of `CALIBRATION_FEATURES`."""
        values = {
            "coverage": self.coverage,
            "title_match": self.title_match,
            "strength": self.strength,
            "distinctness": self.distinctness,
            "confidence": self.confidence,
            "focus": self.focus,
            "specific": self.specific,
            "terms": min(self.terms, MANY_TERMS) / MANY_TERMS,
            "follow_up": float(self.follow_up),
        }
        return tuple(values[name] for name in CALIBRATION_FEATURES)


# A question with this many content words or more counts as long (the `terms` feature is capped here).
MANY_TERMS = 8


def _weight(term: str) -> float:
    return FRAME_WEIGHT if term in FRAME_TERMS else 1.0


def _share(terms: Sequence[str], present: set[str]) -> float:
    total = sum(_weight(t) for t in terms)
    return sum(_weight(t) for t in terms if t in present) / total if total else 0.0


def question_weights(question: str, context: str = "") -> dict[str, float]:
    """Each content term of the message with its weight: frame words count less, and so does context.

    "My travel agent says I need a bike box. Do bikes arrive in a box?": when a message holds a
    question sentence and other sentences, the words of the question are what must be answered, and the
    rest is background that a knowledge article rarely repeats. ``context`` is the customer's previous
    message: when the question leans on it (``terms.follow_up_context``), its other words are added at
    ``FOLLOW_UP_WEIGHT``.
    """
    terms = query_terms(question)
    weights = {term: _weight(term) for term in terms}
    sentences = [s for s in _SENTENCE.split(question.strip()) if s.strip()]
    asked = [s for s in sentences if s.rstrip().endswith("?")]
    if len(sentences) > 1 and asked:
        focus = set(query_terms(" ".join(asked)))
        if focus:
            weights = {t: w * (1.0 if t in focus else CONTEXT_WEIGHT) for t, w in weights.items()}
    leaned_on = follow_up_context(question, context)
    for term in query_terms(leaned_on) if leaned_on else ():
        weights.setdefault(term, _weight(term) * FOLLOW_UP_WEIGHT)
    return weights


def _weighted_share(weights: dict[str, float], present: set[str]) -> float:
    """The weighted share of the terms found in ``present``, a misspelt term counting as its match."""
    total = sum(weights.values())
    found = sum(w for t, w in weights.items() if t in present or typo_match(t, present))
    return found / total if total else 0.0


def _lexical(weights: dict[str, float], passage: Passage) -> tuple[float, float, float]:
    coverage = _weighted_share(weights, set(index_terms(f"{passage.title}\n{passage.text}")))
    title_terms = list(dict.fromkeys(index_terms(passage.title)))
    title_match = _share(title_terms, set(weights))
    return (coverage + max(coverage, title_match)) / 2, coverage, title_match


def _focus(weights: dict[str, float], passage: Passage) -> float:
    """The largest weighted share of the question's words that one sentence of the passage holds."""
    sentences = _sentences(passage.text) or [passage.text]
    return max(_weighted_share(weights, set(index_terms(sentence))) for sentence in sentences)


def _specific(weights: dict[str, float], top: Passage, passages: Sequence[Passage]) -> float:
    """The weighted share of the question's words that the judged article has and no other retrieved one.

    A match on a word every article uses ("bike" in a bike shop's help centre) says little; a match on
    a word only this article has ("instalments") says the question is about it.
    """
    others: set[str] = set()
    for passage in passages:
        if passage.article_id != top.article_id:
            others.update(passage_terms(passage))
    return _weighted_share(weights, set(passage_terms(top)) - others)


def answer_confidence(question: str, passages: Sequence[Passage], *, context: str = "") -> ConfidenceFactors:
    """How likely the best passage answers the question, in [0, 1].

    Words matter most: the question's content words must be found in the passage (coverage, weighted
    by `question_weights`), helped when the question names the article's own topic (title match). The
    two are combined as lexical = (coverage + max(coverage, title_match)) / 2, so the title alone cannot
    carry a question whose other words are all missing. The BM25 score (strength) and the lead over the
    best other article (distinctness) then damp answers resting on common words or fitting several
    articles: confidence = lexical * strength ** 0.25 * (0.8 + 0.2 * distinctness).

    The passage judged is the one with the best lexical evidence among those within `CONTENDER_SCORE`
    of the best BM25 score: "Can I return a jacket I haven't worn?" is about "Returns", not about the
    "Tent and jacket care" article that BM25 ranks first on the rarer word. Picking another than BM25's
    first costs its distinctness (an article scored higher), so a contested answer stays modest.

    That hand-made confidence ranks answers well but, on casual wording and follow-ups, its scale does
    not: the reported figure is ``calibrated``, a logistic regression over all of the evidence fitted on
    the labelled calibration set (``chatbot.confidence``; ``manage.py confidence_report`` measures it on
    domains it was not fitted on). ``context`` is the customer's previous message, used when the question
    leans on it. Passages must come from `PassageIndex.search` (scored, best first); an unscored passage
    gives no confidence.
    """
    weights = question_weights(question, context)
    if not weights or not passages:
        return ConfidenceFactors(0.0, 0.0, 0.0, 0.0, 0.0)
    contenders = [p for p in passages if p.score >= CONTENDER_SCORE * passages[0].score] or passages[:1]
    judged = [(_lexical(weights, p), p) for p in contenders]
    (lexical, coverage, title_match), top = max(judged, key=lambda pair: pair[0][0])
    strength = top.score / (top.score + STRENGTH_HALF) if top.score > 0 else 0.0
    rival = max((p.score for p in passages if p.article_id != top.article_id), default=0.0)
    distinctness = 1.0 - min(rival / top.score, 1.0) if top.score > 0 else 0.0
    confidence = lexical * strength**STRENGTH_POWER * (1 - TIE_PENALTY + TIE_PENALTY * distinctness)
    factors = ConfidenceFactors(
        coverage=round(coverage, 3),
        title_match=round(title_match, 3),
        strength=round(strength, 3),
        distinctness=round(distinctness, 3),
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        passage_id=top.id,
        focus=round(_focus(weights, top), 3),
        specific=round(_specific(weights, top, passages), 3),
        terms=round(sum(question_weights(question).values()), 3),
        follow_up=bool(follow_up_context(question, context)),
    )
    if factors.confidence <= 0:
        return factors
    calibrated = shipped_calibration().probability(factors.features())
    return dataclasses.replace(factors, calibrated=round(calibrated, 3))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.split()) >= 3]


def best_sentences(question: str, passages: Sequence[Passage]) -> list[tuple[Passage, list[str]]]:
    """The 1-3 sentences worth quoting, grouped by passage in rank order, each group in text order.

    Sentences are ranked by how many of the question's words they contain, and one is quoted only when
    it holds more than half as many as the best: a sentence that shares a single word with a two-word
    question is beside the point. A close second article adds
    one sentence only when it brings question words the first one left out and shares at least two
    with the question (one shared word is too often a coincidence); a passage that matched on its
    title only is quoted from its start.
    """
    if not passages:
        return []
    terms = set(query_terms(question))
    top = passages[0]
    close = [p for p in passages[1:] if p.article_id != top.article_id and p.score >= CLOSE_SCORE * top.score]
    chosen: list[tuple[Passage, list[str]]] = []
    covered: set[str] = set()
    budget = MAX_SENTENCES
    for rank, passage in enumerate([top, *close[:1]]):
        sentences = _sentences(passage.text) or [passage.text.strip()]
        overlaps = [terms & set(index_terms(s)) for s in sentences]
        scores = [sum(_weight(t) for t in o) for o in overlaps]
        if rank > 0:
            scores = [
                score if len(o) >= 2 and o - covered else 0.0
                for score, o in zip(scores, overlaps, strict=True)
            ]
        ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
        best = max(scores, default=0.0)
        picked = [i for i in ranked if scores[i] > 0 and 2 * scores[i] > best][: budget if rank == 0 else 1]
        if not picked and rank == 0:
            picked = list(range(min(2, len(sentences))))
        if not picked:
            continue
        picked.sort()
        chosen.append((passage, [sentences[i] for i in picked]))
        covered.update(*(overlaps[i] for i in picked))
        budget -= len(picked)
        if budget <= 0:
            break
    return chosen


def _answer_text(groups: list[tuple[Passage, list[str]]]) -> str:
    parts = []
    for n, (passage, sentences) in enumerate(groups):
        lead = (
            f"Here's what I found in \u201c{passage.title}\u201d:"
            if n == 0
            else f"Also, from \u201c{passage.title}\u201d:"
        )
        # The article's link is not repeated here: the answer's sources carry each title and URL, and
        # the widget shows them as links under the answer.
        parts.append(f"{lead} {' '.join(sentences)}")
    return "\n\n".join(parts)


def previous_customer_message(history: Sequence[Turn]) -> str:
    """The customer's last message before this one: what a follow-up question leans on."""
    return next((turn.text for turn in reversed(history) if turn.role == "customer"), "")


class LocalResponder:
    """Extractive answers from the knowledge base with a calibrated confidence; no model, no network."""

    name = "local"

    def respond(
        self, *, question: str, history: list[Turn], passages: list[Passage], bot: BotProfile
    ) -> BotReply:
        collected = extract_fields(
            question, order_number_pattern=bot.order_number_pattern, default_currency=bot.currency or None
        )
        small_talk = small_talk_reply(question, bot.name)
        if small_talk is not None:
            kind, text = small_talk
            return BotReply(text=text, confidence=1.0, kind=kind, collected=collected, responder=self.name)
        factors = answer_confidence(question, passages, context=previous_customer_message(history))
        judged = [p for p in passages if p.id == factors.passage_id]
        ranked = judged + [p for p in passages if p.id != factors.passage_id]
        groups = best_sentences(question, ranked) if factors.confidence > 0 else []
        if not groups:
            text = _(
                "I'm sorry, I don't know the answer to that: I couldn't find it in our help articles. "
                "You can rephrase the question, or ask for a person and I'll pass you to the team."
            )
            return BotReply(text=text, confidence=0.0, collected=collected, responder=self.name)
        return BotReply(
            text=_answer_text(groups),
            confidence=factors.calibrated,
            kind=ReplyKind.ANSWER,
            passage_ids=[passage.id for passage, _ in groups],
            collected=collected,
            responder=self.name,
        )
