"""Train the handoff signal model on the whole corpus and write the versioned model file."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from handoff.detection.corpus import LABELS, load_corpus
from handoff.detection.model import DEFAULT_CONFIG, train
from handoff.detection.store import detector_ensure, detector_save, model_path


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # they build or measure the model the checks need
    help = "Train the handoff signal model on handoff/detection/corpus and write the model file."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None, help="model file (default: %(default)s)")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only train when the file is missing, unreadable or built from another corpus or config",
        )

    def handle(self, *args, out: Path | None, if_missing: bool, **options):
        path = out or model_path()
        started = time.perf_counter()
        # Held-out folds for the thresholds, then one scorer per label.
        steps = DEFAULT_CONFIG.threshold_folds
        with tqdm(total=steps + len(LABELS), desc="detection_train", unit="step", leave=False) as bar:
            if if_missing:
                detector, trained = detector_ensure(path, on_step=lambda _: bar.update())
                if not trained:
                    self.stdout.write(
                        f"Handoff detection model is current: {path} (version {detector.version})"
                    )
                    return
            else:
                examples = load_corpus()
                detector = train(examples, DEFAULT_CONFIG, on_step=lambda _: bar.update())
                detector_save(detector, path)
        seconds = time.perf_counter() - started
        counts = ", ".join(f"{label} {detector.counts[label]}" for label in (*LABELS, "none"))
        self.stdout.write(f"Examples per label: {counts}")
        thresholds = ", ".join(f"{label} {value:.2f}" for label, value in detector.thresholds.items())
        self.stdout.write(f"Thresholds (chosen on held-out domains): {thresholds}")
        self.stdout.write(f"Wrote {path} (version {detector.version}) in {seconds:.1f} s")
