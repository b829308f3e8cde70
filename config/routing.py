"""WebSocket routes of every app, each behind the middleware that resolves its tenant."""

from django.urls import path

from chatbot.consumers import WidgetConsumer
from helpdesk.channels_auth import agent_socket_stack, visitor_socket_stack
from inbox.consumers import InboxConsumer

websocket_urlpatterns = [
    path("ws/widget/", visitor_socket_stack(WidgetConsumer.as_asgi())),
    path("ws/inbox/", agent_socket_stack(InboxConsumer.as_asgi())),
]
