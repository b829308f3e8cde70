from django.urls import path

from handoff import views

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="index"),
]
