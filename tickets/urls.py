"""Routes of the tickets app, included once at the site root: the agents' pages under ``tickets/`` and
the inbound-email endpoint under ``api/v1/inbound/email/``."""

from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("tickets/", views.ticket_list, name="list"),
    path("tickets/<int:number>/", views.ticket_detail, name="detail"),
    path("tickets/<int:number>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:number>/update/", views.ticket_update, name="update"),
    path("api/v1/inbound/email/", views.inbound_email, name="inbound-email-no-token"),
    path("api/v1/inbound/email/<str:token>/", views.inbound_email, name="inbound-email"),
]
