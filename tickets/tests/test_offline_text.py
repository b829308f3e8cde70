import pytest

from tickets.offline_text import contact_reply_parse


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
