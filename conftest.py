"""Fixtures shared by every app's tests, and the rule for tests that need a real service.

Tests marked ``postgres``, ``redis`` or ``browser`` skip with a reason when the service is missing, except
when ``CI=true``: there a missing service fails the test, so nothing skips silently in CI.
"""

from __future__ import annotations

import contextlib
import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

from helpdesk.models import Membership, Tenant

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_reachable() -> bool:
    url = urlparse(REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: services must be up, nothing may skip)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("redis") and not _redis_reachable():
        _missing(f"Redis is not reachable at {REDIS_URL}")
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("browser") and not os.path.exists("/usr/bin/chromium"):
        _missing("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files of a test go to a folder of its own, never to the project's media/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached values never leak from one test into the next."""
    from django.core.cache import cache

    from inbox.selectors import queue_loads_forget

    cache.clear()
    queue_loads_forget()
    yield
    cache.clear()
    queue_loads_forget()


CELERY_KEYS_TESTS_CHANGE = ("task_always_eager", "broker_url")


def celery_app_reset(app) -> None:
    """Forget what a test pinned on the Celery app (eagerness, broker) and its connection pools, so the
    next test's Django settings drive it again. Pools are dropped, not closed: kombu shares them per URL
    across the process, and a closed one would fail every later publish to that URL."""
    for key in CELERY_KEYS_TESTS_CHANGE:
        # ``del`` (not ``pop``): before the app is finalized ``changes`` is a view whose ``pop`` finds a
        # default it cannot delete.
        with contextlib.suppress(KeyError):
            del app.conf.changes[key]
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_broker(settings):
    """Point the real Celery app at a broker URL for one test (tasks published, not run eagerly)."""
    from config.celery import app

    def use(url: str) -> None:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        app.conf.update(task_always_eager=False, broker_url=url)
        app._pool = None
        app.amqp._producer_pool = None

    yield use
    celery_app_reset(app)


@pytest.fixture(autouse=True)
def _fresh_celery_app():
    from config.celery import app

    celery_app_reset(app)
    yield
    celery_app_reset(app)


@pytest.fixture(autouse=True)
def _socket_threads_settled():
    """A socket's database call still running when its test ends must not touch the next test, and the
    thread that runs an async test's ``sync_to_async`` calls gives its connection back."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from helpdesk.socket_db import socket_db_reset

    socket_db_reset()
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture(autouse=True)
def _fresh_channel_layers(settings):
    """Each test gets its own channel layer instance, bound to its own event loop."""
    from channels.layers import channel_layers

    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Tests run tasks inline in the caller's thread and start no housekeeping threads of their own.
    settings.TASKS_IN_THREADS = False
    settings.HOUSEKEEPING_IN_PROCESS = False
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture
def redis_channel_layer(settings):
    """Use the product's Redis channel layer for this test (the ``redis`` marker makes sure it is up)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.channel_layer.HelpdeskChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL}], "prefix": f"helpdesk-test-{os.getpid()}"},
        }
    }
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture
def make_tenant(db):
    def make(slug: str = "acme", name: str | None = None) -> Tenant:
        return Tenant.objects.create(slug=slug, name=name or slug.title())

    return make


@pytest.fixture
def make_agent(db, django_user_model):
    def make(tenant: Tenant, username: str, role: str = Membership.Role.AGENT, name: str = "") -> Membership:
        user = django_user_model.objects.create_user(username=username, password="pw-" + username)
        return Membership.objects.create(
            tenant=tenant, user=user, role=role, display_name=name or username.title()
        )

    return make


BIKE_SHOP_KB = [
    ("Delivery", "Bikes are delivered in 5 to 7 working days. Accessories arrive in 2 to 3 working days."),
    ("Returns", "Unused accessories can be returned within 14 days. Bikes can be returned within 30 days."),
    ("Servicing", "A standard service costs $49 and includes brake and gear adjustment. Book it online."),
    (
        "Frame sizes",
        "Measure your inside leg and use the size chart on each product page to pick a frame size.",
    ),
]


@pytest.fixture
def make_bot(db):
    def make(
        tenant: Tenant,
        name: str = "Spoke",
        *,
        queue: bool = True,
        require_agent_online: bool = False,
        articles=BIKE_SHOP_KB,
        **fields,
    ):
        """A bot with a small knowledge base and a queue that, unless asked, is open with nobody online."""
        from chatbot.services import article_upsert, bot_create
        from helpdesk.models import Queue

        q = (
            Queue.objects.create(
                tenant=tenant, name=f"{name} support", require_agent_online=require_agent_online
            )
            if queue
            else None
        )
        fields.setdefault("order_number_pattern", r"SP-\d{5}")
        bot = bot_create(tenant=tenant, name=name, queue=q, **fields)
        for title, body in articles:
            article_upsert(bot=bot, title=title, body=body)
        return bot

    return make


@pytest.fixture
def acme(make_tenant):
    """The tenant most API tests work in."""
    return make_tenant("acme")


@pytest.fixture
def bot(acme, make_bot):
    return make_bot(acme)


@pytest.fixture
def api(acme):
    """An API client holding a read-write key of ``acme``."""
    from helpdesk.tests.api_support import client_for, key_for

    return client_for(key_for(acme))
