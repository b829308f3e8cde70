"""How questions and articles are turned into comparable terms (``chatbot.terms``)."""

import pytest

from chatbot.terms import index_terms, query_terms, stem


@pytest.mark.parametrize(
    ("customer", "article"),
    [
        ("wifi", "Wi-Fi"),
        ("ebike", "e-bike"),
        ("fee", "costs"),
        ("cost", "pricing"),
        ("delivered", "delivery"),
        ("UK", "the United Kingdom"),
        ("EU", "European Union"),
    ],
)
def test_a_customer_word_meets_the_article_word_for_the_same_thing(customer, article):
    assert query_terms(customer) == index_terms(article)[:1]


def test_a_hyphenated_compound_keeps_its_meaningful_parts():
    assert index_terms("e-bike and wi-fi") == ["ebik", "bik", "wifi"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How long does delivery take?", ["deliver", "tak"]),
        ("How soon can you ship?", ["ship"]),
        ("How often do you restock?", ["restock"]),
        ("Is the bed long enough for me?", ["bed", "long", "enough"]),
    ],
)
def test_how_long_asks_for_a_figure_and_is_not_a_topic(question, expected):
    assert query_terms(question) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("delivery", "deliver"), ("recovery", "recover"), ("very", "veri"), ("every", "everi")],
)
def test_ery_nouns_meet_their_verbs(word, expected):
    assert stem(word) == expected
