"""How well "low confidence" picks out unanswerable questions on domains the calibration never saw."""

from django.core.management.base import BaseCommand, CommandError

from chatbot.confidence.dataset import calibration_domains
from chatbot.confidence.heldout import Scores, domain_judged, leave_one_domain_out
from chatbot.responders.base import BotProfile


def _figure(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _scores(scores: Scores) -> str:
    return "  ".join(
        _figure(v)
        for v in (scores.flagged_precision, scores.flagged_recall, scores.answerable_kept, scores.auc)
    )


class Command(BaseCommand):
    help = (
        "Leave one domain out: per domain of the calibration set, fit the confidence calibration on the "
        "other domains and report on this one the precision and recall of 'low confidence' for the "
        "questions its knowledge base does not answer, the share of answerable questions kept at or over "
        "the threshold, and the ROC AUC, before (hand-made confidence) and after calibration."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--threshold",
            type=float,
            default=BotProfile.confidence_threshold,
            help="the bot's confidence threshold (default %(default)s)",
        )

    def handle(self, *args, **options):
        threshold = options["threshold"]
        if not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1")
        judged = {domain.domain: domain_judged(domain) for domain in calibration_domains()}
        reports = leave_one_domain_out(judged, threshold)
        self.stdout.write(
            f"Low confidence (< {threshold}) as a detector of unanswerable questions, each domain held out.\n"
            "P: precision of the flagged, R: unanswerable flagged, keep: answerable at or over the "
            "threshold.\n"
        )
        columns = "P     R  keep   AUC"
        header = f"{'domain':<14} {'n':>4} {'unans':>5}   before: {columns}   after: {columns}"
        self.stdout.write(header)
        for report in reports:
            if report.domain == "all":
                self.stdout.write("-" * len(header))
            self.stdout.write(
                f"{report.domain:<14} {report.questions:>4} {report.unanswerable:>5}   "
                f"        {_scores(report.before)}          {_scores(report.after)}"
            )
