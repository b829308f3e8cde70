import threading

import pytest

from chatbot.responders.base import Passage
from chatbot.retrieval import IndexCache, PassageIndex, _blocks, split_passages
from chatbot.retrieval_bench import retrieval_bench, synthetic_corpus
from chatbot.terms import index_terms, query_terms, stem
from chatbot.tests.bike_shop import ANSWERABLE, bike_shop_index, bike_shop_passages


def words(n: int, word: str = "spoke") -> str:
    return " ".join([word] * n) + "."


def test_short_paragraphs_merge_into_one_passage():
    body = "Bikes ship in a box.\n\nPedals are included.\n\nTools too."

    passages = split_passages(7, "Delivery", body, "https://bikes.example/d")

    assert passages == [
        Passage(
            id="7:0",
            article_id=7,
            title="Delivery",
            text="Bikes ship in a box.\nPedals are included.\nTools too.",
            url="https://bikes.example/d",
        )
    ]


def test_heading_starts_a_passage_once_the_current_one_is_long_enough():
    body = f"{words(40)}\n\n## Second part\n\n{words(5, 'gear')}"

    passages = split_passages(1, "Guide", body, max_words=100)

    assert [p.id for p in passages] == ["1:0", "1:1"]
    assert passages[1].text == "Second part\ngear gear gear gear gear."


def test_heading_after_a_short_section_stays_in_the_same_passage():
    body = "# Intro\n\nHello riders.\n\n## Brakes\n\nCheck the pads."

    passages = split_passages(1, "Guide", body)

    assert [p.text for p in passages] == ["Intro\nHello riders.\nBrakes\nCheck the pads."]


def test_paragraphs_are_merged_up_to_max_words():
    body = "\n\n".join(words(30) for _ in range(5))

    passages = split_passages(1, "Guide", body, max_words=100)

    assert [len(p.text.split()) for p in passages] == [90, 60]


def test_long_paragraph_is_cut_at_sentence_ends():
    body = " ".join(f"Sentence number {n} has exactly seven words." for n in range(30))

    passages = split_passages(1, "Guide", body, max_words=50)

    assert len(passages) == 5
    assert all(len(p.text.split()) <= 50 for p in passages)
    assert all(p.text.endswith("words.") for p in passages)


def test_markdown_is_reduced_to_plain_text():
    body = (
        "Read **the** [size chart](https://x.example/c) first.\n\n- Measure `inseam`\n- Pick _a_ frame\n\n---"
    )

    passages = split_passages(1, "Sizing", body)

    assert passages[0].text == "Read the size chart first.\nMeasure inseam\nPick a frame"


def test_headings_and_paragraphs_are_read_in_order():
    body = "# Returns\n\nSend it back\nwithin 30 days.\n\n## Refunds   ##\n\nPaid in 5 days."

    assert _blocks(body) == [
        (True, "Returns"),
        (False, "Send it back\nwithin 30 days."),
        (True, "Refunds"),
        (False, "Paid in 5 days."),
    ]


def test_setext_heading_is_a_heading():
    assert _blocks("Frame sizes\n===========\n\nMeasure first.") == [
        (True, "Frame sizes"),
        (False, "Measure first."),
    ]


def test_a_list_is_one_block_with_a_line_per_item():
    body = (
        "Before you ride:\n\n"
        "1. Pump the tyres\n2. Check the brakes\n   - front\n   - rear\n3. Go\n\n"
        "* * *\n\nDone."
    )

    assert _blocks(body) == [
        (False, "Before you ride:"),
        (False, "Pump the tyres\nCheck the brakes\nfront\nrear\nGo"),
        (False, "Done."),
    ]


def test_links_images_and_emphasis_are_reduced_to_their_text():
    body = "See **the** [size *chart*](https://x.example/c) ![frame diagram](f.png) and `inseam`, <https://x.example>."

    assert _blocks(body) == [(False, "See the size chart frame diagram and inseam, https://x.example.")]


def test_code_is_a_paragraph_of_its_content():
    body = "Reset the computer:\n\n```sh\nbikectl reset --all\n```\n\n    indented code"

    assert _blocks(body) == [
        (False, "Reset the computer:"),
        (False, "bikectl reset --all"),
        (False, "indented code"),
    ]


def test_a_quote_is_read_as_its_paragraphs():
    assert _blocks("> Keep the **receipt**.\n>\n> It is your warranty.") == [
        (False, "Keep the receipt."),
        (False, "It is your warranty."),
    ]


def test_a_table_is_one_block_with_a_line_per_row():
    body = "| Plan | Price |\n|---|---|\n| Basic | 5 |\n| Pro | 9 |"

    assert _blocks(body) == [(False, "Plan | Price\nBasic | 5\nPro | 9")]


def test_raw_html_is_kept_as_text():
    body = "<div>\nOpen <b>daily</b>\n</div>\n\n<script>alert(1)</script>"

    passages = split_passages(1, "Hours", body)

    assert passages[0].text == "<div>\nOpen <b>daily</b>\n</div>\n<script>alert(1)</script>"


def test_empty_headings_and_breaks_give_no_blocks():
    assert _blocks("#\n\n##   \n\n---\n\n***\n\nText.") == [(False, "Text.")]


@pytest.mark.parametrize("body", ["", "   \n\n  ", "# Only a heading"])
def test_article_without_text_has_no_passages(body):
    assert split_passages(1, "Empty", body) == []


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["shipping", "ships", "shipped", "ship"], "ship"),
        (["cancelling", "cancelled", "cancels"], "cancel"),
        (["returns", "returned", "returning"], "return"),
        (["deliveries", "delivery", "delivered", "deliver"], "deliver"),
    ],
)
def test_stem_maps_word_forms_to_one_key(forms, expected):
    assert {stem(form) for form in forms} == {expected}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where is my parcel?", ["packag"]),
        ("I can't log in, my email is ana@example.org", ["login", "email"]),
        ("Please help, I bought a bike 3 days ago", ["bik"]),
        ("What colour is the frame?", ["color", "fram"]),
        ("the and of to", []),
    ],
)
def test_query_terms_keep_only_content_words(question, expected):
    assert query_terms(question) == expected


def test_title_is_indexed_with_each_passage():
    assert index_terms("Frame warranty\nFrames carry a warranty.") == [
        "fram",
        "warranti",
        "fram",
        "carri",
        "warranti",
    ]


@pytest.mark.parametrize(("question", "title"), ANSWERABLE)
def test_search_ranks_the_answering_article_first(question, title):
    results = bike_shop_index().search(question)

    assert results[0].title == title


def test_search_returns_scored_copies_best_first():
    index = bike_shop_index()

    results = index.search("bike delivery box", k=3)

    assert len(results) == 3
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    assert all(r.score > 0 for r in results)
    assert all(p.score == 0.0 for p in index.passages)


def test_search_returns_only_passages_sharing_a_word():
    results = bike_shop_index().search("kayak sealant", k=10)

    assert [r.title for r in results] == ["Puncture repair"]


@pytest.mark.parametrize("query", ["kayak rental snowboard", "", "?!", "the of and"])
def test_search_without_known_words_returns_nothing(query):
    assert bike_shop_index().search(query) == []


def test_empty_index_returns_nothing():
    index = PassageIndex([])

    assert len(index) == 0
    assert index.search("bike") == []


def test_k_larger_than_the_index_returns_every_match():
    passages = split_passages(1, "Tyres", "Tyres wear out.") + split_passages(2, "Tubes", "Tubes and tyres.")

    results = PassageIndex(passages).search("tyres", k=50)

    assert [r.id for r in results] == ["1:0", "2:0"]


def test_cache_reuses_the_index_while_the_version_holds():
    cache = IndexCache()
    builds = []

    def build():
        builds.append(1)
        return bike_shop_passages()

    first = cache.get("bot-1", "v1", build)
    second = cache.get("bot-1", "v1", build)

    assert first is second
    assert len(builds) == 1


def test_cache_rebuilds_when_the_version_changes():
    cache = IndexCache()
    old = cache.get("bot-1", "3:2024-01-01", bike_shop_passages)

    new = cache.get("bot-1", "4:2024-01-02", lambda: split_passages(1, "Kayaks", "We now rent kayaks."))

    assert new is not old
    assert new.search("kayak")[0].title == "Kayaks"
    assert cache.get("bot-1", "4:2024-01-02", bike_shop_passages) is new


def test_cache_keeps_one_index_per_key_and_drops_the_least_recently_used():
    cache = IndexCache(max_entries=2)
    a = cache.get("a", "1", bike_shop_passages)
    cache.get("b", "1", bike_shop_passages)
    cache.get("a", "1", bike_shop_passages)
    cache.get("c", "1", bike_shop_passages)

    assert cache.get("a", "1", list) is a
    assert len(cache.get("b", "1", list)) == 0


def test_concurrent_requests_for_a_stale_key_build_once():
    cache = IndexCache()
    builds = []
    start = threading.Barrier(8)
    results = []

    def build():
        builds.append(1)
        return bike_shop_passages()

    def worker():
        start.wait()
        results.append(cache.get("bot", "v", build))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(builds) == 1
    assert len({id(index) for index in results}) == 1


def test_synthetic_corpus_has_the_requested_size_and_is_searchable():
    corpus = synthetic_corpus(60, queries=5)

    result = retrieval_bench(corpus)

    assert len(corpus.passages) == 60
    assert len({p.id for p in corpus.passages}) == 60
    assert result.passages == 60
    assert result.query_p95_ms >= 0


def test_a_follow_up_is_retrieved_with_the_words_of_the_previous_message():
    index = bike_shop_index()
    question, previous = "how long does it take?", "my tyre has a puncture"

    alone = index.search(question)
    followed = index.search(question, context=previous)

    assert alone[0].title == "Bike delivery"
    assert followed[0].title == "Puncture repair"


def test_the_previous_message_is_ignored_when_the_question_stands_alone():
    index = bike_shop_index()
    question = "Do you take cycle to work vouchers at checkout?"

    assert index.search(question, context="my tyre has a puncture") == index.search(question)


def test_a_misspelt_question_finds_its_article():
    assert "puncur" not in set(index_terms("Puncture repair: punctures"))  # typed "puncure", one letter out
    assert bike_shop_index().search("my puncure")[0].title == "Puncture repair"
