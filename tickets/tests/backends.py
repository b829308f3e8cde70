"""An email backend for tests: the SMTP edge of the process, failing on demand before it delivers."""

from __future__ import annotations

from django.core.mail.backends import locmem


class FlakyBackend(locmem.EmailBackend):
    """Raises the queued exceptions one send at a time, then delivers to ``mail.outbox``."""

    failures: list[Exception] = []

    def send_messages(self, email_messages):
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        return super().send_messages(email_messages)
