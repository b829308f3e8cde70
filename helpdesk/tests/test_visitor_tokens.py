import time

import pytest
from django.core import signing

from helpdesk.visitor_tokens import (
    InvalidVisitorToken,
    VisitorClaims,
    visitor_token_issue,
    visitor_token_read,
)

CLAIMS = VisitorClaims(tenant_id=1, bot_id=2, contact_id=3, conversation_id=4)


def test_a_token_names_tenant_bot_contact_and_conversation():
    assert visitor_token_read(visitor_token_issue(CLAIMS)) == CLAIMS


def test_a_forged_token_is_refused():
    token = visitor_token_issue(CLAIMS)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(InvalidVisitorToken) as err:
        visitor_token_read(forged)
    assert err.value.reason == "invalid"


def test_a_token_signed_with_another_key_is_refused(settings):
    other = signing.dumps(
        {"t": 1, "b": 2, "v": 3, "c": 4}, key="another-secret", salt="helpdesk.visitor-token"
    )
    with pytest.raises(InvalidVisitorToken) as err:
        visitor_token_read(other)
    assert err.value.reason == "invalid"


def test_a_token_expires_after_the_configured_age(settings, monkeypatch):
    settings.VISITOR_TOKEN_MAX_AGE = 600
    token = visitor_token_issue(CLAIMS)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 599)
    assert visitor_token_read(token) == CLAIMS
    monkeypatch.setattr(signing.time, "time", lambda: now + 601)
    with pytest.raises(InvalidVisitorToken) as err:
        visitor_token_read(token)
    assert err.value.reason == "expired"


def test_a_missing_token_is_refused():
    with pytest.raises(InvalidVisitorToken) as err:
        visitor_token_read("")
    assert err.value.reason == "missing"
