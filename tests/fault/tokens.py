"""Opens FAULT_TOKENS widget conversations of the bot FAULT_BOT_KEY, the way the widget's session endpoint
does, and prints their visitor tokens on one ``TOKENS=<json>`` line. Run with ``manage.py shell -c``.

Used where a test needs many conversations at once (a connection storm) and the HTTP endpoint is not what
is measured.
"""

import json
import os

from chatbot.services import widget_session_start

count = int(os.environ["FAULT_TOKENS"])
key = os.environ["FAULT_BOT_KEY"]
tokens = [widget_session_start(public_key=key).token for _ in range(count)]
print("TOKENS=" + json.dumps(tokens))
