"""Searching a tenant's conversations by the contact's name or email and by the text of their messages.

On PostgreSQL this is full-text search: each word the agent types is a prefix of a word in the text
("wen" finds Wendy, "ann@example.org" and "ann" find ann@example.org; a partial address, "ann@exa",
is matched as the start of the contact's email), every word must be found, and GIN indexes of the
contacts' and messages' text vectors (migration ``inbox.0008``) make it an index lookup, not a scan of
every message. The text search configuration is ``simple`` (lower-cased words, no stemming and no stop
words), since conversations come in every language the product speaks and an English stemmer would
mangle the others. On SQLite the whole text is looked for as it is, case-insensitively, in the same
fields (``icontains``): slower and simpler, for the embedded default.

Private notes are searched too: only agents search.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q

from helpdesk.models import Contact, Message, Tenant

SEARCH_CONFIG = "simple"
# The expressions the GIN indexes are built on: a query uses an index only when its expression is the
# index's, character for character (see migration inbox.0008).
CONTACT_VECTOR = SearchVector("name", "email", config=SEARCH_CONFIG)
MESSAGE_VECTOR = SearchVector("body", config=SEARCH_CONFIG)
MAX_WORDS = 8
WORD = re.compile(r"\w", re.UNICODE)


def prefix_query(text: str) -> str:
    """The words of ``text`` as a ``to_tsquery`` of prefixes that must all match: ``'wen':* & 'ann':*``.

    Every word is quoted (a quote in it doubled), so nothing an agent types is read as tsquery syntax;
    chunks with no letter or digit are dropped. Empty when nothing searchable is left."""
    words = [w for w in text.split() if WORD.search(w)][:MAX_WORDS]
    return " & ".join("'" + w.replace("\\", "").replace("'", "''") + "':*" for w in words)


def conversation_search(*, tenant: Tenant | int, text: str) -> Q:
    """A filter of conversations whose contact or any message matches ``text`` (see the module)."""
    if connection.vendor == "postgresql":
        raw = prefix_query(text)
        if not raw:
            return Q(pk__in=[])
        query = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
        found = Q(found=query)
        if "@" in text:
            # A partial address ("ann@exa") is not a word the parser knows; addresses are stored lower-case.
            found |= Q(email__startswith=text.strip().lower())
        contacts = Contact.objects.for_tenant(tenant).annotate(found=CONTACT_VECTOR).filter(found)
        messages = Message.objects.for_tenant(tenant).annotate(found=MESSAGE_VECTOR).filter(found=query)
    else:
        contacts = Contact.objects.for_tenant(tenant).filter(
            Q(name__icontains=text) | Q(email__icontains=text)
        )
        messages = Message.objects.for_tenant(tenant).filter(body__icontains=text)
    return Q(contact_id__in=contacts.values("pk")) | Q(pk__in=messages.values("conversation_id"))
