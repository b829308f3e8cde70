"""Time the inline part of the handoff detection per message (the rule floor and the signal model, as the
customer message path runs it): mean, p50 and p99 in microseconds."""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand

from handoff.detection.corpus import load_corpus
from handoff.detection.reading import read_message
from handoff.detection.signals import DetectionContext, DetectionSettings, SensitiveRule
from handoff.detection.store import detector_get


def _percentile(ordered: list[int], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # they build or measure the model the checks need
    help = "Time read_message() over corpus messages (and longer ones of two or three) after a warm-up."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=5000)

    def handle(self, *args, messages: int, **options):
        detector = detector_get()
        texts = [e.text for e in load_corpus()]
        rng = random.Random(7)
        # Real customer messages are sometimes several sentences: a third are two or three corpus lines.
        sample = [" ".join(rng.sample(texts, rng.choice((1, 1, 2, 3)))) for _ in range(messages)]
        # A bot with a few keyword rules of its admin, as a real one has.
        rules = (
            SensitiveRule("recall", "product recall", keywords=("recall notice", "safety recall")),
            SensitiveRule("press", "press enquiry", patterns=(r"\b(?:journalist|reporter|press office)\b",)),
        )
        context, settings = DetectionContext(), DetectionSettings(rules=rules)
        for text in sample[:200]:
            read_message(text, context, settings, detector)
        wall, cpu, quiet, fired = [], [], [], 0
        for text in sample:
            started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
            signals = read_message(text, context, settings, detector).signals
            cpu.append(time.thread_time_ns() - started_cpu)
            wall.append(time.perf_counter_ns() - started)
            fired += bool(signals)
            if not signals:
                quiet.append(cpu[-1])
        rows = (
            ("wall, every message", sorted(wall)),
            ("cpu, every message", sorted(cpu)),
            ("cpu, messages without a signal", sorted(quiet)),
        )
        for name, values in rows:
            if values:
                self.stdout.write(
                    f"read_message() {name}: mean {sum(values) / len(values) / 1000:.0f} µs, "
                    f"p50 {_percentile(values, 0.5):.0f} µs, p99 {_percentile(values, 0.99):.0f} µs"
                )
        cache = detector.word_features.cache_info()
        self.stdout.write(f"word cache: {cache.hits} hits, {cache.misses} misses, {cache.currsize} words")
        average = sum(len(t) for t in sample) / len(sample)
        self.stdout.write(
            f"{len(sample)} messages (mean {average:.0f} characters), {fired} with a signal; "
            "cpu is the thread's own time, wall includes waiting for a busy machine; a message with a "
            "signal also pays for the words quoted as evidence (it is handed off)"
        )
