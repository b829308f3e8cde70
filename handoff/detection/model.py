"""The handoff signal model: TF-IDF character and word n-grams into one calibrated linear scorer per label.

Why this shape: the corpus is a few thousand short messages in eight languages, and the model must score
a message inline, before any reply, in well under a millisecond. Character n-grams (inside word
boundaries) carry typos, inflections and Japanese, which has no spaces; word n-grams carry phrases.
Each label gets its own linear classifier with balanced class weights (a label is rare next to "no
signal"), so one message can carry several labels. The probability of each label is a sigmoid of its
linear score; the threshold that turns it into a signal is chosen per label on domains the classifier
did not see (grouped cross-validation over the training domains), never on the data it is judged on.

scikit-learn fits the model; ``Detector`` scores with plain dictionaries and numpy over the same
n-grams (``handoff.detection.features``), which gives the same probabilities as the fitted pipeline at
a fraction of its per-call cost. What holds:

- deterministic: the same corpus and ``ModelConfig`` give the same weights, thresholds and version;
- the version is a hash of the corpus fingerprint, the config, the file format and the scikit-learn
  version, so a model file built from anything else is refused at load, never used silently.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from handoff.detection.corpus import LABELS, Example, corpus_fingerprint
from handoff.detection.features import FeatureConfig, char_ngrams, normalise, word_ngrams

FORMAT = 1
_EMPTY_INT = np.zeros(0, dtype=np.intp)
_EMPTY_FLOAT = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class ModelConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    classifier: str = "logreg"  # "logreg" (LogisticRegression) or "svc" (LinearSVC + sigmoid calibration)
    C: float = 4.0
    min_df: int = 2  # an n-gram seen once is a name or a typo of one message; dropping it halves the model
    threshold_folds: int = 3  # grouped by domain; 0 keeps every threshold at 0.5
    random_state: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        return cls(**{**data, "features": FeatureConfig(**data["features"])})


DEFAULT_CONFIG = ModelConfig()


def model_version(fingerprint: str, config: ModelConfig) -> str:
    """What a model file must match to be used: corpus, config, file format and scikit-learn version."""
    key = json.dumps([fingerprint, config.as_dict(), FORMAT, sklearn.__version__], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _tokens(texts: Sequence[str], config: FeatureConfig) -> tuple[list[list[str]], list[list[str]]]:
    normalised = [normalise(text) for text in texts]
    return [char_ngrams(t, config) for t in normalised], [word_ngrams(t, config) for t in normalised]


class Detector:
    """A fitted model as plain data: vocabularies, idf weights, one linear scorer and calibration per label.

    ``scores`` returns each label's probability; ``thresholds`` (chosen on held-out domains) say which
    of them is a signal. Instances are immutable in use and safe to share between threads.
    """

    def __init__(
        self,
        *,
        labels: Sequence[str],
        config: ModelConfig,
        version: str,
        char_vocab: dict[str, int],
        word_vocab: dict[str, int],
        char_idf: np.ndarray,
        word_idf: np.ndarray,
        weights: np.ndarray,  # (len(char_vocab) + len(word_vocab), len(labels))
        bias: np.ndarray,  # (len(labels),)
        calibration: np.ndarray,  # (len(labels), 2): probability = 1 / (1 + exp(a * score + b))
        thresholds: dict[str, float],
        counts: dict[str, int],
    ) -> None:
        self.labels = tuple(labels)
        self.config = config
        self.version = version
        self.char_vocab = char_vocab
        self.word_vocab = word_vocab
        self.char_idf = char_idf
        self.word_idf = word_idf
        self.weights = weights
        self.bias = bias
        self.calibration = calibration
        self.thresholds = thresholds
        self.counts = counts
        self._offset = len(char_vocab)

    # --- scoring --------------------------------------------------------------------------------------

    @staticmethod
    def _part(grams: list[str], vocab: dict[str, int], idf: np.ndarray, offset: int):
        """Sublinear tf times idf, L2-normalised: what ``TfidfVectorizer.transform`` computes."""
        counts = Counter(map(vocab.get, grams))
        counts.pop(None, None)
        if not counts:
            return _EMPTY_INT, _EMPTY_FLOAT
        indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[
            indices
        ]
        return indices + offset, values / math.sqrt(values @ values)

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        normalised = normalise(text)
        features = self.config.features
        char_i, char_v = self._part(char_ngrams(normalised, features), self.char_vocab, self.char_idf, 0)
        word_i, word_v = self._part(
            word_ngrams(normalised, features), self.word_vocab, self.word_idf, self._offset
        )
        return np.concatenate((char_i, word_i)), np.concatenate((char_v, word_v))

    def raw_scores(self, text: str) -> np.ndarray:
        indices, values = self._features(text)
        if not len(indices):
            return self.bias.copy()
        return values @ self.weights[indices] + self.bias

    def scores(self, text: str) -> dict[str, float]:
        """Each label's probability for one message (0..1), rounded to 6 places for stable comparisons."""
        raw = self.raw_scores(text)
        z = self.calibration[:, 0] * raw + self.calibration[:, 1]
        probabilities = 1.0 / (1.0 + np.exp(np.clip(z, -50, 50)))
        return {label: round(float(p), 6) for label, p in zip(self.labels, probabilities, strict=True)}

    def scores_many(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[s[label] for label in self.labels] for s in map(self.scores, texts)])

    def fired(self, scores: dict[str, float]) -> list[str]:
        """The labels at or above their threshold, in ``labels`` order."""
        return [label for label in self.labels if scores[label] >= self.thresholds[label]]

    def evidence(self, text: str, label: str, limit: int = 3) -> list[tuple[int, int]]:
        """Spans of ``text`` (start, end) of the words that pushed ``label`` up most, best first.

        A word's weight is the sum of its character n-grams' and its word unigram's contributions; for a
        language written without spaces the "word" is the whole run of text between spaces.
        """
        column = self.labels.index(label)
        indices, values = self._features(text)
        weight_of = dict(
            zip(indices.tolist(), (values * self.weights[indices, column]).tolist(), strict=True)
        )
        features = self.config.features
        found = []
        for match in re.finditer(r"\S+", text):
            piece = normalise(match.group())
            grams = [self.char_vocab.get(g) for g in char_ngrams(piece, features)]
            grams += [
                None if (i := self.word_vocab.get(g)) is None else i + self._offset
                for g in word_ngrams(piece, features)
            ]
            contribution = sum(weight_of.get(i, 0.0) for i in set(grams) if i is not None)
            if contribution > 0:
                found.append((contribution, match.start(), match.end()))
        found.sort(key=lambda item: (-item[0], item[1]))
        return [(start, end) for _, start, end in found[:limit]]

    # --- storage --------------------------------------------------------------------------------------

    def to_payload(self) -> dict:
        return {
            "format": FORMAT,
            "version": self.version,
            "sklearn": sklearn.__version__,
            "labels": list(self.labels),
            "config": self.config.as_dict(),
            "char_vocab": self.char_vocab,
            "word_vocab": self.word_vocab,
            "char_idf": self.char_idf,
            "word_idf": self.word_idf,
            "weights": self.weights,
            "bias": self.bias,
            "calibration": self.calibration,
            "thresholds": self.thresholds,
            "counts": self.counts,
        }

    @classmethod
    def from_payload(cls, payload: dict) -> Detector:
        return cls(
            labels=payload["labels"],
            config=ModelConfig.from_dict(payload["config"]),
            version=payload["version"],
            char_vocab=payload["char_vocab"],
            word_vocab=payload["word_vocab"],
            char_idf=payload["char_idf"],
            word_idf=payload["word_idf"],
            weights=payload["weights"],
            bias=payload["bias"],
            calibration=payload["calibration"],
            thresholds=payload["thresholds"],
            counts=payload["counts"],
        )


# --- fitting ----------------------------------------------------------------------------------------------


def unique_examples(examples: Sequence[Example]) -> list[Example]:
    """The first example of each text: a line repeated in several domains is learnt (and judged) once."""
    seen: set[str] = set()
    out = []
    for example in examples:
        if example.text not in seen:
            seen.add(example.text)
            out.append(example)
    return out


def label_matrix(examples: Sequence[Example], labels: Sequence[str] = LABELS) -> np.ndarray:
    return np.array([[label in e.labels for label in labels] for e in examples], dtype=np.int8)


def _linear(x, y: np.ndarray, config: ModelConfig) -> tuple[np.ndarray, float, tuple[float, float]]:
    """One label's weights, bias and calibration (a, b) with probability = 1 / (1 + exp(a * score + b))."""
    if y.min() == y.max():  # no positive (or no negative) example: a constant, never a signal
        return np.zeros(x.shape[1]), (-20.0 if y.max() == 0 else 20.0), (-1.0, 0.0)
    if config.classifier == "logreg":
        model = LogisticRegression(
            C=config.C,
            class_weight="balanced",
            solver="liblinear",
            dual=True,  # more features than examples: the dual problem is several times faster
            random_state=config.random_state,
        )
        model.fit(x, y)
        return model.coef_[0], float(model.intercept_[0]), (-1.0, 0.0)
    if config.classifier == "svc":
        folds = max(2, min(3, int(y.sum()), int(len(y) - y.sum())))
        svc = LinearSVC(C=config.C, class_weight="balanced", random_state=config.random_state)
        model = CalibratedClassifierCV(svc, method="sigmoid", cv=folds, ensemble=False)
        model.fit(x, y)
        fitted = model.calibrated_classifiers_[0]
        calibrator = fitted.calibrators[0]
        return (
            fitted.estimator.coef_[0],
            float(fitted.estimator.intercept_[0]),
            (float(calibrator.a_), float(calibrator.b_)),
        )
    raise ValueError(f"unknown classifier {config.classifier!r}; use 'logreg' or 'svc'")


def fit_scorer(
    examples: Sequence[Example],
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    version: str = "",
    tokens: Callable[[Sequence[str]], tuple[list, list]] | None = None,
    on_label: Callable[[str], None] | None = None,
) -> Detector:
    """Fit the vectorizers and one scorer per label; every threshold is 0.5 (see ``train`` for real ones).

    ``tokens`` may supply cached n-grams (evaluation fits many folds over the same texts).
    """
    examples = unique_examples(examples)
    texts = [e.text for e in examples]
    char_docs, word_docs = (tokens or (lambda t: _tokens(t, config.features)))(texts)
    common = {"analyzer": _identity, "sublinear_tf": True, "min_df": config.min_df, "dtype": np.float64}
    char_vec, word_vec = TfidfVectorizer(**common), TfidfVectorizer(**common)
    x = sparse.hstack([char_vec.fit_transform(char_docs), word_vec.fit_transform(word_docs)]).tocsr()
    y = label_matrix(examples)
    columns, biases, calibrations = [], [], []
    for column, label in enumerate(LABELS):
        weights, bias, calibration = _linear(x, y[:, column], config)
        columns.append(weights)
        biases.append(bias)
        calibrations.append(calibration)
        if on_label is not None:
            on_label(label)
    return Detector(
        labels=LABELS,
        config=config,
        version=version,
        char_vocab={gram: int(i) for gram, i in sorted(char_vec.vocabulary_.items())},
        word_vocab={gram: int(i) for gram, i in sorted(word_vec.vocabulary_.items())},
        char_idf=char_vec.idf_.astype(np.float64),
        word_idf=word_vec.idf_.astype(np.float64),
        weights=np.ascontiguousarray(np.column_stack(columns), dtype=np.float32),
        bias=np.asarray(biases, dtype=np.float64),
        calibration=np.asarray(calibrations, dtype=np.float64),
        thresholds=dict.fromkeys(LABELS, 0.5),
        counts={label: int(y[:, i].sum()) for i, label in enumerate(LABELS)}
        | {"none": int((y.sum(1) == 0).sum())},
    )


THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


def choose_thresholds(
    y: np.ndarray, probabilities: np.ndarray, labels: Sequence[str] = LABELS
) -> dict[str, float]:
    """Per label, the threshold with the best F1 on held-out predictions; on a tie the higher one (fewer
    false handoffs). A label with no positive example never fires (threshold above 1)."""
    chosen = {}
    for column, label in enumerate(labels):
        truth = y[:, column].astype(bool)
        if not truth.any():
            chosen[label] = 1.01
            continue
        best = (-1.0, 0.5)
        for threshold in THRESHOLD_GRID:
            predicted = probabilities[:, column] >= threshold
            tp = int((predicted & truth).sum())
            f1 = 2 * tp / (int(predicted.sum()) + int(truth.sum()))
            if f1 >= best[0]:
                best = (f1, float(threshold))
        chosen[label] = best[1]
    return chosen


def held_out_scores(
    examples: Sequence[Example],
    config: ModelConfig,
    *,
    tokens: Callable[[Sequence[str]], tuple[list, list]] | None = None,
) -> tuple[list[Example], np.ndarray]:
    """Probabilities for every (unique) example from a model that did not see its domain."""
    examples = unique_examples(examples)
    groups = [e.domain for e in examples]
    folds = min(config.threshold_folds, len(set(groups)))
    probabilities = np.zeros((len(examples), len(LABELS)))
    for train_index, test_index in GroupKFold(n_splits=folds).split(examples, groups=groups):
        scorer = fit_scorer([examples[i] for i in train_index], config, tokens=tokens)
        probabilities[test_index] = scorer.scores_many([examples[i].text for i in test_index])
    return examples, probabilities


def train(
    examples: Sequence[Example],
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    tokens: Callable[[Sequence[str]], tuple[list, list]] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Detector:
    """The model for ``examples``: thresholds from grouped (by domain) held-out predictions, then the
    scorers fitted on everything. With fewer than two domains, or ``threshold_folds`` 0, thresholds stay 0.5.
    """
    version = model_version(corpus_fingerprint(examples), config)
    thresholds = dict.fromkeys(LABELS, 0.5)
    if config.threshold_folds >= 2 and len({e.domain for e in examples}) >= 2:
        held, probabilities = held_out_scores(examples, config, tokens=tokens)
        thresholds = choose_thresholds(label_matrix(held), probabilities)
        if on_step is not None:
            on_step("thresholds")
    detector = fit_scorer(examples, config, version=version, tokens=tokens, on_label=on_step)
    detector.thresholds = thresholds
    return detector
