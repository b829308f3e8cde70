"""Where a handed-off conversation goes: is the bot's queue open, and how long is the wait.

A queue is open when someone can pick the conversation up: within its business hours (when it has any)
and, if the queue requires it, with at least one member online. A closed queue sends the conversation
to the offline path; an open one queues it with a position and a wait estimate the customer is told.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from handoff.models import Handoff
from helpdesk.models import Queue
from inbox.selectors import queue_is_staffed, queue_load
from tickets.hours import is_open
from tickets.selectors import schedule_for_queue

# Without any pickup history, assume an agent needs this long to pick up a waiting conversation.
DEFAULT_PICKUP_SECONDS = 120
PICKUP_SAMPLE = 20


@dataclass(frozen=True)
class QueueState:
    is_open: bool
    why: str  # "open", "no_queue", "outside_hours", "nobody_online"


def queue_state(queue: Queue | None, now=None) -> QueueState:
    if queue is None:
        return QueueState(False, "no_queue")
    schedule = schedule_for_queue(queue.pk)
    if schedule is not None and not is_open(schedule, now or timezone.now()):
        return QueueState(False, "outside_hours")
    if not queue_is_staffed(queue):
        return QueueState(False, "nobody_online")
    return QueueState(True, "open")


@dataclass(frozen=True)
class WaitEstimate:
    position: int
    seconds: int
    agents_online: int

    def phrase(self) -> str:
        if self.seconds < 45:
            return gettext("less than a minute")
        minutes = max(1, round(self.seconds / 60))
        return ngettext("about a minute", "about %(minutes)d minutes", minutes) % {"minutes": minutes}


def recent_pickup_seconds(queue: Queue) -> list[float]:
    """How long the queue's last handoffs waited before an agent accepted them, newest first."""
    rows = (
        Handoff.objects.for_tenant(queue.tenant_id)
        .filter(queue=queue, offered_at__isnull=False, accepted_at__isnull=False)
        .annotate(waited=F("accepted_at") - F("offered_at"))
        .order_by("-accepted_at")
        .values_list("waited", flat=True)[:PICKUP_SAMPLE]
    )
    return [max(0.0, waited.total_seconds()) for waited in rows]


def wait_estimate(queue: Queue, position: int) -> WaitEstimate:
    """The wait of the ``position``-th conversation in line.

    Agents with free capacity pick up in about one typical pickup time (the median of recent pickups);
    beyond that capacity, each further round of conversations waits one more pickup time per online agent.
    """
    pickups = recent_pickup_seconds(queue)
    typical = statistics.median(pickups) if pickups else DEFAULT_PICKUP_SECONDS
    load = queue_load(queue)
    online, free = load.agents_online, load.free_capacity
    rounds = 1 if position <= free else 1 + math.ceil((position - free) / max(1, online))
    return WaitEstimate(position=position, seconds=round(rounds * typical), agents_online=online)
