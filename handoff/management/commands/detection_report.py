"""Leave-one-domain-out evaluation of the handoff signal model on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from handoff.detection.corpus import LABELS, load_corpus
from handoff.detection.evaluation import leave_one_domain_out, report, reviewed_effect
from handoff.detection.model import DEFAULT_CONFIG
from handoff.detection.signals import HANDOFF_REASONS
from handoff.management.commands.detection_train import reviewed_summary
from handoff.review.examples import ReviewedTraining, reviewed_training_examples


def _prf(rates: dict) -> str:
    return f"{rates['precision']:>6.3f} {rates['recall']:>6.3f} {rates['f1']:>6.3f} {rates['support']:>6}"


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # they build or measure the model the checks need
    help = (
        "Train on all domains but one, test on that one, for each domain: precision and recall per label, "
        "reason, domain and language, and the false-handoff rate on negatives; with confirmed reviews of "
        "companies that opted in, what they change on those reviewed messages."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="json_out", type=Path, default=None, help="write the figures here")
        parser.add_argument("--without-reviews", action="store_true", help="leave reviewed examples out")

    def handle(self, *args, json_out: Path | None, without_reviews: bool, **options):
        examples = load_corpus()
        reviewed = ReviewedTraining([], 0, 0) if without_reviews else reviewed_training_examples(examples)
        domains = sorted({e.domain for e in examples})
        with tqdm(total=len(domains), desc="held-out domains", unit="fold", leave=False) as bar:
            predictions = leave_one_domain_out(examples, DEFAULT_CONFIG, on_fold=lambda _: bar.update())
        figures = report(predictions, DEFAULT_CONFIG)
        write = self.stdout.write
        write(f"Leave-one-domain-out over {len(domains)} domains, {figures['lines']} held-out lines")
        write(f"\n{'label':<22} {'prec':>6} {'recall':>6} {'f1':>6} {'lines':>6}")
        for label in LABELS:
            write(f"{label:<22} {_prf(figures['labels'][label])}")
        write(f"\n{'reason':<22} {'prec':>6} {'recall':>6} {'f1':>6} {'lines':>6}")
        for reason in HANDOFF_REASONS:
            if figures["reasons"][reason]["support"]:
                write(f"{reason:<22} {_prf(figures['reasons'][reason])}")
        write(f"{'any handoff':<22} {_prf(figures['handoff'])}")
        for title, key in (("domain", "domains"), ("language", "languages")):
            write(
                f"\n{title:<16} {'lines':>5} {'hand-P':>6} {'hand-R':>6} {'mF1':>6} "
                f"{'req-F1':>6} {'sens-F1':>7} {'neg-F1':>6} {'rep-F1':>6} {'FH[]':>6} {'FHhard':>6}"
            )
            for name, row in figures[key].items():
                reasons = row["reasons"]
                write(
                    f"{name:<16} {row['lines']:>5} {row['handoff']['precision']:>6.3f} "
                    f"{row['handoff']['recall']:>6.3f} {row['macro_reason']['f1']:>6.3f} "
                    f"{reasons['explicit_request']['f1']:>6.3f} {reasons['sensitive_topic']['f1']:>7.3f} "
                    f"{reasons['negative_sentiment']['f1']:>6.3f} {reasons['repeated_failure']['f1']:>6.3f} "
                    f"{row['false_handoff_negatives']:>6.3f} {row['false_handoff_hard']:>6.3f}"
                )
        negatives, hard = figures["false_handoff_negatives"], figures["false_handoff_hard"]
        write(
            f"\nFalse handoffs: {negatives['rate']:.3f} of {negatives['lines']} lines labelled [], "
            f"{hard['rate']:.3f} of {hard['lines']} hard negatives; mean average precision over labels "
            f"{figures['average_precision']:.3f}"
        )
        if not without_reviews:
            write("\n" + reviewed_summary(reviewed))
        if reviewed.examples:
            with tqdm(total=6, desc="reviewed examples", unit="model", leave=False) as bar:
                effect = reviewed_effect(
                    examples, reviewed.examples, DEFAULT_CONFIG, on_step=lambda _: bar.update()
                )
            figures["reviewed"] = effect
            write(
                f"On the {effect['examples']} reviewed messages, each judged by a model that did not see it:"
            )
            write(f"{'':<22} {'hand-P':>6} {'hand-R':>6} {'signals':>7} {'FHhard':>6} {'hard':>5}")
            for side, title in (("without", "corpus alone"), ("with", "with the other reviews")):
                rates, hard = effect[side]["handoff"], effect[side]["false_handoff_hard"]
                write(
                    f"{title:<22} {rates['precision']:>6.3f} {rates['recall']:>6.3f} {rates['support']:>7} "
                    f"{hard['rate']:>6.3f} {hard['lines']:>5}"
                )
        if json_out is not None:
            json_out.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
            write(f"Wrote {json_out}")
        label, reason = figures["macro_label"], figures["macro_reason"]
        write(
            f"Macro over labels P {label['precision']:.3f} R {label['recall']:.3f} F1 {label['f1']:.3f}; "
            f"over reasons P {reason['precision']:.3f} R {reason['recall']:.3f} F1 {reason['f1']:.3f}"
        )
