"""Starts FAULT_TOKENS widget conversations of the bot FAULT_BOT_KEY, as a visitor's first message does
(``widget_conversation_start``: contact, conversation, greeting), and prints their visitor tokens on one
``TOKENS=<json>`` line and the conversations with their tokens on one ``CONVERSATIONS=<json>`` line
(``[[id, token], ...]``). Run with ``manage.py shell -c``.

Used where a test or a bench needs many conversations at once (a connection storm) and the HTTP endpoint
is not what is measured.
"""

import json
import os

from chatbot.services import widget_conversation_start

count = int(os.environ["FAULT_TOKENS"])
key = os.environ["FAULT_BOT_KEY"]
sessions = [widget_conversation_start(public_key=key) for _ in range(count)]
print("TOKENS=" + json.dumps([s.token for s in sessions]))
print("CONVERSATIONS=" + json.dumps([[s.conversation.pk, s.token] for s in sessions]))
