import pytest

from helpdesk.errors import InvalidInput
from helpdesk.models import Message
from helpdesk.services import message_create, message_text_clean
from tests.support.db import every_tenant


@pytest.fixture
def conversation(make_tenant, make_bot):
    from helpdesk.services import contact_create, conversation_start

    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    return conversation_start(tenant=tenant, bot_id=bot.pk, contact=contact_create(tenant=tenant))


def test_messages_get_consecutive_seqs_per_conversation(conversation):
    seqs = [
        message_create(conversation=conversation, author_kind=Message.Author.CUSTOMER, body=f"m{i}")[0].seq
        for i in range(5)
    ]
    conversation.refresh_from_db()
    assert seqs == [1, 2, 3, 4, 5]
    assert conversation.last_seq == 5


def test_a_resend_with_the_same_client_msg_id_returns_the_stored_message(conversation):
    first, created_first = message_create(
        conversation=conversation, author_kind=Message.Author.CUSTOMER, body="hello", client_msg_id="abc"
    )
    again, created_again = message_create(
        conversation=conversation, author_kind=Message.Author.CUSTOMER, body="hello", client_msg_id="abc"
    )
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert every_tenant(Message).filter(conversation=conversation).count() == 1
    conversation.refresh_from_db()
    assert conversation.last_seq == 1


def test_the_same_client_msg_id_in_another_conversation_is_another_message(conversation, make_bot):
    from helpdesk.services import contact_create, conversation_start

    other = conversation_start(
        tenant=conversation.tenant,
        bot_id=conversation.bot_id,
        contact=contact_create(tenant=conversation.tenant),
    )
    a, _ = message_create(conversation=conversation, author_kind="customer", body="x", client_msg_id="same")
    b, _ = message_create(conversation=other, author_kind="customer", body="x", client_msg_id="same")
    assert a.pk != b.pk
    assert (a.seq, b.seq) == (1, 1)


@pytest.mark.parametrize(
    ("text", "code_fragment"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 4001, "limit is 4000"), (None, "string"), (42, "string")],
)
def test_bad_text_is_refused_with_a_clear_message(text, code_fragment):
    with pytest.raises(InvalidInput) as err:
        message_text_clean(text)
    assert code_fragment in err.value.message


def test_text_at_the_limit_is_accepted():
    assert message_text_clean(" " + "x" * 4000 + " ") == "x" * 4000


def test_a_rule_pattern_with_nested_quantifiers_is_refused_naming_its_line():
    from django.core.exceptions import ValidationError

    from helpdesk.validators import validate_safe_regex_lines

    validate_safe_regex_lines("chargeback\nrefund\\s+now")
    with pytest.raises(ValidationError) as err:
        validate_safe_regex_lines("fine\n(a+)+$")
    assert err.value.messages[0].startswith("Line 2: Nested quantifiers")
