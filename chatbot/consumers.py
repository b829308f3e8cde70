"""The customer's socket. Thin: the visitor token was checked by the middleware; frames call services."""

from __future__ import annotations

from channels.db import database_sync_to_async

from chatbot.selectors import customer_status
from chatbot.services import customer_message_receive
from helpdesk.channels_auth import query_param
from helpdesk.consumers import HelpdeskConsumer
from helpdesk.events import typing_send
from helpdesk.models import Conversation
from helpdesk.selectors import message_payload


@database_sync_to_async
def _conversation(tenant_id: int, conversation_id: int) -> Conversation:
    """The visitor's conversation, looked up inside the tenant their token names."""
    return Conversation.objects.for_tenant(tenant_id).select_related("bot").get(pk=conversation_id)


@database_sync_to_async
def _receive(conversation: Conversation, text, client_msg_id) -> dict:
    message, created = customer_message_receive(
        conversation=conversation, text=text, client_msg_id=client_msg_id
    )
    return {
        "type": "ack",
        "client_msg_id": message.client_msg_id or None,
        "duplicate": not created,
        "message": message_payload(message, author_name=""),
    }


class WidgetConsumer(HelpdeskConsumer):
    """Frames in: ``message {text, client_msg_id}``, ``resume {last_seq}``, ``typing {typing}``.

    Frames out: ``hello``, ``messages`` (a resume batch), ``message``, ``ack``, ``status``, ``typing``,
    ``error``. Every message carries its ``seq``; reconnect with ``?last_seq=N`` to get what you missed.
    """

    include_private = False

    async def on_authenticated(self) -> None:
        visitor = self.scope["visitor"]
        self.conversation = await _conversation(visitor.tenant_id, visitor.conversation_id)
        await self.send_json(
            {
                "type": "hello",
                "conversation_id": self.conversation.pk,
                "status": customer_status(self.conversation.status),
                "bot_name": self.conversation.bot.name,
            }
        )
        await self.watch(self.conversation, query_param(self.scope, "last_seq") or 0)

    async def frame_message(self, payload: dict) -> None:
        ack = await _receive(self.conversation, payload.get("text"), payload.get("client_msg_id"))
        await self.send_json(ack)

    async def frame_resume(self, payload: dict) -> None:
        await self.watch(self.conversation, payload.get("last_seq"))

    async def frame_typing(self, payload: dict) -> None:
        await typing_send(
            tenant_id=self.conversation.tenant_id,
            conversation_id=self.conversation.pk,
            who="customer",
            typing=bool(payload.get("typing")),
        )

    async def on_event(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "conversation.status":
            status = event["conversation"]["status"]
            frame = {"type": "status", "status": customer_status(status)}
            if event.get("agent_name"):
                frame["agent_name"] = event["agent_name"]
            await self.send_json(frame)
        elif kind == "typing" and event.get("who") in ("bot", "agent"):
            await self.send_json(
                {
                    "type": "typing",
                    "who": event["who"],
                    "typing": event["typing"],
                    "name": event.get("name", ""),
                }
            )
