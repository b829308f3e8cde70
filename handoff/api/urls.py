"""The report endpoints, mounted at ``/api/v1/reports/`` beside the summary at ``reports/handoffs/``."""

from django.urls import path

from handoff.api.report_views import (
    AgentsReportView,
    CsatReportView,
    DeflectionReportView,
    HandoffBreakdownReportView,
    PickupReportView,
)
from handoff.review.api import ReviewRatesReportView

urlpatterns = [
    path("deflection/", DeflectionReportView.as_view(), name="report-deflection"),
    path("handoff-breakdown/", HandoffBreakdownReportView.as_view(), name="report-handoff-breakdown"),
    path("pickup/", PickupReportView.as_view(), name="report-pickup"),
    path("csat/", CsatReportView.as_view(), name="report-csat"),
    path("agents/", AgentsReportView.as_view(), name="report-agents"),
    path("handoff-reviews/", ReviewRatesReportView.as_view(), name="report-handoff-reviews"),
]
