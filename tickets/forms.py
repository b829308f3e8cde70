"""Forms of the agents' ticket pages: they check the shape of input; services check the meaning."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from helpdesk.models import Membership
from tickets.models import Ticket

UNSOLVED = ""
STATUS_FILTERS = [(UNSOLVED, _("Unsolved")), ("all", _("All")), *Ticket.Status.choices]


class TicketFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False)
    mine = forms.BooleanField(required=False, label=_("Assigned to me"))
    q = forms.CharField(required=False, max_length=100, label=_("Search"), strip=True)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.MESSAGE_MAX_CHARS,
        strip=True,
        error_messages={"required": _("Write something before sending.")},
    )
    private = forms.BooleanField(required=False, label=_("Private note (agents only, never emailed)"))


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Ticket.Status.choices)
    assignee = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Assignee"))

    def __init__(self, *args, agents: list[Membership], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agents = {m.pk: m for m in agents}
        self.fields["assignee"].choices = [("", _("Nobody")), *((m.pk, m.name) for m in agents)]

    def assignee_membership(self) -> Membership | None:
        return self.agents.get(self.cleaned_data["assignee"])
