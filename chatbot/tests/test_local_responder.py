import pytest

from chatbot.confidence.calibration import shipped_calibration
from chatbot.responders.base import BotProfile, BotReply, Passage, ReplyKind, Turn
from chatbot.responders.local import (
    LocalResponder,
    answer_confidence,
    best_sentences,
    previous_customer_message,
    question_weights,
)
from chatbot.smalltalk import small_talk_kind
from chatbot.tests.bike_shop import ANSWERABLE, UNANSWERABLE, bike_shop_index

BOT = BotProfile(name="Spokes assistant", order_number_pattern=r"SP-\d{5}", currency="EUR")
THRESHOLD = BOT.confidence_threshold


def ask(question: str) -> BotReply:
    passages = bike_shop_index().search(question)
    return LocalResponder().respond(question=question, history=[], passages=passages, bot=BOT)


@pytest.mark.parametrize(
    "text", ["hi", "Hello!", "good morning", "hey there", "hola", "bonjour", "Hi, how are you?"]
)
def test_greeting_is_small_talk_with_full_confidence(text):
    reply = LocalResponder().respond(question=text, history=[], passages=[], bot=BOT)

    assert reply.kind == ReplyKind.GREETING
    assert reply.confidence == 1.0
    assert reply.text == "Hello! I'm Spokes assistant. What can I help you with today?"
    assert reply.passage_ids == []


@pytest.mark.parametrize(
    ("text", "reply_text"),
    [
        ("thanks, that's all I needed!", "You're welcome! If anything else comes up, just ask."),
        ("Thank you", "You're welcome! If anything else comes up, just ask."),
        ("great, bye", "Thanks for chatting with us. Goodbye, and have a great day!"),
        ("ok perfect", "Glad that helped. Is there anything else I can do for you?"),
    ],
)
def test_thanks_and_goodbye_close_with_full_confidence(text, reply_text):
    reply = LocalResponder().respond(question=text, history=[], passages=[], bot=BOT)

    assert (reply.kind, reply.confidence, reply.text) == (ReplyKind.THANKS, 1.0, reply_text)


@pytest.mark.parametrize(
    "text",
    [
        "Hello, my email is ana@example.org and I can't log in",
        "hi, how much does a service cost?",
        "thanks, but where is my bike?",
        "ok can I speak to someone",
        "Good evening, is the workshop open?",
    ],
)
def test_small_talk_with_a_question_is_a_question(text):
    assert small_talk_kind(text) is None


@pytest.mark.parametrize(("question", "title"), ANSWERABLE)
def test_answerable_question_is_answered_confidently_from_the_right_article(question, title):
    reply = ask(question)

    assert reply.kind == ReplyKind.ANSWER
    assert reply.confidence >= THRESHOLD
    assert reply.text.startswith(f"Here's what I found in \u201c{title}\u201d: ")
    assert reply.passage_ids[0].split(":")[0] == str(bike_shop_index().search(question)[0].article_id)


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_question_outside_the_knowledge_base_has_low_confidence(question):
    assert ask(question).confidence < THRESHOLD


def test_answer_quotes_the_overlapping_sentences_without_repeating_the_link():
    reply = ask("How long does delivery take?")

    # The article's URL travels with the answer's sources, shown as links, not in the text.
    assert reply.text == (
        "Here's what I found in \u201cBike delivery\u201d: Delivery takes 4 to 6 working days."
    )
    assert reply.passage_ids == ["4:0"]
    assert reply.responder == "local"


def test_no_passages_gives_zero_confidence_and_an_honest_answer():
    reply = LocalResponder().respond(question="Do you rent kayaks?", history=[], passages=[], bot=BOT)

    assert reply.kind == ReplyKind.ANSWER
    assert reply.confidence == 0.0
    assert reply.passage_ids == []
    assert reply.text.startswith("I'm sorry, I don't know the answer to that")


def test_collected_fields_come_from_the_question():
    reply = ask("My order SP-12345 was delivered, how do I return the bike? Reach me at ana@example.org")

    assert reply.collected == {"email": "ana@example.org", "order_number": "SP-12345"}


def test_confidence_is_zero_without_content_words():
    passages = bike_shop_index().search("bike")

    assert answer_confidence("is it the one?", passages).confidence == 0.0


def test_confidence_falls_when_another_article_fits_as_well():
    top = Passage(id="1:0", article_id=1, title="Tyres", text="Tyres are checked.", score=2.0)
    rival = Passage(id="2:0", article_id=2, title="Tubes", text="Tyres and tubes.", score=2.0)
    same_article = Passage(id="1:1", article_id=1, title="Tyres", text="More on tyres.", score=2.0)

    alone = answer_confidence("tyres checked", [top, same_article])
    tied = answer_confidence("tyres checked", [top, rival])

    assert alone.distinctness == 1.0
    assert tied.distinctness == 0.0
    assert tied.confidence == pytest.approx(alone.confidence * 0.8, abs=0.002)


@pytest.mark.parametrize(
    ("question", "coverage", "title_match"),
    [
        ("Is there a warranty on the frame?", 1.0, 1.0),
        ("Is the frame warranty valid for carbon wheels?", 0.4, 1.0),
        ("What is the warranty policy for rental kayaks?", 0.303, 0.5),
    ],
)
def test_confidence_factors_measure_word_overlap(question, coverage, title_match):
    factors = answer_confidence(question, bike_shop_index().search(question))

    assert (factors.coverage, factors.title_match) == (coverage, title_match)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "tyres and patched tubes",
            [("1:0", ["Tyres are checked monthly."]), ("2:0", ["Tubes are patched."])],
        ),
        ("tyres and tubes", [("1:0", ["Tyres are checked monthly."])]),
        ("tyres checked", [("1:0", ["Tyres are checked monthly."])]),
    ],
)
def test_second_article_adds_a_sentence_only_for_two_shared_words_the_first_leaves_out(question, expected):
    first = Passage(
        id="1:0", article_id=1, title="Tyres", text="Tyres are checked monthly. Bells ring.", score=2.0
    )
    second = Passage(id="2:0", article_id=2, title="Tubes", text="Tubes are patched. Tyres too.", score=1.9)

    groups = best_sentences(question, [first, second])

    assert [(p.id, s) for p, s in groups] == expected


def test_the_article_whose_title_is_the_question_topic_beats_a_rarer_side_word():
    care = Passage(
        id="1:0",
        article_id=1,
        title="Tent and jacket care",
        text="Wash a jacket with a technical wash. Dry tents before storing them.",
        score=1.25,
    )
    returns = Passage(
        id="2:0",
        article_id=2,
        title="Returns",
        text="You can return unused gear within 30 days. Start a return from your order page.",
        score=0.95,
    )
    question = "Can I return a jacket I haven't worn?"

    factors = answer_confidence(question, [care, returns])
    reply = LocalResponder().respond(question=question, history=[], passages=[care, returns], bot=BOT)

    assert factors.passage_id == "2:0"
    assert factors.distinctness == 0.0  # another article scored higher: the answer stays modest
    assert reply.confidence >= THRESHOLD
    assert reply.text.startswith("Here's what I found in \u201cReturns\u201d: ")


def test_a_weak_contender_is_not_picked_over_the_best_match():
    best = Passage(id="1:0", article_id=1, title="Bike delivery", text="Delivery takes 4 days.", score=3.0)
    weak = Passage(id="2:0", article_id=2, title="Delivery", text="Delivery of gift cards.", score=1.0)

    assert answer_confidence("How long does bike delivery take?", [best, weak]).passage_id == "1:0"


def test_words_outside_the_question_sentence_count_half():
    weights = question_weights("My travel agent says I need a bike box. Do bikes arrive in a box?")

    assert weights == {"travel": 0.5, "agent": 0.5, "say": 0.5, "bik": 1.0, "box": 1.0, "arriv": 1.0}
    assert question_weights("Do bikes arrive in a box?") == {"bik": 1.0, "box": 1.0, "arriv": 1.0}
    assert question_weights("Policy on bikes. Thanks.") == {"polici": 0.3, "bik": 1.0}


def test_a_question_after_context_is_answered_from_its_own_words():
    reply = ask("I ride to work every day and my commute is long. Can I pay in instalments?")

    assert reply.confidence >= THRESHOLD
    assert reply.text.startswith("Here's what I found in \u201cPaying in instalments\u201d: ")


def test_a_follow_up_is_answered_from_the_previous_message_s_topic():
    # Given a customer who said what went wrong, then asks how long "it" takes
    history = [Turn("customer", "my tyre has a puncture"), Turn("bot", "Sorry to hear that.")]
    question = "how long does it take?"
    passages = bike_shop_index().search(question, context="my tyre has a puncture")

    # When the responder answers
    reply = LocalResponder().respond(question=question, history=history, passages=passages, bot=BOT)

    # Then the answer comes from the puncture article, not from delivery times
    assert reply.text.startswith("Here's what I found in \u201cPuncture repair\u201d: ")
    assert reply.confidence >= THRESHOLD


def test_the_reported_confidence_is_the_calibrated_one():
    question = "Can I pay in instalments?"
    passages = bike_shop_index().search(question)

    factors = answer_confidence(question, passages)
    reply = LocalResponder().respond(question=question, history=[], passages=passages, bot=BOT)

    assert reply.confidence == factors.calibrated
    assert factors.calibrated == round(shipped_calibration().probability(factors.features()), 3)


def test_previous_customer_message_skips_the_bot_s_turns():
    history = [Turn("customer", "first"), Turn("customer", "second"), Turn("bot", "reply")]

    assert previous_customer_message(history) == "second"
    assert previous_customer_message([]) == ""
