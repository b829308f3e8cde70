"""Celery tasks of the chatbot: thin adapters that take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from chatbot.pipeline import bot_turn_run


@shared_task(acks_late=True, ignore_result=True)
def bot_turn(conversation_id: int, message_id: int) -> None:
    """The bot's turn for one customer message (see ``chatbot.pipeline``). The responder bounds its own
    retries and turns every failure into a handoff, so this task has nothing left to retry."""
    bot_turn_run(conversation_id=conversation_id, message_id=message_id)
