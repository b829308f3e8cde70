"""Reading emailed replies: the two input shapes, the ticket reference, and stripping quoted history."""

import pytest

from tickets.inbound import InboundRejected, parse_provider_json, parse_rfc822, reply_text

RAW = b"""From: Ann Lee <Ann@Example.com>
To: support+T-1042@acme.example
Subject: Re: [T-1042] Bent wheel
Message-ID: <reply-1@mail.example.com>
In-Reply-To: <T-1042.t1.abc@acme.example>
References: <T-1042.t1.abc@acme.example>
Content-Type: text/plain; charset=utf-8

It arrived today, thanks!

On Mon, 10 Jun 2024 at 09:00, Acme <help@acme.example> wrote:
> -- Please reply above this line --
> A new wheel is on its way.
"""


def test_a_raw_reply_is_parsed():
    email = parse_rfc822(RAW)
    assert email.sender == "ann@example.com"
    assert email.sender_name == "Ann Lee"
    assert email.subject == "Re: [T-1042] Bent wheel"
    assert email.text == "It arrived today, thanks!"
    assert email.message_id == "<reply-1@mail.example.com>"
    assert email.thread_ids == ("<T-1042.t1.abc@acme.example>",)
    assert email.ticket_number() == 1042


def test_the_number_is_found_in_the_reply_address_when_the_subject_lost_it():
    email = parse_provider_json(
        {"from": "ann@example.com", "to": "Support <support+t-1042@acme.example>", "text": "Hi"}
    )
    assert email.ticket_number() == 1042


def test_no_reference_at_all():
    email = parse_provider_json({"from": "ann@example.com", "subject": "Hello", "text": "Hi"})
    assert email.ticket_number() is None


def test_html_only_mail_is_read_as_text():
    raw = (
        b"From: ann@example.com\nSubject: [T-7]\nContent-Type: text/html; charset=utf-8\n\n"
        b"<p>Fine &amp; dandy</p><blockquote>old stuff</blockquote>"
    )
    assert parse_rfc822(raw).text == "Fine & dandy"


def test_a_multipart_mail_prefers_the_plain_part():
    raw = b"""From: ann@example.com
Subject: [T-7] x
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Plain words
--b
Content-Type: text/html; charset=utf-8

<p>HTML words</p>
--b--
"""
    assert parse_rfc822(raw).text == "Plain words"


@pytest.mark.parametrize(
    "quoted",
    [
        "On Mon, 10 Jun 2024 at 09:00, Acme <help@acme.example> wrote:\n> old",
        "On Mon, 10 Jun 2024 at 09:00, Acme Support <help@acme.example>\nwrote:\n> old",
        "-----Original Message-----\nFrom: Acme\nold",
        "From: Acme <help@acme.example>\nSent: Monday, June 10, 2024 9:00 AM\nTo: Ann\nold",
        "-- Please reply above this line --\nold",
        "-- \nAnn Lee\nCEO, Ann's Bikes",
        "> old\n> older",
    ],
)
def test_quoted_history_is_stripped(quoted):
    assert reply_text(f"Thanks, it arrived.\r\nAll good.\n\n{quoted}") == "Thanks, it arrived.\nAll good."


def test_a_line_from_the_customer_that_starts_with_from_is_kept():
    assert (
        reply_text("From: my other address, see below\nThanks") == "From: my other address, see below\nThanks"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The message is empty."),
        (b"just some text without headers", "no headers or no From header"),
        (b"Subject: hi\n\nbody", "no headers or no From header"),
        (b"From: not-an-address\nSubject: [T-1]\n\nbody", "no valid From address"),
    ],
)
def test_malformed_raw_messages_are_refused(raw, message):
    with pytest.raises(InboundRejected, match=message) as info:
        parse_rfc822(raw)
    assert (info.value.code, info.value.http_status) == ("malformed", 400)


def test_a_reply_with_only_quoted_text_is_refused():
    with pytest.raises(InboundRejected) as info:
        parse_rfc822(b"From: ann@example.com\nSubject: [T-1]\n\n> everything quoted\n")
    assert info.value.code == "empty_body"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be an object"),
        ({"text": "hi"}, "'from' is required"),
        ({"from": 42, "text": "hi"}, "wrong type: from"),
        ({"from": "a@b.example", "text": "hi", "headers": ["x"]}, "wrong type: headers"),
        ({"from": "a@b.example", "text": "hi", "to": [1]}, "wrong type: to"),
    ],
)
def test_malformed_json_is_refused_with_the_field_at_fault(data, message):
    with pytest.raises(InboundRejected, match=message) as info:
        parse_provider_json(data)
    assert info.value.code == "malformed"


def test_json_headers_are_read_in_any_case():
    email = parse_provider_json(
        {
            "from": "ann@example.com",
            "subject": "Re: hello",
            "text": "ok",
            "headers": {"message-id": "<m1@x>", "IN-REPLY-TO": "<a@x>", "References": "<z@x> <a@x>"},
        }
    )
    assert (email.message_id, email.thread_ids) == ("<m1@x>", ("<a@x>", "<z@x>"))
    assert email.text == "ok"
