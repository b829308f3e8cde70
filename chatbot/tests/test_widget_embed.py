"""The widget as customers embed it: the README's one line, the files it loads from another origin, and
the demo page that shows the line and uses it."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.support.static_modules import STATIC, module_graph

pytestmark = pytest.mark.django_db

SNIPPET = '<script src="{origin}/static/widget/widget.js" data-bot-key="{key}" async></script>'


def test_the_loader_imports_the_widget_module_and_its_imports_exist():
    loader = (STATIC / "widget" / "widget.js").read_text()
    assert 'new URL("chat.js", script.src)' in loader
    assert module_graph("widget/chat.js") == {
        "widget/chat.js",
        "widget/attachments.js",
        "shared/socket.js",
        "shared/i18n.js",
    }
    assert 'new URL("widget.css", import.meta.url)' in (STATIC / "widget" / "chat.js").read_text()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("widget/widget.js", "text/javascript"),
        ("widget/chat.js", "text/javascript"),
        ("widget/attachments.js", "text/javascript"),
        ("shared/socket.js", "text/javascript"),
        ("shared/i18n.js", "text/javascript"),
        ("widget/widget.css", "text/css"),
    ],
)
def test_the_widget_files_are_served_to_any_origin(client, path, content_type):
    # Browsers fetch module scripts in CORS mode, and only run them with a JavaScript content type.
    response = client.get(f"/static/{path}", HTTP_ORIGIN="https://shop.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].split(";")[0] == content_type


def test_the_demo_page_shows_the_readme_snippet_and_loads_the_widget_with_it(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"), "Spoke")
    html = client.get(reverse("chatbot:preview", args=[bot.public_key])).content.decode()
    shown = unescape(re.search(r"<code>(.*?)</code>", html).group(1))
    assert shown == SNIPPET.format(origin="http://testserver", key=bot.public_key)
    assert (
        f'<script src="/static/widget/widget.js" data-bot-key="{bot.public_key}" data-open="true" async>'
        in html
    )
    readme = (STATIC.parent / "README.md").read_text()
    assert SNIPPET.format(origin="https://YOUR-HELPDESK", key="pk_...") in readme
