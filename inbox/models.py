"""Operator queues: where a bot hands its conversations, and which agents work them."""

from django.conf import settings
from django.db import models

from helpdesk.models import TenantOwned


class Queue(TenantOwned):
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="queues")
    require_agent_online = models.BooleanField(
        default=True,
        help_text="Open only while at least one member is online; otherwise handoffs take the offline path.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="queue_unique_name")]

    def __str__(self) -> str:
        return self.name


class AgentPresence(TenantOwned):
    """Whether an agent can take conversations now, and how many at once.

    Online while at least one inbox socket is open and alive (several tabs count once); away after idle
    time or by choice; offline when the last socket closes. A socket that died without closing stops
    counting once its heartbeat is older than ``PRESENCE_TIMEOUT_SECONDS``.
    """

    class Status(models.TextChoices):
        ONLINE = "online", "Online"
        AWAY = "away", "Away"
        OFFLINE = "offline", "Offline"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OFFLINE)
    connections = models.PositiveIntegerField(default=0)
    away_by_choice = models.BooleanField(default=False)
    capacity = models.PositiveSmallIntegerField(
        default=5, help_text="How many conversations this agent handles at once."
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="presence_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.status}"
