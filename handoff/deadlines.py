"""The pickup deadline of a waiting conversation, as a pure function of the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

REOFFER = "reoffer"
OFFLINE = "offline"


def deadline_action(
    *, waiting_since: datetime | None, reoffered: bool, now: datetime, deadline_seconds: int
) -> str | None:
    """What to do with a conversation waiting since ``waiting_since``.

    Past the deadline it is offered to the agents again (once); past twice the deadline it goes to the
    offline path, so a customer never waits on a "transferring you" that nobody answers.
    """
    if waiting_since is None or deadline_seconds <= 0:
        return None
    waited = now - waiting_since
    if waited >= timedelta(seconds=2 * deadline_seconds):
        return OFFLINE
    if waited >= timedelta(seconds=deadline_seconds) and not reoffered:
        return REOFFER
    return None
