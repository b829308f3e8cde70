"""Events published in a transaction go out after commit, in order, in one round trip; a savepoint that
rolls back takes its events with it."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from helpdesk.events import publish_on_commit

pytestmark = pytest.mark.django_db(transaction=True)

GROUP = "t1.inbox"


class Rollback(Exception):
    pass


def _publish_in_transaction(steps) -> None:
    with transaction.atomic():
        for step in steps:
            step()


def _event(n: int):
    return lambda: publish_on_commit(GROUP, {"type": "test.event", "n": n})


def _savepoint(*steps, fail: bool):
    def run():
        try:
            with transaction.atomic():
                for step in steps:
                    step()
                if fail:
                    raise Rollback
        except Rollback:
            pass

    return run


async def _received(layer, channel: str, count: int) -> list[int]:
    out = []
    for _ in range(count):
        message = await layer.receive(channel)
        out.append(message["event"]["n"])
    return out


async def _subscribe():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    return layer, channel


async def test_events_of_a_transaction_arrive_in_order_after_commit():
    layer, channel = await _subscribe()
    await sync_to_async(_publish_in_transaction)([_event(1), _event(2), _event(3)])
    assert await _received(layer, channel, 3) == [1, 2, 3]


async def test_a_rolled_back_savepoint_drops_its_events_and_keeps_the_rest_in_order():
    layer, channel = await _subscribe()
    steps = [
        _event(1),
        _savepoint(_event(2), fail=True),
        _event(3),
        _savepoint(_event(4), fail=False),
        _event(5),
    ]
    await sync_to_async(_publish_in_transaction)(steps)
    assert await _received(layer, channel, 4) == [1, 3, 4, 5]


async def test_nothing_is_published_when_the_transaction_rolls_back():
    layer, channel = await _subscribe()

    def doomed():
        with transaction.atomic():
            publish_on_commit(GROUP, {"type": "test.event", "n": 1})
            raise Rollback

    with pytest.raises(Rollback):
        await sync_to_async(doomed)()
    await sync_to_async(_publish_in_transaction)([_event(2)])
    assert await _received(layer, channel, 1) == [2]


@pytest.mark.redis
async def test_over_redis_a_transactions_events_arrive_in_order(redis_channel_layer):
    layer, channel = await _subscribe()
    await sync_to_async(_publish_in_transaction)([_event(n) for n in range(1, 21)])
    assert await _received(layer, channel, 20) == list(range(1, 21))
