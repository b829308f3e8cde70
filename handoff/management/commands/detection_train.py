"""Train the handoff signal model on the corpus (and the confirmed reviews of companies that opted in) and
write the versioned model file."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from handoff.detection.corpus import LABELS, load_corpus
from handoff.detection.model import DEFAULT_CONFIG, train
from handoff.detection.store import (
    DetectorUnavailable,
    current_version,
    detector_forget,
    detector_load,
    detector_save,
    model_path,
)
from handoff.review.examples import ReviewedTraining, reviewed_training_examples


def reviewed_summary(reviewed: ReviewedTraining) -> str:
    """One line on the reviewed examples, for this command and detection_report."""
    if reviewed.problem:
        return f"Reviewed examples: none, {reviewed.problem}; trained on the corpus alone."
    if not reviewed.companies:
        return "Reviewed examples: none (no company has switched on training from its reviews)."
    left_out = (
        f"; {reviewed.left_out} left out (their text is already in the corpus)" if reviewed.left_out else ""
    )
    return (
        f"Reviewed examples: {len(reviewed.examples)} added from the confirmed reviews of "
        f"{reviewed.companies} compan{'y' if reviewed.companies == 1 else 'ies'} that opted in{left_out}."
    )


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # they build or measure the model the checks need
    help = (
        "Train the handoff signal model on handoff/detection/corpus, plus the confirmed handoff reviews of "
        "companies that switched on training from them, and write the model file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None, help="model file (default: %(default)s)")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only train when the file is missing, unreadable or built from another corpus or config",
        )
        parser.add_argument(
            "--without-reviews", action="store_true", help="train on the corpus alone, whoever opted in"
        )

    def handle(self, *args, out: Path | None, if_missing: bool, without_reviews: bool, **options):
        path = out or model_path()
        if if_missing:
            try:
                detector = detector_load(path, current_version())
            except DetectorUnavailable:
                pass  # missing, unreadable or stale: train it
            else:
                self.stdout.write(f"Handoff detection model is current: {path} (version {detector.version})")
                return
        started = time.perf_counter()
        examples = load_corpus()
        reviewed = ReviewedTraining([], 0, 0) if without_reviews else reviewed_training_examples(examples)
        # Held-out folds for the thresholds, then one scorer per label.
        steps = DEFAULT_CONFIG.threshold_folds
        with tqdm(total=steps + len(LABELS), desc="detection_train", unit="step", leave=False) as bar:
            detector = train(
                examples, DEFAULT_CONFIG, reviewed=reviewed.examples, on_step=lambda _: bar.update()
            )
            detector_save(detector, path)
            detector_forget()
        seconds = time.perf_counter() - started
        if not without_reviews:
            self.stdout.write(reviewed_summary(reviewed))
        counts = ", ".join(f"{label} {detector.counts[label]}" for label in (*LABELS, "none"))
        self.stdout.write(f"Examples per label: {counts}")
        thresholds = ", ".join(f"{label} {value:.2f}" for label, value in detector.thresholds.items())
        self.stdout.write(f"Thresholds (chosen on held-out domains): {thresholds}")
        self.stdout.write(f"Wrote {path} (version {detector.version}) in {seconds:.1f} s")
