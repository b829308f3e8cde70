"""The inbox's filters, read from the query string: a Django form checks each value against the tenant's
own queues and agents, so a shareable URL carries them and a bad one is named, never a 500.

``?queue=<id>&status=<open|bot|waiting|assigned|offline|resolved>&assignee=<me|none|user id>
&reason=<handoff reason>&q=<words>``. The saved views are such URLs (:data:`SAVED_VIEWS`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from helpdesk.models import Conversation, HandoffReason, Membership, Queue, Tenant

OPEN = "open"  # every status but resolved and sent to a ticket, as the All open list
ME, NOBODY = "me", "none"
SEARCH_MAX_CHARS = 200

STATUS_CHOICES = [("", _("Any status")), (OPEN, _("Open")), *Conversation.Status.choices]
REASON_CHOICES = [("", _("Any reason")), *HandoffReason.choices]

# The saved views: (key, title, query). Each is a link to the filtered list.
SAVED_VIEWS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("mine", _("Mine"), {"assignee": ME, "status": OPEN}),
    ("unassigned", _("Unassigned"), {"assignee": NOBODY, "status": OPEN}),
    ("waiting", _("Waiting"), {"status": Conversation.Status.WAITING}),
    ("open", _("All open"), {"status": OPEN}),
)


@dataclass(frozen=True)
class InboxFilters:
    """What the list is narrowed to; empty strings and None mean "any"."""

    queue_id: int | None = None
    status: str = ""
    assignee: str = ""  # ME, NOBODY or an agent's user id as text
    reason: str = ""
    q: str = ""

    @property
    def active(self) -> bool:
        return any(asdict(self).values())

    @property
    def by_waiting_order(self) -> bool:
        """Waiting conversations are listed oldest first, the order they are served."""
        return self.status == Conversation.Status.WAITING

    @property
    def positional(self) -> bool:
        """The list holds every waiting conversation of its queues in order, so a row's place in it is its
        place in its queue ("#2 · waiting 3 minutes")."""
        return self.by_waiting_order and not (self.assignee or self.reason or self.q)

    def as_page_data(self) -> dict:
        """For the page's script, which keeps live rows to the same filters."""
        return {
            "queue_id": self.queue_id,
            "status": self.status,
            "assignee": self.assignee,
            "reason": self.reason,
            "q": self.q,
            "positional": self.positional,
        }


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=SEARCH_MAX_CHARS,
        strip=True,
        label=_("Search"),
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, email or message text"), "id": "search"}
        ),
    )
    queue = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Queue"))
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES, label=_("Status"))
    assignee = forms.ChoiceField(required=False, label=_("Assignee"))
    reason = forms.ChoiceField(required=False, choices=REASON_CHOICES, label=_("Handoff reason"))

    def __init__(self, data: QueryDict | dict | None, *, choices: FilterChoices) -> None:
        super().__init__(data)
        self.fields["queue"].choices = [("", _("Any queue")), *choices.queues]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (ME, _("Me")),
            (NOBODY, _("Unassigned")),
            *choices.agents,
        ]

    def filters(self) -> InboxFilters:
        """The filters asked for; call only once the form is valid."""
        data = self.cleaned_data
        return InboxFilters(
            queue_id=data.get("queue"),
            status=data.get("status") or "",
            assignee=data.get("assignee") or "",
            reason=data.get("reason") or "",
            q=data.get("q") or "",
        )

    def problems(self) -> list[str]:
        """Each bad value as a sentence: "Queue: Select a valid choice. 99 is not one of the available
        choices." """
        return [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()]


@dataclass(frozen=True)
class FilterChoices:
    """The tenant's queues and agents the form offers: (value, label) pairs, read once per page."""

    queues: list[tuple[str, str]]
    agents: list[tuple[str, str]]


def filter_choices(*, tenant: Tenant | int) -> FilterChoices:
    """Two queries: the tenant's queues by name, and its agents by the name they go by."""
    queues = Queue.objects.for_tenant(tenant).order_by("name").values_list("pk", "name")
    agents = Membership.objects.for_tenant(tenant).select_related("user")
    return FilterChoices(
        queues=[(str(pk), name) for pk, name in queues],
        agents=sorted(((str(m.user_id), m.name) for m in agents), key=lambda choice: choice[1].casefold()),
    )


def inbox_filters_read(
    query: QueryDict, *, tenant: Tenant | int
) -> tuple[InboxFilterForm, InboxFilters, list[str]]:
    """The form to show, the filters to apply and what was wrong. Any bad value gives no filters at all
    (the unfiltered list), an empty form and the problems to show; the query string's other keys (a page
    number) are left to the caller."""
    choices = filter_choices(tenant=tenant)
    known = {name: query.get(name, "") for name in InboxFilterForm.base_fields if name in query}
    if not known:
        return InboxFilterForm(None, choices=choices), InboxFilters(), []
    form = InboxFilterForm(known, choices=choices)
    if form.is_valid():
        return form, form.filters(), []
    return InboxFilterForm(None, choices=choices), InboxFilters(), form.problems()
