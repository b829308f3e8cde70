from django.core.management.base import BaseCommand
from tqdm import tqdm

from chatbot.retrieval_bench import retrieval_bench, synthetic_corpus


class Command(BaseCommand):
    help = (
        "Time BM25 index builds and queries on synthetic knowledge bases of 100, 1,000 and 10,000 passages."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
        parser.add_argument("--queries", type=int, default=200)

    def handle(self, *args, **options):
        results = []
        for size in tqdm(options["sizes"], desc="knowledge bases", unit="kb"):
            corpus = synthetic_corpus(size, queries=options["queries"])
            results.append(
                retrieval_bench(
                    corpus,
                    progress=lambda queries, n=size: tqdm(queries, desc=f"{n:,} passages", leave=False),
                )
            )
        self.stdout.write(f"{'passages':>9}  {'build s':>8}  {'mean ms/q':>9}  {'p95 ms/q':>8}")
        for r in results:
            self.stdout.write(
                f"{r.passages:>9,}  {r.build_seconds:>8.3f}  {r.query_mean_ms:>9.3f}  {r.query_p95_ms:>8.3f}"
            )
