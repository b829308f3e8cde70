"""The bot's public preview page: a plain web page with the widget on it, as a customer's site would be."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chatbot.services import bot_by_public_key
from helpdesk.errors import NotFound


def bot_preview(request: HttpRequest, public_key: str) -> HttpResponse:
    try:
        bot = bot_by_public_key(public_key)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "chatbot/preview.html", {"bot": bot})
