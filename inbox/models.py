"""Agents at work: presence, live connections, canned replies and read markers (the operator queue
itself is a core model: ``helpdesk.models.Queue``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpdesk.models import TenantOwned


class AgentPresence(TenantOwned):
    """Whether an agent can take conversations now, and how many at once.

    Online while at least one of their :class:`AgentConnection` rows is fresh (several tabs count once);
    away after idle time or by choice; offline when the last socket closes or goes stale. ``status`` is
    the last settled value, for lists; who can take work is decided with the connection rows
    (``inbox.online.online_filter``), so a socket that died without closing stops counting by itself.
    """

    class Status(models.TextChoices):
        ONLINE = "online", "Online"
        AWAY = "away", "Away"
        OFFLINE = "offline", "Offline"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OFFLINE)
    away_by_choice = models.BooleanField(default=False)
    capacity = models.PositiveSmallIntegerField(
        default=5, help_text="How many conversations this agent handles at once."
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="presence_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.status}"


class AgentConnection(TenantOwned):
    """One open inbox socket of an agent, refreshed by the page's heartbeat.

    A row per socket instead of a counter: a socket whose disconnect never ran (a crashed process) leaves
    a row that simply goes stale after ``PRESENCE_TIMEOUT_SECONDS`` and is deleted when read or by
    ``inbox.presence.presence_connections_expire``; it can never hold an agent online.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel_name"], name="agentconnection_unique_channel")
        ]
        indexes = [
            models.Index(fields=["tenant", "user", "last_seen_at"], name="agentconnection_live"),
            models.Index(fields=["last_seen_at"], name="agentconnection_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.user} via {self.channel_name}"


class CannedReply(TenantOwned):
    """A saved answer agents insert into the reply box, searchable by title, shortcut and text."""

    title = models.CharField(max_length=120)
    shortcut = models.SlugField(max_length=40, blank=True, help_text="Type /shortcut in the reply box.")
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = "canned reply"
        verbose_name_plural = "canned replies"
        constraints = [models.UniqueConstraint(fields=["tenant", "title"], name="canned_unique_title")]

    def __str__(self) -> str:
        return self.title


class ReadMarker(TenantOwned):
    """How far an agent has read a conversation: unread counts are messages after ``last_read_seq``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("helpdesk.Conversation", on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "conversation"], name="readmarker_unique_user_conversation"
            )
        ]
