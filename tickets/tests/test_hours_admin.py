"""Business hours in the database: the schedule selector, and admin editing in the schedule's zone."""

from datetime import UTC, datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from helpdesk.models import Membership, Queue
from helpdesk.services import contact_create
from tests.support.db import every_tenant
from tickets.hours import Closure as ClosureSpan
from tickets.hours import Window
from tickets.models import BusinessHours, Closure, OpeningWindow
from tickets.selectors import schedule_for_queue

pytestmark = pytest.mark.django_db


def test_a_queue_without_hours_has_no_schedule(acme_bot):
    assert schedule_for_queue(acme_bot.queue_id) is None


def test_the_schedule_is_built_from_the_rows(acme_bot):
    hours = BusinessHours.objects.create(
        tenant=acme_bot.tenant, queue=acme_bot.queue, timezone="Europe/Berlin"
    )
    OpeningWindow.objects.create(tenant=hours.tenant, hours=hours, weekday=4, start=time(22), end=time(2))
    OpeningWindow.objects.create(tenant=hours.tenant, hours=hours, weekday=0, start=time(9), end=time(17))
    starts, ends = datetime(2024, 12, 24, 23, tzinfo=UTC), datetime(2024, 12, 26, 23, tzinfo=UTC)
    Closure.objects.create(
        tenant=hours.tenant, hours=hours, label="Christmas", starts_at=starts, ends_at=ends
    )

    schedule = schedule_for_queue(acme_bot.queue_id)

    assert schedule.timezone == "Europe/Berlin"
    assert schedule.windows == (Window(0, time(9), time(17)), Window(4, time(22), time(2)))
    assert schedule.closures == (ClosureSpan(starts, ends, "Christmas"),)


def hours_form(queue: Queue, **extra) -> dict:
    data = {
        "queue": queue.pk,
        "timezone": "America/New_York",
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-0-weekday": "4",
        "windows-0-start": "22:00",
        "windows-0-end": "02:00",
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "0",
        "closures-0-label": "Christmas Day",
        "closures-0-starts_at_0": "2025-12-25",
        "closures-0-starts_at_1": "00:00",
        "closures-0-ends_at_0": "2025-12-26",
        "closures-0-ends_at_1": "00:00",
    }
    return {**data, **extra}


@pytest.fixture
def tenant_admin(acme, make_agent):
    membership = make_agent(acme, "ada", role=Membership.Role.ADMIN)
    membership.user.is_staff = True
    membership.user.save()
    return membership


def test_a_tenant_admin_enters_a_holiday_in_the_queues_zone(client, tenant_admin, acme_bot):
    client.force_login(tenant_admin.user)

    response = client.post(reverse("admin:tickets_businesshours_add"), hours_form(acme_bot.queue))

    assert response.status_code == 302, response.context["errors"] if response.context else response
    hours = every_tenant(BusinessHours).get()
    assert hours.tenant_id == acme_bot.tenant_id
    closure = every_tenant(Closure).get()
    assert closure.tenant_id == acme_bot.tenant_id
    assert closure.starts_at == datetime(2025, 12, 25, 5, 0, tzinfo=UTC)  # midnight in New York
    assert every_tenant(OpeningWindow).get().tenant_id == acme_bot.tenant_id


def test_a_tenant_admin_cannot_pick_another_tenants_queue(client, tenant_admin, globex_bot):
    client.force_login(tenant_admin.user)
    response = client.post(reverse("admin:tickets_businesshours_add"), hours_form(globex_bot.queue))
    assert response.status_code == 200
    assert "Select a valid choice." in str(response.context["adminform"].form.errors["queue"])
    assert every_tenant(BusinessHours).count() == 0


def test_a_tenant_admin_sees_only_their_tenants_hours(client, tenant_admin, acme_bot, globex_bot):
    mine = BusinessHours.objects.create(tenant=acme_bot.tenant, queue=acme_bot.queue)
    theirs = BusinessHours.objects.create(tenant=globex_bot.tenant, queue=globex_bot.queue)
    client.force_login(tenant_admin.user)

    listing = client.get(reverse("admin:tickets_businesshours_changelist"))

    assert [h.pk for h in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(reverse("admin:tickets_businesshours_change", args=[theirs.pk])).status_code == 302


def test_an_unknown_zone_is_refused_in_admin(client, tenant_admin, acme_bot):
    client.force_login(tenant_admin.user)
    response = client.post(
        reverse("admin:tickets_businesshours_add"), hours_form(acme_bot.queue, timezone="Mars/Base")
    )
    assert response.status_code == 200
    assert every_tenant(BusinessHours).count() == 0


def test_the_admin_pages_render_for_a_superuser(client, admin_user, acme_bot, acme_mail, make_ticket):
    hours = BusinessHours.objects.create(
        tenant=acme_bot.tenant, queue=acme_bot.queue, timezone="America/New_York"
    )
    ticket = make_ticket(contact_create(tenant=acme_bot.tenant))
    client.force_login(admin_user)
    pages = [
        reverse("admin:tickets_businesshours_changelist"),
        reverse("admin:tickets_businesshours_change", args=[hours.pk]),
        reverse("admin:tickets_ticket_changelist"),
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        reverse("admin:tickets_mailsettings_change", args=[acme_mail.pk]),
    ]
    assert [client.get(page).status_code for page in pages] == [200] * len(pages)


def test_a_superuser_files_hours_under_the_queues_tenant(client, admin_user, globex_bot):
    client.force_login(admin_user)
    response = client.post(reverse("admin:tickets_businesshours_add"), hours_form(globex_bot.queue))
    assert response.status_code == 302
    assert every_tenant(BusinessHours).get().tenant_id == globex_bot.tenant_id
    assert set(every_tenant(Closure).values_list("tenant_id", flat=True)) == {globex_bot.tenant_id}


def test_a_staff_agent_without_the_admin_role_sees_no_hours(client, acme, acme_bot, make_agent):
    agent = make_agent(acme, "al")
    agent.user.is_staff = True
    agent.user.save()
    BusinessHours.objects.create(tenant=acme, queue=acme_bot.queue)
    client.force_login(agent.user)
    assert client.get(reverse("admin:tickets_businesshours_changelist")).status_code == 403


CHICAGO = ZoneInfo("America/Chicago")


class InputValues(HTMLParser):
    """The values a browser would post back from a page's text inputs and selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = ""

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("text", "hidden", "number") and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs.get("name") or ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""


def page_values(response) -> dict[str, str]:
    parser = InputValues()
    parser.feed(response.content.decode())
    return parser.values


@pytest.fixture
def chicago_hours(acme_bot):
    hours = BusinessHours.objects.create(
        tenant=acme_bot.tenant, queue=acme_bot.queue, timezone="America/Chicago"
    )
    closure = Closure.objects.create(
        tenant=hours.tenant,
        hours=hours,
        label="Christmas Day",
        starts_at=datetime(2025, 12, 25, tzinfo=CHICAGO),
        ends_at=datetime(2025, 12, 26, tzinfo=CHICAGO),
    )
    return hours, closure


def change_form(hours: BusinessHours, closure: Closure, **extra) -> dict:
    data = {
        "queue": hours.queue_id,
        "timezone": hours.timezone,
        "windows-TOTAL_FORMS": "0",
        "windows-INITIAL_FORMS": "0",
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "1",
        "closures-0-id": closure.pk,
        "closures-0-hours": hours.pk,
        "closures-0-label": "Christmas Day",
        "closures-0-starts_at_0": "2025-12-25",
        "closures-0-starts_at_1": "00:00",
        "closures-0-ends_at_0": "2025-12-26",
        "closures-0-ends_at_1": "00:00",
    }
    return {**data, **extra}


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Tokyo"])
def test_a_closure_typed_twice_stays_at_the_typed_time_in_the_hours_zone(
    client, settings, tenant_admin, chicago_hours, server_zone
):
    settings.TIME_ZONE = server_zone
    hours, closure = chicago_hours
    client.force_login(tenant_admin.user)
    url = reverse("admin:tickets_businesshours_change", args=[hours.pk])

    for _ in range(2):
        response = client.post(url, change_form(hours, closure))
        assert response.status_code == 302, response.context["errors"] if response.context else response
        closure.refresh_from_db()
        assert closure.starts_at == datetime(2025, 12, 25, 0, 0, tzinfo=CHICAGO)
        assert closure.starts_at == datetime(2025, 12, 25, 6, 0, tzinfo=UTC)
        assert closure.ends_at == datetime(2025, 12, 26, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Tokyo"])
def test_the_change_page_shows_the_closure_as_typed_and_saving_it_back_moves_nothing(
    client, settings, tenant_admin, chicago_hours, server_zone
):
    settings.TIME_ZONE = server_zone
    hours, closure = chicago_hours
    client.force_login(tenant_admin.user)
    url = reverse("admin:tickets_businesshours_change", args=[hours.pk])

    for _ in range(3):  # load the page, post back what it shows, and again
        page = client.get(url)
        shown = page_values(page)
        assert (shown["closures-0-starts_at_0"], shown["closures-0-starts_at_1"]) == (
            "2025-12-25",
            "00:00:00",
        )
        assert (shown["closures-0-ends_at_0"], shown["closures-0-ends_at_1"]) == ("2025-12-26", "00:00:00")
        response = client.post(url, shown)
        assert response.status_code == 302, response.context["errors"] if response.context else response

    closure.refresh_from_db()
    assert (closure.starts_at, closure.ends_at) == (
        datetime(2025, 12, 25, tzinfo=CHICAGO),
        datetime(2025, 12, 26, tzinfo=CHICAGO),
    )


def test_the_change_page_names_the_zone_of_the_closures(client, tenant_admin, chicago_hours):
    hours, _ = chicago_hours
    client.force_login(tenant_admin.user)
    page = client.get(reverse("admin:tickets_businesshours_change", args=[hours.pk]))
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "closures")
    field = formset.formset.forms[0]["starts_at"]
    assert field.label == "Starts (America/Chicago)"
    assert "America/Chicago" in field.help_text
    assert "Starts (America/Chicago)" in page.content.decode()


def test_closures_are_read_in_a_zone_changed_on_the_same_page(client, tenant_admin, chicago_hours):
    hours, closure = chicago_hours
    client.force_login(tenant_admin.user)
    url = reverse("admin:tickets_businesshours_change", args=[hours.pk])

    response = client.post(url, change_form(hours, closure, timezone="Europe/Berlin"))

    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.starts_at == datetime(2025, 12, 25, tzinfo=ZoneInfo("Europe/Berlin"))
    page = page_values(client.get(url))
    assert (page["closures-0-starts_at_0"], page["closures-0-starts_at_1"]) == ("2025-12-25", "00:00:00")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        # 02:30 does not happen in Chicago on the night clocks go forward.
        ({"closures-0-starts_at_0": "2025-03-09", "closures-0-starts_at_1": "02:30"}, "America/Chicago"),
        ({"closures-0-ends_at_0": "2025-12-24"}, "The closure must end after it starts."),
        ({"closures-0-starts_at_0": "2025-02-30"}, "Enter a valid date."),
        ({"closures-0-starts_at_1": ""}, "This field is required."),
    ],
)
def test_a_bad_closure_is_refused_and_the_stored_one_kept(
    client, tenant_admin, chicago_hours, changes, error
):
    hours, closure = chicago_hours
    client.force_login(tenant_admin.user)

    response = client.post(
        reverse("admin:tickets_businesshours_change", args=[hours.pk]), change_form(hours, closure, **changes)
    )

    assert response.status_code == 200
    assert error in str(response.context["inline_admin_formsets"][1].formset.errors)
    closure.refresh_from_db()
    assert closure.starts_at == datetime(2025, 12, 25, tzinfo=CHICAGO)


def test_another_tenants_admin_cannot_open_or_change_the_hours(client, globex, make_agent, chicago_hours):
    hours, closure = chicago_hours
    outsider = make_agent(globex, "gus", role=Membership.Role.ADMIN)
    outsider.user.is_staff = True
    outsider.user.save()
    client.force_login(outsider.user)
    url = reverse("admin:tickets_businesshours_change", args=[hours.pk])

    page = client.get(url)
    posted = client.post(url, change_form(hours, closure, **{"closures-0-starts_at_1": "09:00"}))

    assert page.status_code == 302 and posted.status_code == 302
    assert b"Christmas Day" not in page.content
    closure.refresh_from_db()
    assert closure.starts_at == datetime(2025, 12, 25, tzinfo=CHICAGO)


def test_a_closure_id_of_other_hours_is_refused(client, tenant_admin, chicago_hours, globex_bot):
    hours, _ = chicago_hours
    theirs = BusinessHours.objects.create(tenant=globex_bot.tenant, queue=globex_bot.queue)
    their_closure = Closure.objects.create(
        tenant=theirs.tenant,
        hours=theirs,
        label="Their offsite",
        starts_at=datetime(2025, 6, 1, tzinfo=UTC),
        ends_at=datetime(2025, 6, 2, tzinfo=UTC),
    )
    client.force_login(tenant_admin.user)

    response = client.post(
        reverse("admin:tickets_businesshours_change", args=[hours.pk]), change_form(hours, their_closure)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["inline_admin_formsets"][1].formset.errors)
    their_closure.refresh_from_db()
    assert (their_closure.label, their_closure.hours_id) == ("Their offsite", theirs.pk)
