"""The signal model on a tiny corpus built here: deterministic, and a bad model file is a clear error."""

from __future__ import annotations

import joblib
import pytest

from handoff.detection.corpus import Example
from handoff.detection.features import FeatureConfig, char_ngrams, normalise
from handoff.detection.model import ModelConfig, train
from handoff.detection.store import DetectorUnavailable, detector_get, detector_load, detector_save

TINY = [
    Example("I want to talk to a human", ("person",), "en", "shop"),
    Example("can I speak to a real person please", ("person",), "en", "shop"),
    Example("get me an agent now", ("person",), "en", "bank"),
    Example("quiero hablar con una persona", ("person",), "es", "bank"),
    Example("you charged me twice for one order", ("billing_dispute",), "en", "shop"),
    Example("there is a charge on my card I never made", ("billing_dispute",), "en", "bank"),
    Example("this is useless and I am furious", ("frustrated",), "en", "shop"),
    Example("how long does delivery take", (), "en", "shop"),
    Example("what are your opening hours", (), "en", "bank"),
    Example("are you a bot?", (), "en", "bank", hard=True),
    Example("do you ship to Spain", (), "en", "shop"),
    Example("¿cuánto cuesta el envío?", (), "es", "shop"),
]
CONFIG = ModelConfig(threshold_folds=0)


def test_normalisation_folds_width_and_case_and_shortens_stretched_letters_but_keeps_emoji():
    assert normalise("ＨＵＭＡＡＡＮ   please 😡") == "humaan please 😡"
    assert normalise("nooooo") == "noo"


def test_char_ngrams_pad_each_word_like_scikit_learns_char_wb():
    assert char_ngrams("hi", FeatureConfig(char_min=2, char_max=3)) == [" h", "hi", "i ", " hi", "hi "]


def test_the_same_corpus_and_config_give_the_same_model_and_probabilities():
    first, second = train(TINY, CONFIG), train(list(TINY), CONFIG)

    assert first.version == second.version
    for text in ("I need a human", "charged twice??", "what time do you open"):
        assert first.scores(text) == second.scores(text)


def test_the_model_learns_the_tiny_corpus_and_keeps_thresholds_at_a_half_without_folds():
    detector = train(TINY, CONFIG)

    assert detector.thresholds == dict.fromkeys(detector.labels, 0.5)
    assert detector.scores("talk to a human please")["person"] > detector.scores("opening hours")["person"]
    assert detector.counts["person"] == 4
    assert detector.counts["none"] == 5


def test_a_label_without_examples_never_fires():
    detector = train(TINY, CONFIG)

    assert detector.scores("I will sue you")["legal"] < 0.001


def test_the_version_changes_with_the_corpus_and_the_config():
    base = train(TINY, CONFIG).version

    assert train(TINY[:-1], CONFIG).version != base
    assert train(TINY, ModelConfig(threshold_folds=0, C=1.0)).version != base
    assert train(TINY, ModelConfig(threshold_folds=0, classifier="logreg")).version != base


def test_a_saved_model_loads_with_the_same_probabilities(tmp_path):
    detector = train(TINY, CONFIG)
    path = tmp_path / "detector.joblib"
    detector_save(detector, path)

    loaded = detector_load(path, detector.version)

    assert loaded.scores("I want a human") == detector.scores("I want a human")
    assert loaded.thresholds == detector.thresholds


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(DetectorUnavailable, match="missing at .*detection_train") as caught:
        detector_load(tmp_path / "nope.joblib", None)

    assert caught.value.code == "missing"
    with pytest.raises(DetectorUnavailable):
        detector_get(tmp_path / "nope.joblib")


def test_a_corrupt_model_file_is_a_clear_error(tmp_path):
    path = tmp_path / "detector.joblib"
    path.write_bytes(b"not a model")

    with pytest.raises(DetectorUnavailable, match="corrupt") as caught:
        detector_load(path, None)

    assert caught.value.code == "corrupt"


def test_a_model_of_another_version_or_format_is_refused(tmp_path):
    detector = train(TINY, CONFIG)
    path = tmp_path / "detector.joblib"
    detector_save(detector, path)

    with pytest.raises(DetectorUnavailable, match="stale.*expected 0123456789abcdef") as caught:
        detector_load(path, "0123456789abcdef")
    assert caught.value.code == "stale"

    joblib.dump({**detector.to_payload(), "format": 999}, path)
    with pytest.raises(DetectorUnavailable, match="file format 999"):
        detector_load(path, None)


def test_fast_scoring_equals_the_scikit_learn_pipeline_it_was_fitted_with():
    """``Detector`` scores with dictionaries and numpy; it must give what the fitted pipeline gives."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from handoff.detection.features import word_ngrams

    config = ModelConfig(classifier="logreg", C=4.0, threshold_folds=0, min_df=1)
    detector = train(TINY, config)
    features = config.features
    common = {"sublinear_tf": True, "min_df": 1}
    chars = TfidfVectorizer(analyzer=lambda t: char_ngrams(normalise(t), features), **common)
    words = TfidfVectorizer(analyzer=lambda t: word_ngrams(normalise(t), features), **common)
    texts = [e.text for e in TINY]
    x = sparse.hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()
    truth = np.array(["person" in e.labels for e in TINY], dtype=int)
    fitted = LogisticRegression(C=config.C, class_weight="balanced", solver="liblinear", dual=True).fit(
        x, truth
    )
    probe = ["hello, can I talk to a human?", "ＡＧＥＮＴ pleeease", "delivery to Spain?"]

    expected = fitted.predict_proba(sparse.hstack([chars.transform(probe), words.transform(probe)]))[:, 1]

    assert [detector.scores(text)["person"] for text in probe] == pytest.approx(expected, abs=1e-5)
