"""Ticket numbers and one-ticket-per-chat under real concurrency: threads on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection

from tests.support.db import every_tenant
from tickets.models import Ticket
from tickets.services import ticket_create_for_conversation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def _in_threads(calls):
    """Run each call in its own thread and database connection, released together by a barrier."""
    barrier = Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result(timeout=30) for f in [pool.submit(run, call) for call in calls]]


def test_concurrent_tickets_get_distinct_consecutive_numbers(acme_bot, make_conversation):
    conversations = [make_conversation(acme_bot) for _ in range(THREADS)]

    results = _in_threads(
        [lambda c=c: ticket_create_for_conversation(conversation=c, reason="api") for c in conversations]
    )

    assert sorted(ticket.number for ticket, _ in results) == list(range(1001, 1001 + THREADS))
    assert all(created for _, created in results)


def test_concurrent_creation_for_one_chat_makes_one_ticket(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot)

    results = _in_threads(
        [lambda: ticket_create_for_conversation(conversation=conversation, reason="api")] * THREADS
    )

    assert len({ticket.pk for ticket, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    assert list(every_tenant(Ticket).values_list("number", flat=True)) == [1001]
