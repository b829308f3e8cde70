"""Light formatting of the bot's answers: Markdown in, safe HTML out (pure: text in, text out).

Only bot messages are Markdown (the model and the knowledge articles write it); customers' and agents'
texts stay plain text everywhere. The renderer takes no raw HTML (markdown-it-py with ``html`` off
escapes it) and nh3 then keeps only the few tags the widget styles, links only to http(s) and mailto,
every link opening in a new tab with ``rel="nofollow noopener noreferrer"``. Two layers on purpose: the
renderer decides what formatting means, the sanitiser guarantees what may reach a page whatever the
renderer lets through.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Paragraphs, line breaks, lists, bold and italics, links, inline and block code. No headings, images,
# tables or rules: a chat bubble has no room for them, so they stay as text.
ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "em", "code", "pre", "a"})
LINK_REL = "nofollow noopener noreferrer"

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["image", "heading", "lheading", "hr", "html_block", "html_inline"]
)
_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel=LINK_REL,
    set_tag_attribute_values={"a": {"target": "_blank"}},
)


@lru_cache(maxsize=2048)
def markdown_html(text: str) -> str:
    """Safe HTML for a bot message written in Markdown. Cached: a conversation's page renders the same
    answers again on every resume."""
    if not text:
        return ""
    return _cleaner.clean(_markdown.render(text)).strip()
