"""Liveness asks nothing; readiness reports each dependency and is 503 while a required one is down."""

from __future__ import annotations

import socket

import pytest

from helpdesk import health

REDIS = "redis://127.0.0.1:6379/15"


def closed_loopback_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture(autouse=True)
def _fresh_workers_ping():
    health.workers_ping.result = None
    yield
    health.workers_ping.result = None


def scale_out(settings, redis_url: str) -> None:
    """The production shape: Redis channel layer and broker, tasks on separate workers."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}
    }
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.TASKS_IN_THREADS = False


def test_liveness_answers_without_touching_any_dependency(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


def embedded(settings) -> None:
    """The embedded mode: in-memory channel layer and cache, tasks in the process."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.mark.django_db
def test_readiness_in_the_embedded_mode_reports_embedded_dependencies(client, settings):
    embedded(settings)
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["ready"] is True
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "channel_layer": "embedded",
        "broker": "embedded",
        "workers": "embedded",
        "cache": "ok",
    }
    assert body["checks"]["database"]["required"] is True


@pytest.mark.django_db
def test_readiness_is_503_and_names_what_is_down_when_redis_is_unreachable(client, settings):
    scale_out(settings, closed_loopback_url())

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["ready"] is False
    checks = body["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "channel_layer": "down",
        "broker": "down",
        "workers": "down",
        "cache": "ok",
    }
    assert checks["channel_layer"]["error"].startswith("ConnectionError")
    assert checks["workers"]["error"] == "broker unreachable"


@pytest.mark.redis
@pytest.mark.django_db
def test_readiness_with_redis_up_and_no_worker_is_ready_and_reports_no_workers(client, settings):
    scale_out(settings, REDIS)

    response = client.get("/readyz")

    checks = response.json()["checks"]
    assert response.status_code == 200
    assert checks["channel_layer"]["status"] == "ok"
    assert checks["broker"]["status"] == "ok"
    assert checks["workers"] == {
        "status": "down",
        "required": False,
        "ms": checks["workers"]["ms"],
        "detail": {"workers": []},
    }


@pytest.mark.django_db
def test_probes_by_ip_answer_whatever_allowed_hosts_says_and_other_pages_still_refuse(client, settings):
    embedded(settings)
    settings.ALLOWED_HOSTS = ["help.example.com"]

    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").json() == {"ok": True}
    ready = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert client.get("/inbox/", HTTP_HOST="10.1.2.3:8000").status_code == 400
    assert client.get("/healthz", HTTP_HOST="help.example.com").status_code == 200
