"""Celery tasks of the chatbot: thin adapters that take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_init

from chatbot.pipeline import bot_turn_run
from handoff.detection.store import detector_get
from helpdesk.outbox import outbox_run


@worker_init.connect
def _detector_loaded(**kwargs) -> None:
    """A worker without a usable handoff model refuses to start (see ``handoff.checks``)."""
    detector_get()


@shared_task(acks_late=True, ignore_result=True)
def bot_turn(conversation_id: int, message_id: int, outbox_id: int | None = None) -> None:
    """The bot's turn for one customer message (see ``chatbot.pipeline``). The responder bounds its own
    time and turns every failure into a handoff, so this task has nothing left to retry; a delivery of a
    turn that is done, or running elsewhere, does nothing (see ``helpdesk.outbox``)."""
    with outbox_run(outbox_id) as run:
        if run.mine:
            bot_turn_run(conversation_id=conversation_id, message_id=message_id)
