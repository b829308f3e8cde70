"""After-hours work on a real Celery worker with the Redis broker, and a task run again after dying."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.models import Message, OfflinePolicy
from tests.support.db import every_tenant
from tests.support.live_server import shared_database_url
from tickets.models import OfflineIntake, Ticket
from tickets.offline import offline_ticket_open
from tickets.services import ticket_create_for_conversation

ROOT = Path(__file__).resolve().parents[2]
BROKER = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/14"


@pytest.fixture
def worker(settings, tmp_path, celery_broker):
    """A Celery worker process on the Redis broker and the test database, stopped after the test."""

    if (
        not shared_database_url().startswith("postgres://")
        or "sqlite" in settings.DATABASES["default"]["ENGINE"]
    ):
        pytest.skip("the worker test needs PostgreSQL")
    log = (tmp_path / "worker.log").open("wb")
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": BROKER,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "consolemail://",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_broker(BROKER)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_opens_the_ticket_and_emails_the_customer(worker, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"), require_agent_online=True, offline_policy=OfflinePolicy.EMAIL)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    customer_message_receive(conversation=conversation, text="my email is rae@example.org", client_msg_id="1")
    customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id="2")
    deadline = time.monotonic() + 60
    ticket = None
    while time.monotonic() < deadline:
        ticket = every_tenant(Ticket).filter(conversation=conversation, customer_email_status="sent").first()
        if ticket is not None:
            break
        time.sleep(0.3)
    assert ticket is not None, "the worker did not open and email the ticket in time"
    assert every_tenant(Message).filter(conversation=conversation, data__ticket=ticket.reference).count() == 1


@pytest.mark.django_db
def test_a_task_that_died_after_the_ticket_is_run_again_into_one_ticket(make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"), require_agent_online=True)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id="1")
    customer_message_receive(conversation=conversation, text="I'm Ann, ann@example.org", client_msg_id="2")
    intake = every_tenant(OfflineIntake).get(conversation=conversation)
    # The first run committed the ticket and died before it told the customer (acks_late redelivers it).
    ticket_create_for_conversation(conversation=conversation, reason=intake.reason)
    offline_ticket_open(intake_id=intake.pk)
    assert every_tenant(Ticket).filter(conversation=conversation).count() == 1
    assert every_tenant(Message).filter(conversation=conversation, data__ticket__isnull=False).count() == 1
