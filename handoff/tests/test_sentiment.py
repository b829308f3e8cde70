import pytest

from handoff.sentiment import denies_frustration, dissatisfaction_phrase, frustration_phrase, sentiment_score


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("This is ridiculous, I've been trying to check out for an hour", "ridiculous"),
        ("The reset link doesn't work AGAIN. This is absolutely useless!!", "absolutely useless"),
        ("Your website is terrible and I'm furious", "is terrible"),
        ("I've been trying for an hour", "trying for an hour"),
        ("I have been trying to pay for 45 minutes", "trying to pay for 45 minutes"),
        ("what a waste of time", "waste of time"),
        ("I'm fed up with this", "fed up"),
        ("worst service ever", "worst service"),
        ("This is UNACCEPTABLE", "UNACCEPTABLE"),
        ("so frustrating", "frustrating"),
        ("are you kidding me?", "are you kidding"),
        ("what a joke", "what a joke"),
        ("Is this a joke?", "Is this a joke"),
        ("wtf is going on with my order", "wtf"),
        ("this is bullshit", "bullshit"),
        ("I'm so angry right now", "angry"),
        ("I'm sick and tired of waiting", "sick and tired of"),
        ("Your support is a nightmare", "is a nightmare"),
        ("I hate this website", "I hate this"),
        ("I've been waiting for weeks", "been waiting for weeks"),
        ("This is a disgrace, absolutely pathetic", "This is a disgrace"),
        ("I'm losing my patience", "losing my patience"),
        ("this is driving me crazy", "driving me crazy"),
        ("I'm so done with this", "I'm so done with this"),
        ("I've had it with your company", "I've had it with"),
        ("You people are hopeless", "You people are hopeless"),
        ("I'm extremely unhappy", "extremely unhappy"),
        ("this is not acceptable", "this is not acceptable"),
        ("unbelievable. still no refund", "unbelievable."),
        ("damn it, the link expired again", "damn it"),
        ("I'm really upset", "upset"),
        ("Esto es ridículo", "es ridículo"),
        ("Estoy harto", "Estoy harto"),
        ("C'est ridicule", "C'est ridicule"),
        ("J’en ai marre", "J’en ai marre"),
        ("Das ist lächerlich", "lächerlich"),
        ("Ich habe die Nase voll", "die Nase voll"),
    ],
)
def test_frustration_phrase_quotes_the_customer(text, phrase):
    assert frustration_phrase(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "I'm not upset, I just want to know when the showroom opens",
        "this isn't ridiculous",
        "no problem",
        "not bad at all",
        "I'm not angry at all",
        "It's not frustrating, just curious",
        "The sofa has a terrible stain, how do I clean it?",
        "ridiculously comfortable sofa!",
        "Is the chair useless without the cushion?",
        "I'm not complaining, but when does it ship?",
        "Incredible, thanks!",
        "Unbelievable price for this bike, is it in stock?",
        "Seriously good tent. Do you sell the footprint?",
        "I'm done with the setup, what next?",
        "I'm not done with this yet, one more question",
        "Is it ok if I return it next week?",
        "He's unhappy with the colour, can we exchange it?",
        "What is the worst case delivery time?",
        "How long does standard shipping take?",
        "My order arrived damaged, what should I do?",
        "",
    ],
)
def test_frustration_phrase_ignores_negations_and_calm_questions(text):
    assert frustration_phrase(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "How long does standard shipping take?",
        "My order LL-118842 arrived damaged, what should I do?",
        "My order arrived damaged and broken, what should I do?",
        "I lost my package, what do I do?",
        "Is there a penalty for cancelling an order?",
        "What do I do if the product is faulty or dangerous?",
        "the item is defective and the box was crushed",
        "Why did my payment fail?",
        "I'm not upset, I just want to know when the showroom opens",
        "Thanks, that's all I needed!",
    ],
)
def test_support_problems_alone_do_not_score_as_negative(text):
    assert sentiment_score(text) > -0.5


@pytest.mark.parametrize(
    "text",
    [
        "Your website is terrible and I'm furious",
        "This is the worst service I have ever had",
        "I hate this, nothing works",
        "The reset link doesn't work AGAIN. This is absolutely useless!!",
        "My package was stolen, I'm so frustrated and angry",
        "Ugh. Terrible. Awful. Worst.",
    ],
)
def test_anger_scores_at_or_below_the_default_threshold(text):
    assert sentiment_score(text) <= -0.5


def test_sentiment_score_is_a_compound_in_range():
    assert sentiment_score("") == 0.0
    assert sentiment_score("I love this lamp, thank you so much!") > 0.5
    assert -1.0 <= sentiment_score("terrible awful horrible worst " * 50) <= -0.9


@pytest.mark.parametrize(
    ("text", "denies"),
    [
        ("I'm not upset, I just want to know when the showroom opens", True),
        ("no problem", True),
        ("not bad at all", True),
        ("I'm not angry at all", True),
        ("I'm not upset but this is the worst service", False),
        ("Where is my order?", False),
        ("I'm furious", False),
    ],
)
def test_denies_frustration(text, denies):
    assert denies_frustration(text) is denies


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("That's not what I asked!", "That's not what I asked"),
        ("No, I mean the linen one", "No, I mean"),
        ("It still isn't working", "still isn't working"),
        ("How do I track my order?", None),
        ("I mean, is it waterproof?", None),
    ],
)
def test_dissatisfaction_phrase(text, phrase):
    assert dissatisfaction_phrase(text) == phrase
