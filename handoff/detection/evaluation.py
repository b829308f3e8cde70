"""Leave-one-domain-out evaluation of the signal model: how it does on a business it never saw.

For each domain: train on the others (thresholds chosen by grouped cross-validation inside those
domains, exactly as ``train`` does for the shipped model), score the held-out domain, and keep the
predictions. A held-out line whose text also appears in a training domain is left out of the test
("are you a bot?" is in several files): scoring it would measure memory, not generalisation.

Figures are per label, per reason (labels mapped by ``LABEL_REASON``; ``refund_request`` is not a
handoff), per domain and per language, plus the false-handoff rate: the share of messages labelled []
(and of hard negatives) on which any handoff reason fired. All pure: the command only prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from handoff.detection.corpus import LABELS, Example
from handoff.detection.features import char_ngrams, normalise, word_ngrams
from handoff.detection.model import DEFAULT_CONFIG, ModelConfig, train, unique_examples
from handoff.detection.signals import HANDOFF_REASONS, LABEL_REASON


@dataclass(frozen=True)
class Prediction:
    example: Example
    scores: dict[str, float]
    fired: tuple[str, ...]  # labels at or above their fold's threshold

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset(LABEL_REASON[label] for label in self.fired if LABEL_REASON[label])


def gold_reasons(example: Example) -> frozenset[str]:
    return frozenset(LABEL_REASON[label] for label in example.labels if LABEL_REASON[label])


def token_cache(
    examples: Sequence[Example], config: ModelConfig
) -> Callable[[Sequence[str]], tuple[list, list]]:
    """N-grams computed once per text and shared by every fold's fit."""
    features = config.features
    cache = {}
    for example in examples:
        if example.text not in cache:
            normalised = normalise(example.text)
            cache[example.text] = (char_ngrams(normalised, features), word_ngrams(normalised, features))

    def tokens(texts: Sequence[str]) -> tuple[list, list]:
        return [cache[t][0] for t in texts], [cache[t][1] for t in texts]

    return tokens


def leave_one_domain_out(
    examples: Sequence[Example],
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    on_fold: Callable[[str], None] | None = None,
) -> list[Prediction]:
    """Predictions for every held-out line, each from a model that never saw its domain."""
    tokens = token_cache(examples, config)
    predictions: list[Prediction] = []
    for domain in sorted({e.domain for e in examples}):
        training = [e for e in examples if e.domain != domain]
        seen = {e.text for e in training}
        held = [e for e in unique_examples([e for e in examples if e.domain == domain]) if e.text not in seen]
        detector = train(training, config, tokens=tokens)
        for example in held:
            scores = detector.scores(example.text)
            predictions.append(Prediction(example, scores, tuple(detector.fired(scores))))
        if on_fold is not None:
            on_fold(domain)
    return predictions


@dataclass(frozen=True)
class Rates:
    support: int  # positives in the truth
    predicted: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        total = self.predicted + self.support
        return 2 * self.true_positives / total if total else 0.0

    def as_dict(self) -> dict:
        return {
            "support": self.support,
            "predicted": self.predicted,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _rates(pairs: Sequence[tuple[bool, bool]]) -> Rates:
    return Rates(
        support=sum(truth for truth, _ in pairs),
        predicted=sum(guess for _, guess in pairs),
        true_positives=sum(truth and guess for truth, guess in pairs),
    )


def per_label(predictions: Sequence[Prediction]) -> dict[str, Rates]:
    return {
        label: _rates([(label in p.example.labels, label in p.fired) for p in predictions])
        for label in LABELS
    }


def per_reason(predictions: Sequence[Prediction]) -> dict[str, Rates]:
    return {
        reason: _rates([(reason in gold_reasons(p.example), reason in p.reasons) for p in predictions])
        for reason in HANDOFF_REASONS
    }


def handoff_rates(predictions: Sequence[Prediction]) -> Rates:
    """Whether any handoff reason fired, against whether the line has any handoff label."""
    return _rates([(bool(gold_reasons(p.example)), bool(p.reasons)) for p in predictions])


def false_handoff_rate(predictions: Sequence[Prediction]) -> tuple[float, int]:
    """Share of the given lines on which a handoff reason fired, and how many lines there were."""
    if not predictions:
        return 0.0, 0
    return sum(bool(p.reasons) for p in predictions) / len(predictions), len(predictions)


def macro(rates: dict[str, Rates]) -> dict[str, float]:
    present = [r for r in rates.values() if r.support]
    count = len(present) or 1
    return {
        "precision": round(sum(r.precision for r in present) / count, 4),
        "recall": round(sum(r.recall for r in present) / count, 4),
        "f1": round(sum(r.f1 for r in present) / count, 4),
    }


def group_summary(predictions: Sequence[Prediction], key: Callable[[Example], str]) -> dict[str, dict]:
    """Per domain or language: handoff P/R, macro F1 over reasons, false handoffs on [] and on hard lines."""
    groups: dict[str, list[Prediction]] = {}
    for prediction in predictions:
        groups.setdefault(key(prediction.example), []).append(prediction)
    out = {}
    for name in sorted(groups):
        rows = groups[name]
        reasons = per_reason(rows)
        negatives = false_handoff_rate([p for p in rows if not p.example.labels])
        hard = false_handoff_rate([p for p in rows if p.example.hard])
        out[name] = {
            "lines": len(rows),
            "handoff": handoff_rates(rows).as_dict(),
            "reasons": {reason: rates.as_dict() for reason, rates in reasons.items()},
            "macro_reason": macro(reasons),
            "false_handoff_negatives": round(negatives[0], 4),
            "false_handoff_hard": round(hard[0], 4),
            "hard_lines": hard[1],
        }
    return out


def report(predictions: Sequence[Prediction], config: ModelConfig = DEFAULT_CONFIG) -> dict:
    """Everything the report command prints, as plain data (also what ``--json`` writes)."""
    labels = per_label(predictions)
    reasons = per_reason(predictions)
    negatives = false_handoff_rate([p for p in predictions if not p.example.labels])
    hard = false_handoff_rate([p for p in predictions if p.example.hard])
    return {
        "config": config.as_dict(),
        "lines": len(predictions),
        "labels": {label: rates.as_dict() for label, rates in labels.items()},
        "reasons": {reason: rates.as_dict() for reason, rates in reasons.items()},
        "handoff": handoff_rates(predictions).as_dict(),
        "domains": group_summary(predictions, lambda e: e.domain),
        "languages": group_summary(predictions, lambda e: e.lang),
        "false_handoff_negatives": {"rate": round(negatives[0], 4), "lines": negatives[1]},
        "false_handoff_hard": {"rate": round(hard[0], 4), "lines": hard[1]},
        "macro_label": macro(labels),
        "macro_reason": macro(reasons),
        "average_precision": _average_precision(predictions),
    }


def _average_precision(predictions: Sequence[Prediction]) -> float:
    """Mean over labels of the area under the precision-recall curve: threshold-free, for comparing models."""
    from sklearn.metrics import average_precision_score

    values = []
    for label in LABELS:
        truth = np.array([label in p.example.labels for p in predictions])
        if truth.any():
            values.append(average_precision_score(truth, [p.scores[label] for p in predictions]))
    return round(float(np.mean(values)), 4) if values else 0.0


def reviewed_effect(
    corpus: Sequence[Example],
    reviewed: Sequence[Example],
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    folds: int = 5,
    on_step: Callable[[str], None] | None = None,
) -> dict:
    """What examples from confirmed reviews change, judged on those examples, each by a model that did
    not see it: ``without`` a model of the corpus alone; ``with`` a model of the corpus and the other
    reviewed examples (``folds`` folds over them, in their order, so the same input gives the same
    figures). Per side: handoff precision and recall over the reviewed messages that carry a signal,
    and the share of the reviewed hard negatives (unnecessary handoffs) that still hand off."""
    reviewed = list(reviewed)
    if not reviewed:
        return {}
    tokens = token_cache([*corpus, *reviewed], config)

    def judged(detector, examples: Sequence[Example]) -> list[Prediction]:
        out = []
        for example in examples:
            scores = detector.scores(example.text)
            out.append(Prediction(example, scores, tuple(detector.fired(scores))))
        return out

    without = judged(train(corpus, config, tokens=tokens), reviewed)
    if on_step is not None:
        on_step("corpus alone")
    count = max(2, min(folds, len(reviewed)))
    with_reviews: list[Prediction] = []
    for fold in range(count):
        held = [e for i, e in enumerate(reviewed) if i % count == fold]
        others = [e for i, e in enumerate(reviewed) if i % count != fold]
        if held:
            with_reviews += judged(train(corpus, config, reviewed=others, tokens=tokens), held)
        if on_step is not None:
            on_step(f"reviewed fold {fold + 1}")

    def figures(predictions: list[Prediction]) -> dict:
        negatives = false_handoff_rate([p for p in predictions if p.example.hard])
        return {
            "handoff": handoff_rates(predictions).as_dict(),
            "false_handoff_hard": {"rate": round(negatives[0], 4), "lines": negatives[1]},
        }

    with_reviews.sort(key=lambda p: reviewed.index(p.example))
    return {"examples": len(reviewed), "without": figures(without), "with": figures(with_reviews)}
