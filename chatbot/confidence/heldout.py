"""Measuring the confidence on domains it was not fitted on (leave one domain out).

For each domain of the calibration set, the calibration is fitted on the other domains and the held-out
domain's questions are judged with it: how well "low confidence" (a confidence under the bot's threshold)
picks out the questions its knowledge base does not answer, before (the hand-made confidence) and after
calibration. Pure logic over the data files, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.confidence.calibration import Calibration, calibration_fit
from chatbot.confidence.dataset import CalibrationDomain, LabelledQuestion
from chatbot.responders.local import ConfidenceFactors, answer_confidence


@dataclass(frozen=True)
class JudgedQuestion:
    question: LabelledQuestion
    factors: ConfidenceFactors
    retrieved: frozenset[int]  # the articles of the passages the responder was given

    @property
    def right(self) -> bool:
        """The passages the responder was given hold the answer: what its confidence is calibrated to.

        The article it quotes first is not required to be the labelled one: when two articles fit, BM25
        and the evidence often rank them differently, and both are quoted or handed to the model.
        """
        return bool(self.retrieved & self.question.answers)


def domain_judged(domain: CalibrationDomain) -> list[JudgedQuestion]:
    """Every question of the domain through retrieval and the responder's evidence, as in a conversation."""
    index = domain.index()
    judged = []
    for question in domain.questions:
        passages = index.search(question.text, context=question.context)
        factors = answer_confidence(question.text, passages, context=question.context)
        retrieved = frozenset(p.article_id for p in passages)
        judged.append(JudgedQuestion(question=question, factors=factors, retrieved=retrieved))
    return judged


@dataclass(frozen=True)
class Scores:
    """How "low confidence" (confidence < threshold) separates unanswerable from answerable questions."""

    flagged: int  # questions under the threshold
    flagged_precision: float | None  # share of the flagged that the knowledge base does not answer
    flagged_recall: float | None  # share of the unanswerable that are flagged
    answerable_kept: float | None  # share of the answerable at or over the threshold
    auc: float | None  # ROC AUC of the confidence for "answerable"


def scores_at(confidences: Sequence[float], answerable: Sequence[bool], threshold: float) -> Scores:
    from sklearn.metrics import roc_auc_score

    flagged = [c < threshold for c in confidences]
    true_flags = sum(f and not a for f, a in zip(flagged, answerable, strict=True))
    unanswerable = answerable.count(False)
    kept = sum(not f and a for f, a in zip(flagged, answerable, strict=True))
    both = 0 < unanswerable < len(answerable)
    return Scores(
        flagged=sum(flagged),
        flagged_precision=true_flags / sum(flagged) if any(flagged) else None,
        flagged_recall=true_flags / unanswerable if unanswerable else None,
        answerable_kept=kept / (len(answerable) - unanswerable) if len(answerable) > unanswerable else None,
        auc=float(roc_auc_score(answerable, confidences)) if both else None,
    )


def calibration_fitted(judged: Sequence[JudgedQuestion]) -> Calibration:
    """The calibration fitted on these judged questions: the probability that the answer is right."""
    usable = [j for j in judged if j.factors.confidence > 0]
    return calibration_fit([j.factors.features() for j in usable], [j.right for j in usable])


def calibrated(judged: Sequence[JudgedQuestion], calibration: Calibration) -> list[float]:
    """Each question's confidence under ``calibration`` (no evidence at all stays 0)."""
    return [
        calibration.probability(j.factors.features()) if j.factors.confidence > 0 else 0.0 for j in judged
    ]


@dataclass(frozen=True)
class DomainReport:
    domain: str
    questions: int
    unanswerable: int
    before: Scores
    after: Scores


def leave_one_domain_out(
    judged_by_domain: dict[str, list[JudgedQuestion]], threshold: float
) -> list[DomainReport]:
    """Per domain, the calibration fitted on the other domains and scored on this one; then all pooled
    (each question scored by the fit that did not see its domain) under the name "all"."""
    reports = []
    pooled: tuple[list[float], list[float], list[bool]] = ([], [], [])
    for name, judged in judged_by_domain.items():
        others = [j for other, rows in judged_by_domain.items() if other != name for j in rows]
        after = calibrated(judged, calibration_fitted(others))
        before = [j.factors.confidence for j in judged]
        answerable = [j.question.answerable for j in judged]
        pooled[0].extend(before)
        pooled[1].extend(after)
        pooled[2].extend(answerable)
        reports.append(_report(name, before, after, answerable, threshold))
    reports.append(_report("all", *pooled, threshold))
    return reports


def _report(
    name: str, before: list[float], after: list[float], answerable: list[bool], threshold: float
) -> DomainReport:
    return DomainReport(
        domain=name,
        questions=len(answerable),
        unanswerable=answerable.count(False),
        before=scores_at(before, answerable, threshold),
        after=scores_at(after, answerable, threshold),
    )
