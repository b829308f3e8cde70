"""How questions and articles are turned into comparable terms (``chatbot.terms``)."""

import pytest

from chatbot.terms import follow_up_context, index_terms, query_terms, stem, typo_match


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


@pytest.mark.parametrize(
    ("customer", "article"),
    [("can I get my money back", "refund"), ("can I send it back", "return"), ("my suitcase", "luggage")],
)
def test_everyday_phrasings_meet_the_help_centre_word(customer, article):
    assert set(index_terms(article)) <= set(query_terms(customer))


def test_a_contraction_typed_without_its_apostrophe_is_not_a_topic():
    assert query_terms("whats the fee, i dont know") == query_terms("what's the fee, I don't know")


@pytest.mark.parametrize(
    ("typed", "known", "expected"),
    [
        ("pasword", {"password", "email"}, "password"),
        ("delivry", {"delivery"}, "delivery"),
        ("cancel", {"cancel"}, None),  # known as typed
        ("card", {"cart"}, None),  # too short to tell a slip from another word
        ("bundle", {"bundles", "bundled"}, None),  # two near words: no guess
    ],
)
def test_a_misspelt_word_meets_the_one_known_word_it_is_a_slip_of(typed, known, expected):
    assert typo_match(typed, known) == expected


@pytest.mark.parametrize(
    "question",
    [
        "and how long until it's back on my card?",
        "what about Canada?",
        "ok and returns?",
        "is that free?",
        "can I do it online?",
        "how much?",
    ],
)
def test_a_question_that_leans_on_the_previous_message_takes_it_as_context(question):
    assert follow_up_context(question, "I sent my order back last week") == "I sent my order back last week"


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        ("Do you take cycle to work vouchers at checkout?", "How long does delivery take?"),
        ("and what about Canada?", ""),
    ],
)
def test_a_question_that_names_its_own_subject_stands_alone(question, previous):
    assert follow_up_context(question, previous) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Cuánto tarda la devolución?", ["cuanto", "tarda", "la", "devolucion"]),
        ("Как отменить подписку?", ["как", "отменить", "подписку"]),
        ("मुझे रिफंड चाहिए", ["मुझे", "रिफंड", "चाहिए"]),
        ("上课时间", ["上课", "课时", "时间"]),
        ("無料体験は何日?", ["無料", "料体", "体験", "験は", "は何", "何日"]),
    ],
)
def test_words_of_every_script_are_terms_and_unspaced_scripts_become_character_pairs(text, expected):
    assert query_terms(text) == expected


def test_a_question_in_another_script_meets_the_article_that_shares_its_words():
    article = index_terms("免费试用期为十四天，试用期内可以随时取消。")

    assert set(query_terms("免费试用有几天？")) & set(article) >= {"免费", "试用"}
