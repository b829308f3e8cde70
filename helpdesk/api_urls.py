"""The REST API's routes: the one file that wires every app's API together."""

from django.urls import path

from chatbot.api.views import WidgetSessionView

urlpatterns = [
    path("widget/sessions/", WidgetSessionView.as_view(), name="widget-session"),
]
