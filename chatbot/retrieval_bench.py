"""Synthetic knowledge bases for timing retrieval, used by `manage.py retrieval_bench`.

The text is generated, not real, but shaped like help-centre prose: a few hundred common support and
commerce words drawn with a Zipf distribution, a long tail of product names, and English function
words, so the index has a realistic vocabulary size and posting-list skew at every scale.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate

from chatbot.responders.base import Passage
from chatbot.retrieval import PassageIndex

_COMMON_WORDS = """
order orders account refund return returns delivery shipping package tracking payment card gift code
discount password email address phone support team agent warranty product item items price cost fee fees
invoice receipt subscription plan upgrade downgrade cancel cancellation change update reset login profile
settings page app website checkout cart basket stock size colour color fabric material wood metal glass
ceramic cotton linen furniture lamp chair table sofa bed mattress rug cushion shelf cabinet desk kitchen
bathroom garden outdoor assembly instructions parts screws tools damage damaged broken missing replacement
exchange repair care cleaning wash dry store showroom hours holiday weekend business days week month year
time minutes label box courier carrier driver collection pickup locker station country customs duties tax
taxes vat international domestic express standard free threshold minimum maximum limit balance credit debit
bank transfer paypal voucher newsletter promotion sale clearance bundle offer member loyalty points reward
tier referral friend review rating feedback complaint question answer help guide policy terms privacy data
security verification identity document photo proof purchase date number reference status confirmation
notification message chat call schedule appointment booking reservation availability restock backorder
preorder dispatch warehouse
"""
_FUNCTION_WORDS = (
    "the a an to of and or in on for with your you we our is are can will be it this that from by"
)
_SYLLABLE_TEXT = (
    "ka lo mi ne ra su ti vo ber dan fel gor hal jun kel mor nil pal quin ros sel tav ul wen xan yor zel"
)
_COMMON = _COMMON_WORDS.split()
_FUNCTION = _FUNCTION_WORDS.split()
_SYLLABLES = _SYLLABLE_TEXT.split()


def _tail_words(count: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))))
    return sorted(words)


@dataclass(frozen=True)
class SyntheticCorpus:
    passages: list[Passage]
    queries: list[str]


def synthetic_corpus(size: int, *, queries: int = 200, seed: int = 7) -> SyntheticCorpus:
    """`size` passages of 40-120 words, in articles of 1-5 passages, and questions in the same words."""
    rng = random.Random(seed)
    vocabulary = _COMMON + _tail_words(max(500, size * 2), rng)
    cumulative = list(accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(vocabulary))))

    def words(n: int) -> list[str]:
        return rng.choices(vocabulary, cum_weights=cumulative, k=n)

    def sentence() -> str:
        parts = []
        for word in words(rng.randint(5, 12)):
            parts.append(word)
            if rng.random() < 0.6:
                parts.append(rng.choice(_FUNCTION))
        return " ".join(parts).capitalize() + "."

    passages: list[Passage] = []
    article_id = 0
    while len(passages) < size:
        article_id += 1
        title = " ".join(words(rng.randint(2, 4))).capitalize()
        for n in range(min(rng.randint(1, 5), size - len(passages))):
            text = " ".join(sentence() for _ in range(rng.randint(4, 10)))
            passages.append(Passage(id=f"{article_id}:{n}", article_id=article_id, title=title, text=text))
    questions = [f"How do I {' '.join(words(rng.randint(2, 6)))}?" for _ in range(queries)]
    return SyntheticCorpus(passages=passages, queries=questions)


@dataclass(frozen=True)
class BenchResult:
    passages: int
    build_seconds: float
    query_mean_ms: float
    query_p95_ms: float


def retrieval_bench(
    corpus: SyntheticCorpus,
    *,
    k: int = 4,
    progress: Callable[[list[str]], Iterable[str]] = iter,
) -> BenchResult:
    """Time one index build, then every query of the corpus (wall clock, single thread).

    One untimed query first, so the mean measures steady state rather than the first call's warm-up.
    `progress` wraps the queries (a tqdm bar in the command) once the index is built.
    """
    started = time.perf_counter()
    index = PassageIndex(corpus.passages)
    build_seconds = time.perf_counter() - started
    if corpus.queries:
        index.search(corpus.queries[0], k=k)
    timings: list[float] = []
    for query in progress(corpus.queries):
        started = time.perf_counter()
        index.search(query, k=k)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))] if timings else 0.0
    return BenchResult(
        passages=len(corpus.passages),
        build_seconds=build_seconds,
        query_mean_ms=statistics.fmean(timings) if timings else 0.0,
        query_p95_ms=p95,
    )
