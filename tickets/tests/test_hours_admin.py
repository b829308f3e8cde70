"""Business hours in the database: the schedule selector, and admin editing in the schedule's zone."""

from datetime import UTC, datetime, time

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
