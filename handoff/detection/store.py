"""The model file: where it lives, writing it, and loading it once per process.

The file is built from the corpus (``python manage.py detection_train``), not committed. Its default
place is ``handoff/detection/model/detector.joblib``; ``HANDOFF_DETECTOR_PATH`` in the environment moves
it. Loading checks the file's format and version against the corpus and config this code would train
(``current_version``; examples from confirmed reviews, which come from the database, are not part of
what is checked, see ``handoff.detection.model.training_version``): a missing, corrupt or stale file
raises ``DetectorUnavailable`` with what to run, because a handoff detector that silently says "no
handoff" is worse than one that refuses to start.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import joblib

from handoff.detection.corpus import CORPUS_DIR, corpus_fingerprint, load_corpus
from handoff.detection.model import (
    DEFAULT_CONFIG,
    FORMAT,
    Detector,
    ModelConfig,
    corpus_version,
    model_version,
)

DEFAULT_PATH = Path(__file__).resolve().parent / "model" / "detector.joblib"
TRAIN_HINT = "run `python manage.py detection_train`"


class DetectorUnavailable(RuntimeError):
    """No usable model file; ``code`` is "missing", "corrupt" or "stale"."""

    def __init__(self, code: str, path: Path, detail: str) -> None:
        self.code = code
        self.path = path
        super().__init__(f"Handoff detection model {code} at {path}: {detail}; {TRAIN_HINT}")


def model_path() -> Path:
    return Path(os.environ.get("HANDOFF_DETECTOR_PATH") or DEFAULT_PATH)


def current_version(corpus_dir: Path = CORPUS_DIR, config: ModelConfig = DEFAULT_CONFIG) -> str:
    """The version a model trained now from ``corpus_dir`` with ``config`` would have."""
    return model_version(corpus_fingerprint(load_corpus(corpus_dir)), config)


def detector_save(detector: Detector, path: Path) -> None:
    """Write atomically (a temporary file renamed into place): a process loading at the same moment sees
    the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".detector-", suffix=".tmp")
    os.close(handle)
    try:
        joblib.dump(detector.to_payload(), temporary, compress=3)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def detector_load(path: Path, expected_version: str | None) -> Detector:
    """Read and check one model file; ``expected_version`` None skips the version check (tests, tools)."""
    if not path.exists():
        raise DetectorUnavailable("missing", path, "no such file")
    try:
        payload = joblib.load(path)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
            raise DetectorUnavailable("stale", path, f"file format {found!r}, this code reads {FORMAT}")
        detector = Detector.from_payload(payload)
    except DetectorUnavailable:
        raise
    except Exception as exc:
        raise DetectorUnavailable("corrupt", path, f"cannot read it ({type(exc).__name__}: {exc})") from exc
    if expected_version is not None and corpus_version(detector.version) != expected_version:
        detail = (
            f"version {detector.version}, expected {expected_version} (corpus, config or scikit-learn differ)"
        )
        raise DetectorUnavailable("stale", path, detail)
    return detector


_lock = threading.Lock()
_loaded: dict[Path, Detector] = {}


def detector_get(path: Path | None = None) -> Detector:
    """The process's model, loaded and checked on first use; later calls return the same object."""
    path = path or model_path()
    detector = _loaded.get(path)
    if detector is not None:
        return detector
    with _lock:
        if path not in _loaded:
            _loaded[path] = detector_load(path, current_version())
        return _loaded[path]


def detector_forget() -> None:
    """Drop the cached model (after retraining in the same process, and in tests)."""
    with _lock:
        _loaded.clear()


def detector_is_current(path: Path | None = None) -> bool:
    try:
        detector_load(path or model_path(), current_version())
    except DetectorUnavailable:
        return False
    return True


def detector_ensure(path: Path | None = None, *, on_step=None) -> tuple[Detector, bool]:
    """The model at ``path``, trained and saved first when it is missing, corrupt or stale.

    Returns the model and whether it was trained now. ``make run`` and ``make test`` call this (through
    ``detection_train --if-missing``) so a fresh checkout needs no separate set-up step.
    """
    from handoff.detection.model import train

    path = path or model_path()
    examples = load_corpus()
    version = model_version(corpus_fingerprint(examples), DEFAULT_CONFIG)
    try:
        return detector_load(path, version), False
    except DetectorUnavailable:
        pass
    detector = train(examples, DEFAULT_CONFIG, on_step=on_step)
    detector_save(detector, path)
    detector_forget()
    return detector, True
