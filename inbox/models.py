"""Operator queues: where a bot hands its conversations, and which agents work them."""

from django.conf import settings
from django.db import models

from helpdesk.models import TenantOwned


class Queue(TenantOwned):
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="queues")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="queue_unique_name")]

    def __str__(self) -> str:
        return self.name
