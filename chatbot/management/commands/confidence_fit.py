"""Fit the local responder's confidence calibration on the whole calibration set and ship it."""

from django.core.management.base import BaseCommand

from chatbot.confidence.calibration import CALIBRATION_FILE
from chatbot.confidence.dataset import calibration_domains
from chatbot.confidence.heldout import calibration_fitted, domain_judged


class Command(BaseCommand):
    help = (
        "Fit the local responder's confidence calibration (logistic regression) on every domain of "
        "chatbot/confidence/domains and write chatbot/confidence/calibration.json. Deterministic."
    )

    def handle(self, *args, **options):
        domains = calibration_domains()
        judged = [j for domain in domains for j in domain_judged(domain)]
        calibration = calibration_fitted(judged)
        CALIBRATION_FILE.write_text(calibration.as_json() + "\n", encoding="utf-8")
        terms = ", ".join(
            f"{name} {c:+.3f}" for name, c in zip(calibration.features, calibration.coefficients, strict=True)
        )
        self.stdout.write(
            f"Fitted on {len(judged)} questions of {len(domains)} domains: intercept "
            f"{calibration.intercept:+.3f}, {terms}. Wrote {CALIBRATION_FILE.name}."
        )
