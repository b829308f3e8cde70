"""From the local responder's evidence to a calibrated probability that its answer is right.

A logistic regression over `CALIBRATION_FEATURES` (the fields of ``ConfidenceFactors``). It is fitted
with scikit-learn by ``manage.py confidence_fit`` on every domain of the calibration set and shipped as
plain numbers in ``calibration.json``, so answering a question needs no scikit-learn and no fitting: a dot
product and a sigmoid. The fit is deterministic (lbfgs, no sampling), so the file changes only when the
set or the evidence does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).parent / "calibration.json"
CALIBRATION_FEATURES = (
    "coverage",
    "confidence",
    "focus",
    "specific",
)
# Inverse regularisation strength of the fit: the set is a few hundred questions, so the coefficients are
# kept modest rather than fitted to its last question.
REGULARISATION_C = 1.0


@dataclass(frozen=True)
class Calibration:
    coefficients: tuple[float, ...]
    intercept: float
    features: tuple[str, ...] = CALIBRATION_FEATURES

    def probability(self, values: Sequence[float]) -> float:
        """The probability that the answer is right, for evidence given in the order of ``features``."""
        z = self.intercept + sum(c * v for c, v in zip(self.coefficients, values, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def as_json(self) -> str:
        return json.dumps(
            {
                "features": list(self.features),
                "coefficients": [round(c, 6) for c in self.coefficients],
                "intercept": round(self.intercept, 6),
            },
            indent=2,
        )


def calibration_fit(values: Sequence[Sequence[float]], right: Sequence[bool]) -> Calibration:
    """A logistic regression of ``right`` (the answer was right) on the evidence ``values``."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARISATION_C, solver="lbfgs", max_iter=5000)
    model.fit([list(v) for v in values], [int(r) for r in right])
    return Calibration(
        coefficients=tuple(float(c) for c in model.coef_[0]), intercept=float(model.intercept_[0])
    )


def calibration_load(path: Path) -> Calibration:
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != CALIBRATION_FEATURES:
        raise ValueError(f"{path.name} was fitted on other features: run manage.py confidence_fit")
    return Calibration(coefficients=tuple(data["coefficients"]), intercept=float(data["intercept"]))


@cache
def shipped_calibration() -> Calibration:
    """The calibration written by ``manage.py confidence_fit``, read once per process."""
    return calibration_load(CALIBRATION_FILE)
