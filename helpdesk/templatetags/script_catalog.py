"""The browser scripts' translations embedded in an agent page, so its scripts need no extra request.

``{% script_catalog_json "script-catalog" %}`` writes Django's JSON catalog of the ``djangojs`` messages for
the active language (what :class:`django.views.i18n.JSONCatalog` builds, and what
``GET /api/v1/widget/i18n/<lang>.json`` gives the widget) as a ``<script type="application/json">`` with
that id; ``translationsFromPage(id)`` in ``static/shared/i18n.js`` reads it.
"""

from functools import lru_cache

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JSONCatalog

register = template.Library()


@lru_cache(maxsize=16)
def _catalog(language: str) -> dict:
    """JSONCatalog's catalog for one language. The compiled catalogs do not change while the process runs,
    so each language is read once."""
    view = JSONCatalog(domain="djangojs")
    view.translation = DjangoTranslation(language, domain="djangojs")
    return {"lang": language, "catalog": view.get_catalog(), "plural": view.get_plural()}


@register.simple_tag
def script_catalog_json(element_id: str) -> SafeString:
    """The catalog of the active language as JSON in a script element: ``lang`` (the language code),
    ``catalog`` (msgid -> text, or a list of plural forms) and ``plural`` (the formula, never run)."""
    return json_script(_catalog(get_language() or "en"), element_id)
