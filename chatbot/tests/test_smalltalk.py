"""What counts as small talk (``chatbot.smalltalk``), so it is answered warmly instead of searched for."""

import pytest

from chatbot.responders.base import ReplyKind
from chatbot.smalltalk import small_talk_kind, small_talk_reply


@pytest.mark.parametrize(
    "text",
    [
        "hello, I'm maria.gomez@example.com",
        "Hi, I'm Maria",
        "Hi, it's Sam Rivera here",
        "Hi, my name is sam",
        "Hi, my order number is RW20331902",
        "hello, order RW20331902",
        "Good morning, my account number is 12345",
    ],
)
def test_a_greeting_that_says_who_the_customer_is_is_still_a_greeting(text):
    assert small_talk_kind(text) == ReplyKind.GREETING


@pytest.mark.parametrize(
    "text",
    [
        "perfect, all working now",
        "ok that worked, thanks",
        "great, it works now",
        "all sorted",
        "makes sense, cheers",
        "sounds good",
    ],
)
def test_saying_it_worked_closes_the_conversation(text):
    assert small_talk_kind(text) == ReplyKind.THANKS


@pytest.mark.parametrize(
    "text",
    [
        "hi I'm stuck",
        "Hi, I'm Locked out",
        "Hello, my email is sam.rivera@example.org and I can't log in",
        "my order is late",
        "hi, my order is RW20331902 and it is late",
        "it works now but the light is red",
        "thanks, but where is my bike?",
    ],
)
def test_a_question_or_a_problem_is_not_small_talk(text):
    assert small_talk_kind(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "hello, got a couple of things to ask",
        "hi there, quick question",
        "hey, I need some help",
        "Hi! I've got a few questions for you",
        "good morning, can you help me please?",
        "hello, can I ask you something?",
        "Hola, tengo un par de dudas",
        "buenas, ¿me puedes ayudar?",
        "Bonjour, j'ai une petite question",
        "Salut, j'ai besoin d'aide",
        "Hallo, ich habe ein paar Fragen",
        "Guten Tag, können Sie mir helfen?",
        "Ciao, ho una domanda veloce",
        "buongiorno, volevo chiedere una cosa",
        "Olá, tenho uma dúvida",
        "oi, preciso de ajuda",
        "Hoi, ik heb een vraagje",
        "goedemorgen, kunt u mij helpen?",
    ],
)
def test_a_greeting_that_announces_a_question_invites_it(text):
    assert small_talk_reply(text, "Ada") == (
        ReplyKind.GREETING,
        "Hello! I'm Ada. Of course: go ahead, what would you like to ask?",
    )


@pytest.mark.parametrize(
    "text",
    [
        "hi, I have a question about my refund",
        "hello, I need help with my password",
        "hi, quick question: do you ship to Canada?",
        "hey, I have a problem with my order",
        "Hola, tengo una pregunta sobre mi factura",
        "Hallo, ich habe eine Frage zu meiner Rechnung",
    ],
)
def test_an_announcement_that_names_its_subject_is_a_question(text):
    assert small_talk_kind(text) is None
