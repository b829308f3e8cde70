"""Rate limits degrade, never fail, when the shared cache (Redis) is unreachable."""

from __future__ import annotations

import logging
import socket

import pytest

from helpdesk.api import throttling
from helpdesk.models import Conversation
from helpdesk.visitor_tokens import visitor_token_read
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def closed_loopback_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once, like a dead Redis."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_loopback_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    throttling.fallback_cache.clear()
    throttling.cache_outage.reset()
    yield
    throttling.fallback_cache.clear()
    throttling.cache_outage.reset()


def open_session(client, bot, address: str = "198.51.100.4"):
    return client.post(
        "/api/v1/widget/sessions/",
        {"bot_key": bot.public_key},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def visitors(responses) -> int:
    """How many visitors' sessions the responses opened (each new visitor has a nonce of their own)."""
    return len({visitor_token_read(r.json()["token"]).nonce for r in responses if r.status_code == 201})


def test_widget_sessions_open_while_the_cache_is_down(client, bot, dead_redis_cache, caplog):
    caplog.set_level(logging.WARNING, logger="helpdesk.shared_cache")

    responses = [open_session(client, bot) for _ in range(3)]

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert visitors(responses) == 3
    assert every_tenant(Conversation).filter(bot=bot).count() == 0  # opening the widget stores nothing
    warnings = [r for r in caplog.records if r.name == "helpdesk.shared_cache"]
    assert len(warnings) == 1
    assert "falling back in this process" in warnings[0].getMessage()


def test_the_limit_still_holds_per_process_while_the_cache_is_down(client, bot, settings, dead_redis_cache):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"widget": "2/min"}}

    responses = [open_session(client, bot) for _ in range(3)]

    assert [r.status_code for r in responses] == [201, 201, 429]
    responses.append(open_session(client, bot, address="198.51.100.5"))
    assert responses[-1].status_code == 201
    assert visitors(responses) == 3


def test_after_a_timeout_the_shared_cache_is_left_alone_for_a_while(client, bot, settings):
    """A Redis that accepts connections and never answers: only the first request waits for it."""
    throttling.cache_outage.reset()
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }

        statuses = [open_session(client, bot).status_code for _ in range(3)]

        silent.setblocking(False)
        attempts = 0
        while True:
            try:
                silent.accept()[0].close()
            except BlockingIOError:
                break
            attempts += 1
    throttling.cache_outage.reset()
    throttling.fallback_cache.clear()

    assert statuses == [201, 201, 201]
    assert attempts == 1
