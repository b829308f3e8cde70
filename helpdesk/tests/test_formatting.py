"""The bot's Markdown becomes safe HTML: formatting rendered, every way to run script or smuggle markup
neutralised."""

import pytest

from helpdesk.formatting import markdown_html


def test_bold_italics_inline_code_and_line_breaks_are_rendered():
    assert markdown_html("Send it **today**, *please*: `ORD-12`\nthen wait") == (
        "<p>Send it <strong>today</strong>, <em>please</em>: <code>ORD-12</code><br>\nthen wait</p>"
    )


def test_lists_are_rendered():
    html = markdown_html("Steps:\n\n- Log in\n- Open **Orders**\n\n1. Pick one\n2. Return it")
    assert html == (
        "<p>Steps:</p>\n<ul>\n<li>Log in</li>\n<li>Open <strong>Orders</strong></li>\n</ul>\n"
        "<ol>\n<li>Pick one</li>\n<li>Return it</li>\n</ol>"
    )


def test_links_open_in_a_new_tab_without_passing_on_trust_or_the_referrer():
    assert markdown_html("See [Returns](https://shop.example/returns).") == (
        '<p>See <a href="https://shop.example/returns" target="_blank" '
        'rel="nofollow noopener noreferrer">Returns</a>.</p>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
    ],
)
def test_script_links_are_never_links(text):
    html = markdown_html(text)
    assert "<a" not in html
    assert html == f"<p>{text}</p>"


def test_script_tags_are_shown_as_text_not_run():
    assert markdown_html("<script>alert(1)</script> hi") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; hi</p>"
    )


def test_event_handler_attributes_are_shown_as_text():
    html = markdown_html('<img src="x" onerror="alert(1)">')
    assert html == '<p>&lt;img src="x" onerror="alert(1)"&gt;</p>'
    assert "<img" not in html


@pytest.mark.parametrize(
    "text",
    [
        '<a href="https://evil.example" onclick="steal()">prize</a>',
        "<div style='position:fixed'>overlay</div>",
        "<iframe src='https://evil.example'></iframe>",
        "<b>bold</b> <u>under</u>",
    ],
)
def test_raw_html_of_any_kind_is_escaped(text):
    html = markdown_html(text)
    assert html.startswith("<p>&lt;")
    assert html.count("<") == 2  # the paragraph's own tags only


def test_images_and_headings_stay_text():
    assert markdown_html("# Title") == "<p># Title</p>"
    assert "<img" not in markdown_html("![logo](https://shop.example/logo.png)")


def test_empty_text_is_empty_html():
    assert markdown_html("") == ""
