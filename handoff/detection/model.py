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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from handoff.detection.corpus import LABELS, Example, corpus_fingerprint
from handoff.detection.features import (
    FeatureConfig,
    char_ngrams,
    normalise,
    token_ngrams,
    word_ngrams,
    word_tokens,
)
from helpdesk.text import fold_case, shorten_repeats

FORMAT = 1
WORD_CACHE_SIZE = 50_000
_ID_SIZE = np.dtype(np.intp).itemsize


def _counted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``ids``, ascending, and how often each occurs: what ``np.unique(ids,
    return_counts=True)`` returns, at under half its cost on the few hundred ids of a message (its
    per-call overhead is most of it there)."""
    ids = np.sort(ids)
    first = np.empty(len(ids), dtype=bool)
    first[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    starts = first.nonzero()[0]
    counts = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1:] = len(ids) - starts[-1:]
    return ids[starts], counts


@dataclass(frozen=True)
class ModelConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    # "svc" (LinearSVC with sigmoid calibration on 3 internal folds) or "logreg" (LogisticRegression).
    # Leave-one-domain-out at a 0.5 threshold: svc (C 0.5) mean average precision 0.979, macro F1 0.941;
    # logreg (C 4) 0.975 and 0.934, at a third of the training time. The better one is the default.
    # With nested thresholds (detection_report): svc macro F1 0.942 over labels, 0.937 over reasons,
    # false handoffs 3.0% of [] lines and 5.2% of hard negatives; logreg 0.934, 0.932, 3.5%, 6.0%.
    classifier: str = "svc"
    C: float = 0.5
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


REVIEWED_MARK = "+reviews."


def training_version(
    examples: Sequence[Example], config: ModelConfig, reviewed: Sequence[Example] = ()
) -> str:
    """The version of a model trained on ``examples`` (the corpus) and ``reviewed`` (confirmed reviews of
    companies that opted in): the corpus version alone when there are none, so default training is
    exactly what it was; else that version with ``+reviews.<fingerprint of the reviewed examples>``."""
    version = model_version(corpus_fingerprint(examples), config)
    if reviewed:
        version += REVIEWED_MARK + corpus_fingerprint(reviewed)[:8]
    return version


def corpus_version(version: str) -> str:
    """The corpus part of a model's version, which loading checks: reviewed examples come from a
    database, not from the repository, so a model with them is as current as its corpus."""
    return version.partition(REVIEWED_MARK)[0]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _tokens(texts: Sequence[str], config: FeatureConfig) -> tuple[list[list[str]], list[list[str]]]:
    normalised = [normalise(text) for text in texts]
    return [char_ngrams(t, config) for t in normalised], [word_ngrams(t, config) for t in normalised]


class WordFeatures(NamedTuple):
    """What the model reads in one whitespace-separated word of a message, cached per distinct word.

    The n-gram indices are packed ``np.intp`` bytes: a message's are one ``bytes.join`` away from a
    numpy array, several times cheaper than concatenating a small array per word.
    """

    text: str  # the word normalised
    ids: bytes  # the vocabulary indices of its known character n-grams, repeats kept (they count)
    distinct: bytes  # the same indices once each (``evidence`` counts an n-gram once per word)
    tokens: tuple[str, ...]  # its tokens for the word n-grams (see ``features.word_tokens``)


@dataclass(frozen=True)
class Analysis:
    """What ``Detector.analyse`` computed for one message, kept so ``evidence`` need not redo it."""

    scores: dict[str, float]
    words: list[WordFeatures]
    indices: np.ndarray  # feature indices present: the character n-grams (ascending), then the word n-grams
    values: np.ndarray  # their tf-idf weights
    chars: int  # how many of ``indices`` are character n-grams


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
        # Both idf vectors end to end, indexed like ``weights``: one gather per message instead of two.
        self._idf = np.concatenate((char_idf, word_idf))
        # Python lists for the per-message arithmetic on nine numbers (scalar access to numpy is slow).
        self._bias = bias.tolist()
        # Words repeat from message to message ("my", "order", "please"): what the model reads in each is
        # cached, per model, so most words cost one look-up instead of twenty. lru_cache is thread-safe.
        self.word_features = lru_cache(maxsize=WORD_CACHE_SIZE)(self._word_features)
        self._calibration = [tuple(row) for row in calibration.tolist()]

    # --- scoring --------------------------------------------------------------------------------------

    def _word_features(self, piece: str) -> WordFeatures:
        """One word of ``fold_case(message).split()``: the per-word steps of ``features.normalise`` and
        of the n-grams, done once."""
        config = self.config.features
        word = shorten_repeats(piece)
        known = [i for i in map(self.char_vocab.get, char_ngrams(word, config)) if i is not None]
        ids = np.array(known, dtype=np.intp).tobytes()
        once = dict.fromkeys(known)
        distinct = ids if len(once) == len(known) else np.fromiter(once, np.intp, len(once)).tobytes()
        return WordFeatures(word, ids, distinct, tuple(word_tokens(word, config)))

    def analyse(self, text: str) -> Analysis:
        """One pass over the message: the features, each word's character n-grams (for ``evidence``) and
        every label's probability. The per-message cost is a look-up per word (a few dozen for a word
        not seen before), the word n-grams and a fixed number of small numpy operations, however long
        the message; see ``detection_bench``."""
        words = list(map(self.word_features, fold_case(text).split()))
        chars, char_counts = _counted(np.frombuffer(b"".join([w.ids for w in words]), dtype=np.intp))
        # A message has a few dozen word n-grams: counted in Python, which beats numpy's per-call cost.
        tokens = [token for word in words for token in word.tokens]
        grams = Counter(map(self.word_vocab.get, token_ngrams(tokens, self.config.features)))
        grams.pop(None, None)  # the n-grams the model does not know
        indices = np.concatenate((chars, np.fromiter(grams.keys(), np.intp, len(grams)) + self._offset))
        counts = np.concatenate((char_counts, np.fromiter(grams.values(), np.intp, len(grams))))
        # Sublinear tf times idf, each block L2-normalised on its own: what the two fitted
        # ``TfidfVectorizer``s compute before their outputs are put side by side.
        values = (1.0 + np.log(counts)) * self._idf.take(indices)
        for block in (values[: len(chars)], values[len(chars) :]):
            if len(block):
                block /= math.sqrt(block @ block)
        raw = (
            (values @ self.weights.take(indices, axis=0) + self.bias).tolist() if len(indices) else self._bias
        )
        probabilities = [
            round(1.0 / (1.0 + math.exp(min(50.0, max(-50.0, a * score + b)))), 6)
            for score, (a, b) in zip(raw, self._calibration, strict=True)
        ]
        scores = dict(zip(self.labels, probabilities, strict=True))
        return Analysis(scores, words, indices, values, len(chars))

    def scores(self, text: str) -> dict[str, float]:
        """Each label's probability for one message (0..1), rounded to 6 places for stable comparisons."""
        return self.analyse(text).scores

    def scores_many(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[s[label] for label in self.labels] for s in map(self.scores, texts)])

    def fired(self, scores: dict[str, float]) -> list[str]:
        """The labels at or above their threshold, in ``labels`` order."""
        return [label for label in self.labels if scores[label] >= self.thresholds[label]]

    def evidence(
        self, text: str, analysis: Analysis, labels: Sequence[str], limit: int = 3
    ) -> dict[str, list[str]]:
        """Per label, the words of the message that pushed it up most, in message order.

        A word's weight is the sum of its distinct character n-grams' contributions (a language written
        without spaces makes the whole run between spaces one "word"). The words are quoted from ``text``
        when normalising kept the word count, else in their normalised form. Only called for labels that
        fired, so a message without a signal pays nothing for it.
        """
        if not labels or not analysis.chars:
            return {label: [] for label in labels}
        original = text.split()
        words = original if len(original) == len(analysis.words) else [w.text for w in analysis.words]
        distinct = [w.distinct for w in analysis.words]
        grams = np.frombuffer(b"".join(distinct), dtype=np.intp)
        sizes = np.fromiter(map(len, distinct), np.intp, len(distinct)) // _ID_SIZE
        where = np.arange(len(words)).repeat(sizes)
        # The n-grams' rows among the message's features (its character n-grams come first, ascending).
        rows = analysis.indices[: analysis.chars].searchsorted(grams)
        columns = [self.labels.index(label) for label in labels]
        contributions = analysis.values.take(rows)[:, None] * self.weights.take(grams, axis=0)[:, columns]
        spans: dict[str, list[str]] = {}
        for column, label in enumerate(labels):
            totals = np.bincount(where, weights=contributions[:, column], minlength=len(words))
            best = sorted((-totals).argsort(kind="stable")[:limit].tolist())
            spans[label] = [words[i] for i in best if totals[i] > 0]
        return spans

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
        svc = LinearSVC(C=config.C, class_weight="balanced", random_state=config.random_state)
        folds = min(3, int(y.sum()), int(len(y) - y.sum()))
        if folds < 2:  # one example of a class cannot be calibrated: the margin's plain sigmoid instead
            svc.fit(x, y)
            return svc.coef_[0], float(svc.intercept_[0]), (-1.0, 0.0)
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
    on_fold: Callable[[str], None] | None = None,
) -> tuple[list[Example], np.ndarray]:
    """Probabilities for every (unique) example from a model that did not see its domain."""
    examples = unique_examples(examples)
    groups = [e.domain for e in examples]
    folds = min(config.threshold_folds, len(set(groups)))
    probabilities = np.zeros((len(examples), len(LABELS)))
    for train_index, test_index in GroupKFold(n_splits=folds).split(examples, groups=groups):
        scorer = fit_scorer([examples[i] for i in train_index], config, tokens=tokens)
        probabilities[test_index] = scorer.scores_many([examples[i].text for i in test_index])
        if on_fold is not None:
            on_fold("threshold fold")
    return examples, probabilities


def train(
    examples: Sequence[Example],
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    reviewed: Sequence[Example] = (),
    tokens: Callable[[Sequence[str]], tuple[list, list]] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Detector:
    """The model for ``examples``: thresholds from grouped (by domain) held-out predictions, then the
    scorers fitted on everything. With fewer than two domains, or ``threshold_folds`` 0, thresholds stay 0.5.

    ``reviewed`` are examples from confirmed reviews (their own domain), learnt after the corpus's; the
    version says they are there (see ``training_version``).
    """
    version = training_version(examples, config, reviewed)
    examples = [*examples, *reviewed]
    thresholds = dict.fromkeys(LABELS, 0.5)
    if config.threshold_folds >= 2 and len({e.domain for e in examples}) >= 2:
        held, probabilities = held_out_scores(examples, config, tokens=tokens, on_fold=on_step)
        thresholds = choose_thresholds(label_matrix(held), probabilities)
    detector = fit_scorer(examples, config, version=version, tokens=tokens, on_label=on_step)
    detector.thresholds = thresholds
    return detector
