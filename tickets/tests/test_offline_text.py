import pytest

from tickets.offline_text import ask_email_text, contact_reply_parse, ticket_opened_text


@pytest.mark.parametrize(
    ("text", "email", "name"),
    [
        ("ann@example.org", "ann@example.org", ""),
        ("Sure, it's Ann.Lee@Example.org", "ann.lee@example.org", ""),
        ("my email is ann@example.org and my name is Ann Lee", "ann@example.org", "Ann Lee"),
        ("I'm Bob, bob@shop.example", "bob@shop.example", "Bob"),
        ("sorry, wrong one: ann@example.org.", "ann@example.org", ""),
    ],
)
def test_emails_and_names_are_read(text, email, name):
    reply = contact_reply_parse(text)
    assert (reply.email, reply.name, reply.bad_email) == (email, name, "")


@pytest.mark.parametrize("text", ["ann@example", "ann@@example.org", "it's ann@"])
def test_a_broken_address_is_reported_not_taken(text):
    reply = contact_reply_parse(text)
    assert reply.email == ""
    assert reply.bad_email


@pytest.mark.parametrize(
    ("text", "name", "skip"),
    [
        ("Ann", "Ann", False),
        ("ann lee", "Ann Lee", False),
        ("skip", "", True),
        ("No thanks", "", True),
        ("I'd rather not", "", True),
        ("my name is Zoë", "Zoë", False),
        ("ok", "", False),
    ],
)
def test_names_and_skips_when_the_name_was_asked(text, name, skip):
    reply = contact_reply_parse(text, expecting_name=True)
    assert (reply.name, reply.skip) == (name, skip)


def test_a_plain_word_is_not_a_name_unless_the_name_was_asked():
    assert contact_reply_parse("Ann").name == ""


def test_the_confirmation_without_a_time_promises_the_reply_once():
    text = ticket_opened_text(reference="T-7", name="", email="ann@example.org", by_email=False, back="")
    assert text == (
        "Thanks. I've opened ticket T-7 with our whole conversation. "
        "The team will reply to ann@example.org as soon as someone is available."
    )


def test_the_confirmation_with_business_hours_says_when_the_team_is_back():
    text = ticket_opened_text(
        reference="T-7",
        name="Ann",
        email="ann@example.org",
        by_email=True,
        back="We're back Monday at 9:00 (New York time)",
    )
    assert text == (
        "Thanks, Ann. I've opened ticket T-7 with our whole conversation. I've emailed you a copy of this "
        "conversation at ann@example.org, and the team will reply there. "
        "We're back Monday at 9:00 (New York time)."
    )


@pytest.mark.parametrize("by_email", [False, True])
def test_the_confirmation_says_each_thing_once(by_email):
    text = ticket_opened_text(reference="T-7", name="", email="a@example.org", by_email=by_email, back="")
    assert text.lower().count("reply") == 1
    assert "follow up" not in text


def test_the_request_for_an_email_promises_the_reply_once():
    text = ask_email_text("Our support team isn't available right now.", "")
    assert text == (
        "Our support team isn't available right now. If you leave your email address (and your name, if "
        "you like), I'll open a ticket with this whole conversation and the team will get back to you."
    )
